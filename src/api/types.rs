//! Request and reply types of the [`Backend`](super::Backend) that have no home elsewhere in
//! the engine. All serialize both ways and have TypeScript twins (`ui/src/bindings.ts`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chart::Histogram;
use crate::checks::Thresholds;
use crate::uploader::Column;

/// The values of one factor on one staged day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactorValues {
    /// The factor's name within its group.
    pub factor: String,
    /// Its values that day, one per staged row (assets without a value have none here).
    pub values: Vec<f32>,
}

/// The values of one factor group on one staged day, factor by factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GroupValues {
    /// The factor group's name.
    pub group: String,
    /// Its factors with values that day, sorted by name.
    pub factors: Vec<FactorValues>,
}

impl GroupValues {
    /// Every value of the group, factor after factor.
    pub fn values(&self) -> Vec<f32> {
        self.factors.iter().flat_map(|f| f.values.iter().copied()).collect()
    }

    /// Whether every value is 0 or 1 (industries, regions, a market group of ones).
    pub fn is_categorical(&self) -> bool {
        self.factors.iter().all(|f| f.values.iter().all(|&v| v == 0.0 || v == 1.0))
    }
}

/// A chart of one staged day's values of one factor group: a histogram of its values (or of
/// one factor's), or, for a categorical group, the assets counted per factor.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DayHistogram {
    /// The factor groups of that day; `group` is the one drawn.
    pub groups: Vec<String>,
    /// The group drawn: the one asked for if the day has it, else the first whose name contains "style", else the first.
    pub group: String,
    /// The group's factors; `factor` is the one drawn (all pooled when `None`).
    pub factors: Vec<String>,
    /// The factor drawn; `None` when the group's factors are pooled or the group is categorical.
    pub factor: Option<String>,
    /// For a categorical group: the factor of each bar (most members first); empty otherwise.
    pub categories: Vec<String>,
    /// The chart: assets counted per factor for a categorical group, else a histogram of the values.
    pub histogram: Histogram,
}

/// An exchange of a reference dataset and how many of its assets list there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Exchange {
    /// The exchange's MIC code, as the reference lists it.
    pub code: String,
    /// How many of the reference's assets list there.
    pub assets: usize,
}

/// Which committed rows [`Backend::data`](super::Backend::data) returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DataRequest {
    /// The columns, in order; all six when empty.
    #[serde(default)]
    pub columns: Vec<Column>,
    /// Distinct rows only, sorted.
    #[serde(default)]
    pub unique: bool,
    /// A version; the latest when `None`.
    #[serde(default)]
    pub version: Option<u32>,
    /// Rows kept: those passing every filter of some group (all rows when empty).
    #[serde(default)]
    pub filters: Vec<Vec<crate::uploader::filter::Filter>>,
}

/// What [`Backend::check`](super::Backend::check) checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckRequest {
    /// The staging area (else a committed version).
    #[serde(default)]
    pub staging: bool,
    /// A committed version; the latest when `None`.
    #[serde(default)]
    pub version: Option<u32>,
    /// When the checks speak; the defaults for any threshold not given.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Only the checks that need no data read (instant; see [`crate::checks::CheckReport::quick`]).
    #[serde(default)]
    pub quick: bool,
}

/// One asset behind a finding: its value that date and the date before (when that explains it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AssetValue {
    /// The asset's id.
    pub asset: String,
    /// Its value of the finding's factor on the finding's date; `None` when it has none, or the finding has no factor.
    pub value: Option<f32>,
    /// Its value on `previous_date`; `None` when it has none there, or there is no `previous_date`.
    pub previous: Option<f32>,
}

/// The drill-down of a finding: the assets behind it with their values, and the day's histogram
/// of the factor with those assets' values marked.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Drill {
    /// The date before, when the finding compares with it.
    pub previous_date: Option<String>,
    /// The finding's assets (up to 20), in the finding's order, with their values.
    pub assets: Vec<AssetValue>,
    /// None for a finding without a factor.
    pub histogram: Option<Histogram>,
}
