//! Risk models for the current client (0.24.x). Its model (`bln.equity.riskmodels.load(...)
//! .get_model()`) makes no call of its own: every figure comes through the report API, with the
//! model's settings (`FactorRiskModelSettings`) inline in each report's settings. The reports
//! served here:
//!
//! - `factor_stats` (`fret`, `t_stats`, `p_values`, `dates`, `factors`): the stored model's frames;
//! - `mcap_exposure` (`market_caps`): the exposure-weighted market caps of each date's estimation universe;
//! - `idio` as `future_asset_returns` asks for it (no exposures, returns unclipped): each asset's
//!   return on the date after its exposures.
//!
//! **Settings to a stored model.** The settings are read into the engine's `RiskModelSettings`
//! (one to one: weights, return clip bounds, zero-sum constraints, thin-category shrinkage; the
//! covariance half-lives and Newey–West lags, which these settings do not have, at their
//! defaults). The model is stored under a name derived from them, `client-<16 hex digits>` (a
//! hash of the engine settings), so that the same settings from any client, in any form, share
//! one model: it is estimated (a task) when it does not exist, re-estimated when its risk dataset
//! was rebuilt since, and otherwise used as it is (answered at once). What the engine has no
//! counterpart for is refused by name.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float64Array, StringArray, UInt32Array};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskdesk::riskdataset::{Description, Layout};
use riskdesk::riskmodel::{DateFrame, ModelFrame, ModelStatus, RiskModelInfo, RiskModelSettings, Weights, ZeroSum};
use riskdesk::{Backend, LocalBackend, Progress};
use serde_json::{Map, Value, json};

use crate::reports::{Report, plain_universe, text};
use crate::request::Params;
use crate::riskdatasets::{bare, id_of};
use crate::tasks::Outcome;
use crate::{ApiError, AppState, Routes};

pub(crate) fn routes() -> Routes {
    Routes::default().route("/equity/riskmodels", get(list)).route("/equity/riskmodels/catalog", get(catalog))
}

/// The model construction weights served (the platform's other two, `Cap` and `InvIdioVar`,
/// are refused).
pub const WEIGHTS: [&str; 1] = ["SqrtCap"];

/// `GET /v1/equity/riskmodels[?risk_dataset=]`: the platform's `FactorRiskModelMetadata` of
/// every stored risk model (of one risk dataset's when asked).
async fn list(State(state): State<AppState>, params: Params) -> Result<Json<Vec<Value>>, ApiError> {
    let only = params.last("risk_dataset").map(|d| bare(&d).to_owned());
    let (models, datasets) = state.run(|b| Ok((b.risk_models()?, b.risk_datasets()?))).await?;
    let out = models
        .into_iter()
        .filter(|m| only.as_deref().is_none_or(|d| d == m.settings.risk_dataset))
        .map(|m| {
            let dataset = datasets.iter().find(|d| d.name == m.settings.risk_dataset);
            json!({
                "name": m.name, "id": id_of(&m.name), "status": "valid",
                "message": m.stale_reason.as_deref().map_or_else(String::new, |r| format!("stale: {r}")),
                "description": null,
                "model_settings_created_on": m.created, "model_settings_last_updated_on": m.created,
                "risk_dataset": m.settings.risk_dataset,
                "risk_dataset_data_date": dataset.and_then(|d| d.last_date.clone()),
                "risk_dataset_status": dataset.map(|d| crate::riskdatasets::status(d.status)),
            })
        })
        .collect();
    Ok(Json(out))
}

/// `GET /v1/equity/riskmodels/catalog`: the platform's `RiskModelCatalog`, the risk models
/// and the risk datasets in one answer.
async fn catalog(State(state): State<AppState>, params: Params) -> Result<Json<Value>, ApiError> {
    let datasets = state.run(|b| b.risk_datasets()).await?;
    let Json(models) = list(State(state), params).await?;
    Ok(Json(json!({ "risk_models": models, "risk_datasets": datasets.iter().map(crate::riskdatasets::metadata).collect::<Vec<_>>() })))
}

/// The factor risk model menu (`settings/available?settings_type=FactorRiskModelSettings`).
pub fn menu(d: &Description) -> Value {
    json!({ "exposure_settings_menu": crate::menus::exposure(d), "modelconstruction_settings_menu": { "weights": WEIGHTS } })
}

