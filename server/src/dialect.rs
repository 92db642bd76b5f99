//! Risk dataset settings as the two client generations send them, and the engine's settings.
//!
//! The notebook's client (0.5.0) sends the engine's own shape: factor groups mapped to roles
//! (`market_factor_group`, `style_factor_group`, …), plus `estimation_universe`. The current
//! client (0.24.x) sends `kind: "derived"` and lists factor groups as continuous or categorical.
//! Roles are read from those lists: a continuous group whose name contains "market" is the
//! market, the first other continuous group the styles (filled when it is in
//! `factor_groups_fill_miss`), a further one "other"; a categorical group whose name mentions
//! industries or sectors is the industry group, one that mentions regions or countries the
//! region group, and the rest fill whichever of the two is still free. Options the engine does
//! not have (gaussianizing, forward filling, hierarchy sources, code overrides, root datasets)
//! are refused with a message naming them, never dropped silently.

use riskdesk::riskdataset::{ExposureSource, RiskDatasetSettings, UploadedExposures};
use serde_json::{Map, Value, json};

use crate::ApiError;

/// Which client generation's settings shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// bayesline-api 0.6 and later: `kind`, continuous and categorical groups.
    Current,
    /// bayesline-api 0.5.0, the notebook's: roles by name (the engine's own shape).
    Notebook,
}

/// Reads settings in either shape; tells which it was.
pub fn read(body: Value) -> Result<(RiskDatasetSettings, Dialect), ApiError> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::invalid("the risk dataset settings must be a JSON object"));
    };
    if !fields.contains_key("kind") {
        match fields.remove("estimation_universe") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "from_reference" => {}
            Some(other) => return Err(ApiError::invalid(format!("estimation_universe {other} is not served: only from_reference"))),
        }
        let settings = engine_settings(Value::Object(fields))?;
        return Ok((settings, Dialect::Notebook));
    }
    match fields.remove("kind") {
        Some(Value::String(k)) if k == "derived" => {}
        other => {
            return Err(ApiError::invalid(format!(
                "kind {} is not served: Riskdesk derives risk datasets from a reference dataset (kind \"derived\")",
                other.unwrap_or(Value::Null)
            )));
        }
    }
    if fields.remove("is_system_wide").is_some_and(|v| v == Value::Bool(true)) {
        return Err(ApiError::invalid("is_system_wide risk datasets are not served: every dataset belongs to the served home"));
    }
    if fields.remove("trim_assets_sources").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::invalid("trim_assets_sources is not served: the uploaded exposures themselves trim the assets"));
    }
    if let Some(Value::Array(sources)) = fields.remove("exposures") {
        let mapped = sources.into_iter().map(current_source).collect::<Result<Vec<_>, _>>()?;
        fields.insert("exposures".into(), Value::Array(mapped));
    }
    let settings = engine_settings(Value::Object(fields))?;
    Ok((settings, Dialect::Current))
}

fn engine_settings(value: Value) -> Result<RiskDatasetSettings, ApiError> {
    RiskDatasetSettings::from_json(&value.to_string(), "the request body").map_err(ApiError::from)
}

/// One current-shape exposure source in the engine's shape.
fn current_source(source: Value) -> Result<Value, ApiError> {
    let Value::Object(mut s) = source else { return Err(ApiError::invalid("each exposures entry must be a JSON object")) };
    if s.get("exposure_type").and_then(Value::as_str) != Some("uploaded") {
        return Ok(Value::Object(s));
    }
    let mut list = |key: &str| -> Result<Vec<String>, ApiError> {
        match s.remove(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => serde_json::from_value(v).map_err(|_| ApiError::invalid(format!("{key} must be a list of factor group names"))),
        }
    };
    let continuous = list("continuous_factor_groups")?;
    let categorical = list("categorical_factor_groups")?;
    let fill = list("factor_groups_fill_miss")?;
    for key in ["factor_groups_forward_fill", "factor_groups_gaussianize", "factor_groups_gaussianize_maintain_zeros"] {
        if !list(key)?.is_empty() {
            return Err(ApiError::invalid(format!(
                "{key} is not served: Riskdesk huberizes and fills styles, it does not forward-fill or gaussianize"
            )));
        }
    }
    for key in ["hierarchy_sources", "categorical_overrides"] {
        if s.remove(key).is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty())) {
            return Err(ApiError::invalid(format!("{key} is not served: hierarchies are the uploaded factor names")));
        }
    }
    let source = s.remove("exposure_source").unwrap_or(Value::Null);
    if let Some(key) = s.keys().find(|k| *k != "exposure_type") {
        return Err(ApiError::invalid(format!("unknown field `{key}` in an uploaded exposures entry")));
    }

    let (market, rest): (Vec<&String>, Vec<&String>) = continuous.iter().partition(|g| g.to_lowercase().contains("market"));
    if market.len() > 1 {
        return Err(ApiError::invalid(format!("continuous_factor_groups {market:?} are two market groups: name one group market")));
    }
    if rest.len() > 2 {
        return Err(ApiError::invalid(format!(
            "continuous_factor_groups {rest:?}: besides the market, Riskdesk takes a style group and one other group"
        )));
    }
    let (style, other) = (rest.first().copied(), rest.get(1).copied());
    if let Some(f) = fill.iter().find(|f| Some(*f) != style) {
        return Err(ApiError::invalid(format!(
            "factor_groups_fill_miss '{f}': only the style group ({}) is filled",
            style.map_or("none", |s| s)
        )));
    }
    let mentions = |g: &str, words: &[&str]| words.iter().any(|w| g.to_lowercase().contains(w));
    let mut industry = categorical.iter().find(|g| mentions(g, &["industr", "sector"]));
    let mut region = categorical.iter().find(|g| Some(*g) != industry && mentions(g, &["region", "countr"]));
    for g in &categorical {
        if Some(g) == industry || Some(g) == region {
            continue;
        }
        if industry.is_none() {
            industry = Some(g);
        } else if region.is_none() {
            region = Some(g);
        } else {
            return Err(ApiError::invalid(format!(
                "categorical_factor_groups {categorical:?}: Riskdesk takes an industry and a region group"
            )));
        }
    }
    Ok(json!({
        "exposure_type": "uploaded",
        "exposure_source": source,
        "market_factor_group": market.first(),
        "style_factor_group": style,
        "other_factor_group": other,
        "industry_factor_group": industry,
        "region_factor_group": region,
        "style_factor_fill_miss": style.is_some_and(|s| fill.contains(s)),
    }))
}

