//! Risk dataset settings, with the seed notebook's field names (JSON).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Everything a risk dataset is built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RiskDatasetSettings {
    /// The reference dataset that provides the universe.
    pub reference_dataset: String,
    /// The exposures to include.
    pub exposures: Vec<ExposureSource>,
    /// Keep only reference assets listed on these exchanges (MICs); all when absent.
    #[serde(default)]
    pub exchange_codes: Option<Vec<String>>,
    /// Which reference assets make up the coverage universe; `ccy_union` by default.
    #[serde(default)]
    pub trim_assets: TrimAssets,
    /// A rule (`none`, `earliest_start`, `latest_start`) or a date `YYYY-MM-DD`.
    #[serde(default = "earliest_start")]
    #[ts(type = "string")]
    pub trim_start_date: TrimDate,
    /// A rule (`none`, `earliest_end`, `latest_end`) or a date `YYYY-MM-DD`.
    #[serde(default = "latest_end")]
    #[ts(type = "string")]
    pub trim_end_date: TrimDate,
}

fn earliest_start() -> TrimDate {
    TrimDate::EarliestStart
}

fn latest_end() -> TrimDate {
    TrimDate::LatestEnd
}

fn yes() -> bool {
    true
}

/// One source of exposures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "exposure_type", rename_all = "snake_case")]
pub enum ExposureSource {
    /// Exposures uploaded to an exposure dataset, with their factor groups mapped to roles.
    Uploaded(UploadedExposures),
    /// Exposures copied from the reference dataset.
    Referenced {
        /// Whatever else was given with it, kept as is (the build refuses this source).
        #[serde(flatten)]
        rest: serde_json::Map<String, serde_json::Value>,
    },
}

/// `exposure_type: "uploaded"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct UploadedExposures {
    /// The exposure dataset.
    pub exposure_source: String,
    /// The factor group used as market factors, if any.
    #[serde(default)]
    pub market_factor_group: Option<String>,
    /// The factor group used as style factors, if any.
    #[serde(default)]
    pub style_factor_group: Option<String>,
    /// The factor group used as industries, if any: one factor with exposure 1 per asset and date.
    #[serde(default)]
    pub industry_factor_group: Option<String>,
    /// The factor group used as regions, if any: one factor with exposure 1 per asset and date.
    #[serde(default)]
    pub region_factor_group: Option<String>,
    /// The factor group kept as other factors, if any.
    #[serde(default)]
    pub other_factor_group: Option<String>,
    /// Fill missing style values with industry means (default true).
    #[serde(default = "yes")]
    pub style_factor_fill_miss: bool,
    /// Clip style values beyond median ± 3 × 1.4826 × MAD per date (default true).
    #[serde(default = "yes")]
    pub style_factor_huberize: bool,
}

impl UploadedExposures {
    /// (role, group) pairs that are set, in role order.
    pub(crate) fn roles(&self) -> Vec<(Role, &str)> {
        [
            (Role::Market, &self.market_factor_group),
            (Role::Style, &self.style_factor_group),
            (Role::Industry, &self.industry_factor_group),
            (Role::Region, &self.region_factor_group),
            (Role::Other, &self.other_factor_group),
        ]
        .into_iter()
        .filter_map(|(r, g)| g.as_deref().map(|g| (r, g)))
        .collect()
    }
}

/// What a factor group is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Market factors: numeric, kept as uploaded.
    Market,
    /// Style factors: numeric, huberized and filled at build as the settings say, standardized
    /// per date when read.
    Style,
    /// Industries: one category per asset and date.
    Industry,
    /// Regions: one category per asset and date.
    Region,
    /// Other factors: numeric, kept as uploaded.
    Other,
}

impl Role {
    /// The role's name, as used in column names (`style.style.Momentum`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Market => "market",
            Role::Style => "style",
            Role::Industry => "industry",
            Role::Region => "region",
            Role::Other => "other",
        }
    }
}

/// Which reference assets make up the coverage universe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TrimAssets {
    /// Every reference asset.
    None,
    /// Reference assets present anywhere in the uploaded exposures.
    AssetUnion,
    /// Reference assets whose currency is among the currencies of the uploaded assets.
    #[default]
    CcyUnion,
}

/// `trim_start_date` / `trim_end_date`: a rule or a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimDate {
    /// No bound on this side: every date of the sources.
    None,
    /// The earliest first date of any source.
    EarliestStart,
    /// The latest first date of the sources: from when every source has started.
    LatestStart,
    /// The earliest last date of the sources: until the first source ends.
    EarliestEnd,
    /// The latest last date of any source.
    LatestEnd,
    /// Days since the epoch.
    Date(i32),
}