/// A report over a stored risk model.
pub enum ModelReport {
    /// Factor returns, t-statistics and p-values.
    FactorStats {
        /// The stored model.
        model: String,
    },
    /// The exposure-weighted market caps of each date's estimation universe.
    McapExposure {
        /// The stored model.
        model: String,
    },
    /// The returns following each date of a risk dataset.
    NextReturns {
        /// The risk dataset.
        dataset: String,
        /// The id type of the asset columns.
        id_type: Option<String>,
    },
}

/// The name a model of `settings` is stored under: `client-` and a hash of the engine settings
/// (FNV-1a, 64 bits), the same on every server and run.
pub fn model_name(settings: &RiskModelSettings) -> String {
    let text = serde_json::to_string(settings).unwrap_or_default();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("client-{hash:016x}")
}

/// Refuses fields of an object other than `known`, naming them.
fn only_fields(what: &str, object: &Map<String, Value>, known: &[&str]) -> Result<(), ApiError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::invalid(format!("{what}: '{k}' is not served by Riskdesk"))),
        None => Ok(()),
    }
}

/// Whether a field is absent, null, or an empty object or list (an option left at its default).
fn unset(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

/// The single settings object of a per-stage list (`universe`, `exposures`, `modelconstruction`).
fn single<'a>(frm: &'a Map<String, Value>, key: &str) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    let items = match frm.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => std::slice::from_ref(other),
    };
    match items {
        [] => Ok(None),
        [Value::Object(o)] => Ok(Some(o)),
        [Value::String(_) | Value::Number(_)] => {
            Err(ApiError::invalid(format!("{key} by name or id is not served: Riskdesk stores no {key} settings; send them inline")))
        }
        [_] => Err(ApiError::invalid(format!("{key} must be a settings object"))),
        _ => Err(ApiError::invalid(format!(
            "{key} lists {} stages: multi-stage factor models are not served, Riskdesk estimates one regression per date",
            items.len()
        ))),
    }
}

/// Every factor label of a risk dataset's model, in the model's order.
fn model_labels(layout: &Layout) -> Vec<String> {
    let mut labels: Vec<String> = layout.numeric.iter().map(|c| c.label()).collect();
    for (role, cats) in [("industry", &layout.industry), ("region", &layout.region)] {
        if let Some(c) = cats {
            labels.extend(c.factors.iter().map(|f| format!("{role}.{}.{f}", c.group)));
        }
    }
    labels
}

/// The universe of a factor model: the whole risk dataset (no filters but the trading calendar,
/// which is not applied); its id type.
fn model_universe(frm: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let Some(universe) = single(frm, "universe")? else { return Ok(None) };
    let value = Value::Object(universe.clone());
    plain_universe(&value, "mcap_filter")?;
    if !unset(universe.get("categorical_filters")) {
        return Err(ApiError::invalid(
            "universe categorical_filters are not served for risk models: a Riskdesk model is estimated over its whole risk dataset",
        ));
    }
    Ok(text(&value, "id_type").map(str::to_owned))
}

/// Checks that the exposures of a factor model are every factor of the risk dataset: none listed
/// (taken as all of them), or every group in full.
fn model_exposures(frm: &Map<String, Value>, dataset: &str, layout: &Layout) -> Result<(), ApiError> {
    let Some(exposures) = single(frm, "exposures")? else { return Ok(()) };
    if unset(exposures.get("exposures")) {
        return Ok(());
    }
    // Each group whole, as stored: no narrowing, regrouping or transformation.
    for group in exposures["exposures"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = text(group, "factor_group").unwrap_or_default();
        let refuse = |what: &str| {
            ApiError::invalid(format!(
                "factor group '{name}': {what} is not served for risk models, whose factors are every factor of the risk dataset"
            ))
        };
        if group.get("include").is_some_and(|i| !i.is_null() && i != "All") || !unset(group.get("exclude")) {
            return Err(refuse("include and exclude"));
        }
        if group["hierarchy"].is_object()
            && (group["hierarchy"]["hierarchy_type"] != "level" || group["hierarchy"]["level"].as_u64().is_some_and(|l| l != 1))
        {
            return Err(refuse("a hierarchy other than the group's own level 1"));
        }
        if group.get("standardize_method").is_some_and(|m| !m.is_null() && m != "none") || !unset(group.get("net_of")) {
            return Err(refuse("standardize_method and net_of"));
        }
    }
    let report = json!({
        "dataset": dataset,
        "settings": { "report_type": "exposure", "universe_settings": {}, "exposure_settings": exposures },
    });
    let accessor = crate::reports::current_accessor(&report, layout)?;
    let missing: Vec<String> = model_labels(layout).into_iter().filter(|l| !accessor.has_column(l)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "the exposures leave out {}: a Riskdesk risk model has every factor of its risk dataset, so list every factor group in full, or none",
        missing.join(", ")
    )))
}