/// Settings in the shape a client of `dialect` reads back.
pub fn write(settings: &RiskDatasetSettings, dialect: Dialect) -> Value {
    let engine = serde_json::to_value(settings).unwrap_or(Value::Null);
    if dialect == Dialect::Notebook {
        return engine;
    }
    let Value::Object(mut fields) = engine else { return Value::Null };
    let exposures: Vec<Value> = settings.exposures.iter().map(current_of).collect();
    fields.insert("exposures".into(), Value::Array(exposures));
    let mut out = Map::new();
    out.insert("kind".into(), json!("derived"));
    out.insert("is_system_wide".into(), json!(false));
    out.extend(fields);
    out.insert("trim_assets_sources".into(), Value::Null);
    Value::Object(out)
}

fn current_of(source: &ExposureSource) -> Value {
    match source {
        ExposureSource::Uploaded(u) => {
            let UploadedExposures { exposure_source, market_factor_group, style_factor_group, other_factor_group, .. } = u;
            let continuous: Vec<&String> = [market_factor_group, style_factor_group, other_factor_group].into_iter().flatten().collect();
            let categorical: Vec<&String> = [&u.industry_factor_group, &u.region_factor_group].into_iter().flatten().collect();
            let fill: Vec<&String> = style_factor_group.iter().filter(|_| u.style_factor_fill_miss).collect();
            json!({
                "exposure_type": "uploaded", "exposure_source": exposure_source,
                "continuous_factor_groups": continuous, "categorical_factor_groups": categorical,
                "factor_groups_forward_fill": [], "factor_groups_gaussianize": [], "factor_groups_gaussianize_maintain_zeros": [],
                "factor_groups_fill_miss": fill, "hierarchy_sources": {}, "categorical_overrides": {},
            })
        }
        ExposureSource::Referenced { rest } => {
            let mut m = rest.clone();
            m.insert("exposure_type".into(), json!("referenced"));
            Value::Object(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_shape_maps_groups_to_roles_and_back() {
        let body = json!({"kind": "derived", "is_system_wide": false, "reference_dataset": "R",
            "exposures": [{"exposure_type": "uploaded", "exposure_source": "E",
              "continuous_factor_groups": ["market", "style"], "categorical_factor_groups": ["industry", "region"],
              "factor_groups_forward_fill": [], "factor_groups_gaussianize": [], "factor_groups_gaussianize_maintain_zeros": [],
              "factor_groups_fill_miss": ["style"], "hierarchy_sources": {}, "categorical_overrides": {}}],
            "exchange_codes": null, "trim_assets": "none", "trim_assets_sources": null,
            "trim_start_date": "2025-05-01", "trim_end_date": "latest_end"});
        let (settings, dialect) = read(body.clone()).unwrap();
        assert_eq!(dialect, Dialect::Current);
        let ExposureSource::Uploaded(u) = &settings.exposures[0] else { panic!() };
        assert_eq!(
            (u.market_factor_group.as_deref(), u.style_factor_group.as_deref(), u.industry_factor_group.as_deref()),
            (Some("market"), Some("style"), Some("industry"))
        );
        assert!(u.style_factor_fill_miss && u.other_factor_group.is_none());
        assert_eq!(write(&settings, Dialect::Current), body);
    }

    #[test]
    fn the_notebook_shape_is_the_engines_and_unserved_options_are_named() {
        let body = json!({"reference_dataset": "R", "exposures": [{"exposure_type": "uploaded", "exposure_source": "E",
            "market_factor_group": "market", "region_factor_group": "region", "industry_factor_group": "industry",
            "style_factor_group": "style", "other_factor_group": null, "style_factor_fill_miss": true, "style_factor_huberize": true}],
            "exchange_codes": null, "trim_assets": "ccy_union", "trim_start_date": "2025-05-01", "trim_end_date": "latest_end",
            "estimation_universe": "from_reference"});
        let (settings, dialect) = read(body).unwrap();
        assert_eq!(dialect, Dialect::Notebook);
        assert_eq!(write(&settings, Dialect::Notebook)["trim_assets"], "ccy_union");

        let refused = |body: Value| read(body).unwrap_err().message;
        let gauss = json!({"kind": "derived", "reference_dataset": "R", "exposures": [{"exposure_type": "uploaded",
            "exposure_source": "E", "continuous_factor_groups": ["style"], "factor_groups_gaussianize": ["style"]}]});
        assert!(refused(gauss).contains("factor_groups_gaussianize is not served"));
        assert!(refused(json!({"kind": "root", "exposures": []})).contains("kind \"root\" is not served"));
        let two_fills = json!({"kind": "derived", "reference_dataset": "R", "exposures": [{"exposure_type": "uploaded",
            "exposure_source": "E", "continuous_factor_groups": ["market", "style"], "factor_groups_fill_miss": ["market"]}]});
        assert!(refused(two_fills).contains("only the style group (style) is filled"));
    }
}