impl TrimDate {
    fn name(self) -> String {
        match self {
            TrimDate::None => "none".into(),
            TrimDate::EarliestStart => "earliest_start".into(),
            TrimDate::LatestStart => "latest_start".into(),
            TrimDate::EarliestEnd => "earliest_end".into(),
            TrimDate::LatestEnd => "latest_end".into(),
            TrimDate::Date(d) => crate::date::format(d),
        }
    }

    fn parse(s: &str) -> Option<TrimDate> {
        Some(match s {
            "none" => TrimDate::None,
            "earliest_start" => TrimDate::EarliestStart,
            "latest_start" => TrimDate::LatestStart,
            "earliest_end" => TrimDate::EarliestEnd,
            "latest_end" => TrimDate::LatestEnd,
            _ => TrimDate::Date(crate::date::parse(s.as_bytes())?),
        })
    }
}

impl Serialize for TrimDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for TrimDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TrimDate::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a trim date (expected none, earliest_start, latest_start, earliest_end, latest_end or YYYY-MM-DD)"
            ))
        })
    }
}

impl RiskDatasetSettings {
    /// Reads settings from JSON, with an error naming what is wrong and where.
    pub fn from_json(text: &str, origin: &str) -> Result<Self> {
        let settings: Self = serde_json::from_str(text).map_err(|e| {
            Error::invalid(format!("{origin}: invalid risk dataset settings at line {}, column {}: {e}", e.line(), e.column()))
        })?;
        settings.check()?;
        Ok(settings)
    }

    /// Checks what can be checked without data.
    pub fn check(&self) -> Result<()> {
        if self.exposures.is_empty() {
            return Err(Error::invalid("the settings list no exposures"));
        }
        if matches!(self.trim_start_date, TrimDate::EarliestEnd | TrimDate::LatestEnd) {
            return Err(Error::invalid("trim_start_date must be none, earliest_start, latest_start or a date"));
        }
        if matches!(self.trim_end_date, TrimDate::EarliestStart | TrimDate::LatestStart) {
            return Err(Error::invalid("trim_end_date must be none, earliest_end, latest_end or a date"));
        }
        if let (TrimDate::Date(a), TrimDate::Date(b)) = (self.trim_start_date, self.trim_end_date)
            && a > b
        {
            return Err(Error::invalid(format!(
                "trim_start_date {} is after trim_end_date {}",
                crate::date::format(a),
                crate::date::format(b)
            )));
        }
        for source in &self.exposures {
            let ExposureSource::Uploaded(u) = source else { continue };
            let roles = u.roles();
            if roles.is_empty() {
                return Err(Error::invalid(format!("exposures from '{}' map no factor group to a role", u.exposure_source)));
            }
            for (i, (role, group)) in roles.iter().enumerate() {
                if let Some((other, _)) = roles[..i].iter().find(|(_, g)| g == group) {
                    return Err(Error::invalid(format!(
                        "factor group '{group}' of '{}' is given two roles: {} and {}",
                        u.exposure_source,
                        other.name(),
                        role.name()
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_settings_with_defaults() {
        let s = RiskDatasetSettings::from_json(
            r#"{"reference_dataset": "Demo-Global", "exposures": [{"exposure_type": "uploaded", "exposure_source": "My-Exposures",
                "market_factor_group": "market", "style_factor_group": "style", "industry_factor_group": "industry",
                "region_factor_group": "region", "style_factor_fill_miss": true}], "trim_start_date": "2025-05-01"}"#,
            "s.json",
        )
        .unwrap();
        assert_eq!(s.trim_start_date, TrimDate::Date(crate::date::parse(b"2025-05-01").unwrap()));
        assert_eq!((s.trim_end_date, s.trim_assets), (TrimDate::LatestEnd, TrimAssets::CcyUnion));
        let ExposureSource::Uploaded(u) = &s.exposures[0] else { panic!() };
        assert!(u.style_factor_huberize && u.style_factor_fill_miss);
        assert_eq!(u.roles().len(), 4);
        let round = serde_json::to_string(&s).unwrap();
        assert_eq!(RiskDatasetSettings::from_json(&round, "x").unwrap(), s);
    }

    #[test]
    fn refuses_bad_settings_clearly() {
        let bad = |json: &str| RiskDatasetSettings::from_json(json, "s.json").unwrap_err().to_string();
        assert!(bad(r#"{"reference_dataset": "R", "exposures": [], "bogus": 1}"#).contains("unknown field `bogus`"));
        assert!(bad(r#"{"reference_dataset": "R", "exposures": []}"#).contains("no exposures"));
        let two = r#"{"reference_dataset": "R", "exposures": [{"exposure_type": "uploaded", "exposure_source": "E", "style_factor_group": "g", "other_factor_group": "g"}]}"#;
        assert!(bad(two).contains("'g' of 'E' is given two roles: style and other"));
        assert!(bad(r#"{"reference_dataset": "R", "exposures": [], "trim_end_date": "2025-02-30"}"#).contains("not a trim date"));
    }
}