/// A finite number or null, as the engine's optional bound.
fn bound(v: &Value, which: &str) -> Result<Option<f64>, ApiError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| ApiError::invalid(format!("return_clip_bounds: the {which} bound {n} is not a finite number"))),
        other => Err(ApiError::invalid(format!("return_clip_bounds: the {which} bound {other} is not a number"))),
    }
}

/// The model construction settings read into the engine's, for risk dataset `dataset`.
fn model_construction(mc: Option<&Map<String, Value>>, dataset: &str) -> Result<RiskModelSettings, ApiError> {
    let mut settings = RiskModelSettings::new(dataset);
    let Some(mc) = mc else { return Ok(settings) };
    only_fields(
        "modelconstruction",
        mc,
        &[
            "currency",
            "weights",
            "estimation_universe",
            "return_clip_bounds",
            "thin_category_shrinkage",
            "thin_category_shrinkage_overrides",
            "zero_sum_constraints",
            "known_factor_map",
            "fx_convert_returns",
        ],
    )?;
    match mc.get("currency") {
        None | Some(Value::Null) => {}
        Some(Value::String(c)) if c == "USD" => {}
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "currency {other} is not served: Riskdesk converts no currencies, it regresses the reference dataset's returns as they are (currency \"USD\")"
            )));
        }
    }
    if mc.get("fx_convert_returns").is_some_and(|v| !v.is_null() && !v.is_boolean()) {
        return Err(ApiError::invalid("fx_convert_returns must be true or false"));
    }
    settings.weights = match mc.get("weights") {
        None | Some(Value::Null) => Weights::SqrtCap,
        Some(Value::String(w)) if w == "SqrtCap" => Weights::SqrtCap,
        Some(Value::String(w)) if w == "Cap" || w == "InvIdioVar" => {
            return Err(ApiError::invalid(format!(
                "weights \"{w}\" is not served: Riskdesk regresses with square-root market cap weights (\"SqrtCap\")"
            )));
        }
        Some(other) => return Err(ApiError::invalid(format!("weights {other} is not a weighting scheme (\"SqrtCap\")"))),
    };
    for (field, why) in [
        ("estimation_universe", "the estimation universe is the risk dataset's assets with a market cap and a return"),
        ("thin_category_shrinkage_overrides", "give thresholds per factor group in thin_category_shrinkage"),
        ("known_factor_map", "every factor return is estimated"),
    ] {
        if !unset(mc.get(field)) {
            return Err(ApiError::invalid(format!("{field} is not served: {why}")));
        }
    }
    if let Some(bounds) = mc.get("return_clip_bounds").filter(|v| !v.is_null()) {
        let Some([low, high]) = bounds.as_array().map(Vec::as_slice) else {
            return Err(ApiError::invalid(format!("return_clip_bounds {bounds} must be [lower, upper]")));
        };
        settings.return_clip_bounds = (bound(low, "lower")?, bound(high, "upper")?);
    }
    if let Some(constraints) = mc.get("zero_sum_constraints").filter(|v| !v.is_null()) {
        let Some(constraints) = constraints.as_object() else {
            return Err(ApiError::invalid("zero_sum_constraints must map factor groups to a constraint"));
        };
        for (group, c) in constraints {
            let constraint = match c.as_str() {
                Some("none") => ZeroSum::None,
                Some("equal_weights") => ZeroSum::EqualWeights,
                Some("mcap_weighted") => ZeroSum::McapWeighted,
                _ => {
                    return Err(ApiError::invalid(format!(
                        "zero_sum_constraints: '{group}' has {c}; expected \"none\", \"equal_weights\" or \"mcap_weighted\""
                    )));
                }
            };
            settings.zero_sum_constraints.insert(group.clone(), constraint);
        }
    }
    if let Some(shrinkage) = mc.get("thin_category_shrinkage").filter(|v| !v.is_null()) {
        let Some(shrinkage) = shrinkage.as_object() else {
            return Err(ApiError::invalid("thin_category_shrinkage must map factor groups to a number of assets"));
        };
        for (group, n) in shrinkage {
            let Some(n) = n.as_f64() else {
                return Err(ApiError::invalid(format!("thin_category_shrinkage: '{group}' has {n}; expected a number of assets")));
            };
            settings.thin_category_shrinkage.insert(group.clone(), n);
        }
    }
    settings.check()?;
    Ok(settings)
}

/// The engine settings of a report's inline `factor_model_settings` over risk dataset
/// `dataset`, and the universe's id type.
pub fn engine_settings(frm: &Value, dataset: &str, layout: &Layout) -> Result<(RiskModelSettings, Option<String>), ApiError> {
    let frm = match frm {
        Value::Object(o) => o,
        Value::String(_) | Value::Number(_) => {
            return Err(ApiError::invalid(
                "factor_model_settings by name or id are not served: Riskdesk stores no factor risk model settings; send them inline",
            ));
        }
        _ => return Err(ApiError::invalid("the report has no factor_model_settings")),
    };
    only_fields("factor_model_settings", frm, &["universe", "exposures", "modelconstruction", "halflife_idio_vra"])?;
    if !unset(frm.get("halflife_idio_vra")) {
        return Err(ApiError::invalid("halflife_idio_vra is not served: Riskdesk applies no volatility regime adjustment"));
    }
    let id_type = model_universe(frm)?;
    model_exposures(frm, dataset, layout)?;
    let settings = model_construction(single(frm, "modelconstruction")?, dataset)?;
    let groups: Vec<&str> = [&layout.industry, &layout.region].into_iter().flatten().map(|c| c.group.as_str()).collect();
    for (field, named) in [
        ("zero_sum_constraints", settings.zero_sum_constraints.keys().collect::<Vec<_>>()),
        ("thin_category_shrinkage", settings.thin_category_shrinkage.keys().collect()),
    ] {
        if let Some(g) = named.into_iter().find(|g| !groups.contains(&g.as_str())) {
            return Err(ApiError::invalid(format!(
                "{field}: '{g}' is not a categorical factor group of risk dataset '{dataset}' (it has {})",
                if groups.is_empty() { "none".to_owned() } else { groups.join(", ") }
            )));
        }
    }
    Ok((settings, id_type))
}

/// The idio report `future_asset_returns` asks for: the model's settings with no exposures and
/// unclipped returns (the assets' returns themselves); anything else is refused.
fn next_returns_report(frm: &Value, dataset: &str) -> Result<ModelReport, ApiError> {
    let Value::Object(frm) = frm else {
        return Err(ApiError::invalid("factor_model_settings by name or id are not served: send them inline"));
    };
    let id_type = model_universe(frm)?;
    let no_exposures = single(frm, "exposures")?.is_none_or(|e| unset(e.get("exposures")));
    let unclipped = single(frm, "modelconstruction")?
        .and_then(|mc| mc.get("return_clip_bounds"))
        .and_then(Value::as_array)
        .is_some_and(|b| b.iter().all(Value::is_null));
    if !(no_exposures && unclipped) {
        return Err(ApiError::invalid(
            "idio reports are served only as future_asset_returns asks for them (no exposures, return_clip_bounds [null, null]): the assets' returns",
        ));
    }
    Ok(ModelReport::NextReturns { dataset: dataset.to_owned(), id_type })
}

/// The model of `settings` stored under `name`, estimated when missing, re-estimated when stale.
fn ensure(b: &LocalBackend, name: &str, settings: &RiskModelSettings, progress: &Progress<'_>) -> riskdesk::Result<RiskModelInfo> {
    let created = match b.describe_risk_model(name) {
        Ok(info) => return reuse(b, info, settings, progress),
        Err(e) if e.code() == "not_found" => b.create_risk_model(name, settings, false, progress),
        Err(e) => return Err(e),
    };
    match created {
        // Another server estimated it meanwhile.
        Err(e) if e.code() == "conflict" => reuse(b, b.describe_risk_model(name)?, settings, progress),
        other => other,
    }
}

fn reuse(b: &LocalBackend, info: RiskModelInfo, settings: &RiskModelSettings, progress: &Progress<'_>) -> riskdesk::Result<RiskModelInfo> {
    if info.settings != *settings {
        return Err(riskdesk::Error::conflict(
            format!("risk model '{}' exists with other settings than these: delete it to estimate these", info.name),
            vec![],
        ));
    }
    if info.status == ModelStatus::Ready { Ok(info) } else { b.update_risk_model(&info.name, progress) }
}

/// What a report's accessor says of its axes and figures.
fn accessor_params(report: &ModelReport) -> Value {
    let (axes, metrics, pivot) = match report {
        ModelReport::FactorStats { .. } => (
            json!({ "date": ["date"], "factor": ["factor_group", "factor"] }),
            json!(["factor_return", "std_error", "t_statistic", "p_value"]),
            json!(["factor_group", "factor"]),
        ),
        ModelReport::McapExposure { .. } => {
            (json!({ "date": ["date"], "factor": ["factor_group", "factor"] }), json!(["mcap_exposure"]), json!(["factor_group", "factor"]))
        }
        ModelReport::NextReturns { .. } => {
            (json!({ "date": ["date"], "asset": ["asset_id"] }), json!(["idio_return"]), json!(["asset_id"]))
        }
    };
    json!({ "axes": axes, "metric_cols": metrics, "pivot_cols": pivot, "available_scenario_types": [], "scenario_settings": [] })
}

/// `POST /v1/equity/report/calculate` for `factor_stats`, `mcap_exposure` and `idio` reports:
/// the accessor at once when the model is stored and ready (or not needed), else a task that
/// estimates it and answers the accessor.
pub async fn calculate(state: &AppState, body: &Value, kind: &str) -> Result<Response, ApiError> {
    let dataset = bare(text(body, "dataset").ok_or_else(|| ApiError::invalid("the report names no dataset"))?).to_owned();
    let frm = &body["settings"]["factor_model_settings"];
    let kwargs = &body["report_kwargs"];
    if text(kwargs, "start_date").is_some() || text(kwargs, "end_date").is_some() {
        return Err(ApiError::invalid(format!(
            "{kind} reports cover every date of the model: leave start_date and end_date out, and narrow the accessor's data with date filters"
        )));
    }
    let named = dataset.clone();
    let description = state.run(move |b| b.describe_risk_dataset(&named)).await?;
    if kind == "idio" {
        return Ok(inline(state, next_returns_report(frm, &dataset)?));
    }
    let (settings, _) = engine_settings(frm, &dataset, &description.layout)?;
    let name = model_name(&settings);
    let stats = kind == "factor_stats";
    let report = move |model: String| if stats { ModelReport::FactorStats { model } } else { ModelReport::McapExposure { model } };
    let (named, wanted) = (name.clone(), settings.clone());
    let ready = state
        .run(move |b| match b.describe_risk_model(&named) {
            Ok(info) => Ok(info.settings == wanted && info.status == ModelStatus::Ready),
            Err(e) if e.code() == "not_found" => Ok(false),
            Err(e) => Err(e),
        })
        .await?;
    if ready {
        return Ok(inline(state, report(name)));
    }
    let accessors = Arc::clone(&state.accessors);
    let id = state.tasks.new_id();
    Ok(state.spawn_report_task(move |b, progress| {
        progress.report("risk model", 0, 1, format!("estimating risk model {name}"));
        ensure(b, &name, &settings, progress)?;
        let report = report(name);
        let mut description = accessor_params(&report);
        description["accessor_id"] = json!(id);
        accessors.insert(id, Report::Model(report));
        Ok(Outcome::Json(description))
    }))
}

/// A report's accessor answered at once (the report API's inline form).
fn inline(state: &AppState, report: ModelReport) -> Response {
    let params = accessor_params(&report);
    let id = state.tasks.new_id();
    state.accessors.insert(id.clone(), Report::Model(report));
    Json(json!({ "accessor_id": id, "accessor_params": params })).into_response()
}

/// What an accessor's data call asks for: the columns that become rows (`expand`), those spread
/// into columns (`pivot_cols`), the figures (`value_cols`), and a date range from its filters.
pub struct Shape {
    /// `expand`.
    pub expand: Vec<String>,
    /// `pivot_cols`.
    pub pivot: Vec<String>,
    /// `value_cols`.
    pub values: Vec<String>,
    /// The first and last date kept (`YYYY-MM-DD`, inclusive).
    pub dates: (Option<String>, Option<String>),
}

impl Shape {
    /// Whether the shape is `expand`, `pivot`, `values`.
    fn is(&self, expand: &[&str], pivot: &[&str], values: &[&str]) -> bool {
        self.expand == expand && self.pivot == pivot && self.values == values
    }

    /// Whether a date is in the range.
    pub fn keeps(&self, date: &str) -> bool {
        self.dates.0.as_deref().is_none_or(|s| date >= s) && self.dates.1.as_deref().is_none_or(|e| date <= e)
    }

    /// A refusal naming what was asked and what `report` serves.
    fn refused(&self, report: &str, served: &str) -> ApiError {
        ApiError::invalid(format!(
            "{report} reports serve {served}; not expand {:?} with pivot_cols {:?} and value_cols {:?}",
            self.expand, self.pivot, self.values
        ))
    }
}

/// The wire name of a model factor: `<group>^<factor>`.
fn factor_names(info: &RiskModelInfo) -> BTreeMap<String, (String, String)> {
    info.report.factors.iter().map(|f| (f.label.clone(), (f.group.clone(), f.factor.clone()))).collect()
}

/// A per-date frame as a wide Parquet frame: `date`, then `<group>^<factor>^<metric>` Float64.
fn wide(frame: &DateFrame, info: &RiskModelInfo, metric: &str, shape: &Shape) -> Result<Bytes, ApiError> {
    let names = factor_names(info);
    let rows: Vec<usize> = (0..frame.dates.len()).filter(|&i| shape.keeps(&frame.dates[i])).collect();
    let dates = rows.iter().map(|&i| riskdesk::date::parse_arg(&frame.dates[i])).collect::<riskdesk::Result<Vec<i32>>>()?;
    let mut columns: Vec<(String, ArrayRef)> = vec![("date".to_owned(), Arc::new(Date32Array::from(dates)))];
    for (j, label) in frame.columns.iter().enumerate() {
        let (group, factor) = names.get(label).cloned().unwrap_or_else(|| (String::new(), label.clone()));
        let values: Float64Array = rows.iter().map(|&i| frame.values[i][j]).collect();
        columns.push((format!("{group}^{factor}^{metric}"), Arc::new(values)));
    }
    crate::frames::parquet(&[crate::frames::batch(columns.iter().map(|(n, a)| (n.as_str(), Arc::clone(a))).collect())?])
}

/// The model frames' dates in range, as a frame of one `date` column.
fn dates_frame(dates: &[String], shape: &Shape) -> Result<Bytes, ApiError> {
    let days = dates.iter().filter(|d| shape.keeps(d)).map(|d| riskdesk::date::parse_arg(d)).collect::<riskdesk::Result<Vec<i32>>>()?;
    crate::frames::parquet(&[crate::frames::batch(vec![("date", Arc::new(Date32Array::from(days)) as ArrayRef)])?])
}

/// The frame a model report's accessor answers for `shape`.
pub fn data(b: &LocalBackend, report: &ModelReport, shape: &Shape) -> Result<Bytes, ApiError> {
    match report {
        ModelReport::FactorStats { model } => {
            let info = b.describe_risk_model(model)?;
            let frame = |f: ModelFrame| b.risk_model_frame(model, f);
            for (metric, which) in [
                ("factor_return", ModelFrame::Fret),
                ("std_error", ModelFrame::StdErrors),
                ("t_statistic", ModelFrame::TStats),
                ("p_value", ModelFrame::PValues),
            ] {
                if shape.is(&["date"], &["factor_group", "factor"], &[metric]) {
                    return wide(&frame(which)?, &info, metric, shape);
                }
            }
            if shape.is(&["date"], &[], &[]) {
                return dates_frame(&frame(ModelFrame::R2)?.dates, shape);
            }
            if shape.is(&["factor_group", "factor"], &[], &[]) {
                let factors = &info.report.factors;
                return crate::frames::parquet(&[crate::frames::batch(vec![
                    ("factor_group", Arc::new(StringArray::from_iter_values(factors.iter().map(|f| f.group.as_str()))) as ArrayRef),
                    ("factor", Arc::new(StringArray::from_iter_values(factors.iter().map(|f| f.factor.as_str())))),
                ])?]);
            }
            if shape.values.iter().any(|v| v == "vif") {
                return Err(ApiError::invalid("vif is not served: Riskdesk computes no variance inflation factors"));
            }
            Err(shape.refused(
                "factor_stats",
                "expand [date] with pivot_cols [factor_group, factor] and one of value_cols factor_return, std_error, t_statistic, p_value; expand [date]; expand [factor_group, factor]",
            ))
        }
        ModelReport::McapExposure { model } => {
            if shape.is(&["date"], &[], &[]) {
                return dates_frame(&b.risk_model_frame(model, ModelFrame::R2)?.dates, shape);
            }
            if !shape.is(&["date"], &["factor_group", "factor"], &["mcap_exposure"]) {
                return Err(
                    shape.refused("mcap_exposure", "expand [date] with pivot_cols [factor_group, factor] and value_cols [mcap_exposure]")
                );
            }
            let info = b.describe_risk_model(model)?;
            wide(&b.risk_model_mcap_exposures(model)?, &info, "mcap_exposure", shape)
        }
        ModelReport::NextReturns { dataset, id_type } => {
            let next = b.next_returns(dataset, id_type.as_deref())?;
            if shape.is(&["date"], &[], &[]) {
                return dates_frame(&next.dates, shape);
            }
            if !shape.is(&["date"], &["asset_id"], &["idio_return"]) {
                return Err(shape.refused("idio", "expand [date] with pivot_cols [asset_id] and value_cols [idio_return]"));
            }
            next_returns_frame(&next, shape)
        }
    }
}

/// The returns following each date, labelled as the platform's idio report labels them: at the
/// date of the return (the first date has none). The client shifts them back a date.
fn next_returns_frame(next: &riskdesk::riskmodel::NextReturns, shape: &Shape) -> Result<Bytes, ApiError> {
    let mut ids: Vec<&str> = next.returns.iter().flatten().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<usize> = (0..next.dates.len()).filter(|&i| shape.keeps(&next.dates[i])).collect();
    let mut columns: Vec<Vec<Option<f64>>> = vec![vec![None; rows.len()]; ids.len()];
    for (r, &i) in rows.iter().enumerate() {
        // The returns on date i follow date i - 1's exposures.
        let Some(day) = i.checked_sub(1).map(|p| &next.returns[p]) else { continue };
        for (id, value) in day {
            if let Ok(c) = ids.binary_search(&id.as_str()) {
                columns[c][r] = Some(*value);
            }
        }
    }
    let days = rows.iter().map(|&i| riskdesk::date::parse_arg(&next.dates[i])).collect::<riskdesk::Result<Vec<i32>>>()?;
    let mut out: Vec<(String, ArrayRef)> = vec![("date".to_owned(), Arc::new(Date32Array::from(days)))];
    for (id, values) in ids.iter().zip(columns) {
        out.push((format!("{id}^idio_return"), Arc::new(Float64Array::from(values))));
    }
    crate::frames::parquet(&[crate::frames::batch(out.iter().map(|(n, a)| (n.as_str(), Arc::clone(a))).collect())?])
}

/// The universe count report's frames: the assets of the risk dataset on each date (the rows
/// `exposures get` returns), for `shape`.
pub fn universe_frame(table: &riskdesk::table::Table, shape: &Shape) -> Result<Bytes, ApiError> {
    let batch = table.to_batch()?;
    let (Some(dates), Some(ids)) =
        (batch.column(0).as_any().downcast_ref::<Date32Array>(), batch.column(1).as_any().downcast_ref::<StringArray>())
    else {
        return Err(ApiError::internal("the exposures have no date and id columns"));
    };
    let rows: Vec<(i32, &str)> =
        (0..batch.num_rows()).map(|r| (dates.value(r), ids.value(r))).filter(|(d, _)| shape.keeps(&riskdesk::date::format(*d))).collect();
    // Rows come date by date: the distinct dates and each one's count.
    let mut days: Vec<i32> = Vec::new();
    let mut per_day: Vec<u32> = Vec::new();
    for (d, _) in &rows {
        match per_day.last_mut() {
            Some(n) if days.last() == Some(d) => *n += 1,
            _ => {
                days.push(*d);
                per_day.push(1);
            }
        }
    }
    if shape.is(&["date", "asset_id"], &[], &["count"]) {
        return crate::frames::parquet(&[crate::frames::batch(vec![
            ("date", Arc::new(Date32Array::from_iter_values(rows.iter().map(|(d, _)| *d))) as ArrayRef),
            ("asset_id", Arc::new(StringArray::from_iter_values(rows.iter().map(|(_, id)| *id)))),
            ("count", Arc::new(UInt32Array::from_iter_values(rows.iter().map(|_| 1)))),
        ])?]);
    }
    if shape.is(&["date"], &[], &["count"]) {
        return crate::frames::parquet(&[crate::frames::batch(vec![
            ("date", Arc::new(Date32Array::from(days)) as ArrayRef),
            ("count", Arc::new(UInt32Array::from(per_day))),
        ])?]);
    }
    if shape.is(&["date"], &["asset_id"], &["count"]) {
        let mut assets: Vec<&str> = rows.iter().map(|(_, id)| *id).collect();
        assets.sort_unstable();
        assets.dedup();
        let mut counts = vec![vec![0u32; days.len()]; assets.len()];
        for (d, id) in &rows {
            if let (Ok(r), Ok(c)) = (days.binary_search(d), assets.binary_search(id)) {
                counts[c][r] = 1;
            }
        }
        let mut out: Vec<(String, ArrayRef)> = vec![("date".to_owned(), Arc::new(Date32Array::from(days.clone())))];
        for (id, column) in assets.iter().zip(counts) {
            out.push((format!("{id}^count"), Arc::new(UInt32Array::from(column))));
        }
        return crate::frames::parquet(&[crate::frames::batch(out.iter().map(|(n, a)| (n.as_str(), Arc::clone(a))).collect())?]);
    }
    Err(shape.refused(
        "universe_count",
        "expand [date] with pivot_cols [asset_id] and value_cols [count]; expand [date, asset_id] or [date] with value_cols [count]",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn construction(mc: Value) -> Result<RiskModelSettings, String> {
        model_construction(mc.as_object(), "R").map_err(|e| e.message)
    }

    #[test]
    fn model_construction_maps_one_to_one_and_refuses_by_name() {
        // What the client sends for ModelConstructionSettings() is the engine's defaults.
        let defaults = json!({"currency": "USD", "weights": "SqrtCap", "estimation_universe": null, "return_clip_bounds": [-0.1, 0.1],
            "thin_category_shrinkage": {}, "thin_category_shrinkage_overrides": {}, "zero_sum_constraints": {}, "known_factor_map": {},
            "fx_convert_returns": true});
        assert_eq!(construction(defaults.clone()).unwrap(), RiskModelSettings::new("R"));
        let mut mc = defaults.clone();
        mc["return_clip_bounds"] = json!([null, 0.07]);
        mc["zero_sum_constraints"] = json!({"industry": "equal_weights", "region": "none"});
        mc["thin_category_shrinkage"] = json!({"industry": 3});
        let s = construction(mc).unwrap();
        assert_eq!(s.return_clip_bounds, (None, Some(0.07)));
        assert_eq!(s.zero_sum_constraints["industry"], ZeroSum::EqualWeights);
        assert_eq!(s.zero_sum_constraints["region"], ZeroSum::None);
        assert_eq!(s.thin_category_shrinkage["industry"], 3.0);

        let refused = |field: &str, value: Value| {
            let mut mc = defaults.clone();
            mc[field] = value;
            construction(mc).unwrap_err()
        };
        assert!(refused("weights", json!("Cap")).starts_with("weights \"Cap\" is not served"));
        assert!(refused("weights", json!("InvIdioVar")).starts_with("weights \"InvIdioVar\" is not served"));
        assert!(refused("currency", json!("EUR")).starts_with("currency \"EUR\" is not served"));
        assert!(refused("estimation_universe", json!({"id_type": "bayesid"})).starts_with("estimation_universe is not served"));
        assert!(refused("known_factor_map", json!({"style,Size": "SPX"})).starts_with("known_factor_map is not served"));
        assert!(refused("thin_category_shrinkage_overrides", json!({"x": 1})).starts_with("thin_category_shrinkage_overrides"));
        assert!(refused("zero_sum_constraints", json!({"industry": "sum"})).contains("expected \"none\""));
        assert!(refused("unknown", json!(1)).contains("'unknown' is not served"));
        // Numbers are bounded as the engine bounds them.
        assert!(refused("return_clip_bounds", json!([0.1, 0.2])).starts_with("return_clip_bounds"));
        assert!(refused("return_clip_bounds", json!(["a", 0.2])).starts_with("return_clip_bounds"));
        assert!(refused("return_clip_bounds", json!([-0.1])).starts_with("return_clip_bounds"));
        assert!(refused("thin_category_shrinkage", json!({"industry": 1e9})).starts_with("thin_category_shrinkage"));
        assert!(refused("thin_category_shrinkage", json!({"industry": -1})).starts_with("thin_category_shrinkage"));
    }

    #[test]
    fn model_names_are_derived_from_the_engine_settings() {
        let a = RiskModelSettings::new("R");
        assert_eq!(model_name(&a), model_name(&RiskModelSettings::new("R")));
        assert!(model_name(&a).starts_with("client-") && model_name(&a).len() == "client-".len() + 16);
        assert_ne!(model_name(&a), model_name(&RiskModelSettings::new("S")));
        let mut b = a.clone();
        b.return_clip_bounds = (None, None);
        assert_ne!(model_name(&a), model_name(&b));
    }
}
