//! A built risk dataset's data: its columns ([`Layout`]), its rows ([`Built`]) and the report
//! of its creation. Shared by the build, the file store and the readers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::settings::Role;
use crate::frame::StrColumn;

/// Marks "no industry / region" in a categorical column.
pub const NONE: u16 = u16::MAX;

/// A numeric factor column of a built dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct FactorColumn {
    /// What the factor's group is used as: market, style or other.
    pub role: Role,
    /// The factor group, as named in the uploaded exposures.
    pub group: String,
    /// The factor's name within its group.
    pub factor: String,
}

impl FactorColumn {
    /// `<role>.<group>.<factor>`, the column name in exposure frames.
    pub fn label(&self) -> String {
        format!("{}.{}.{}", self.role.name(), self.group, self.factor)
    }
}

/// A categorical role (industry or region): its group and factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Categories {
    /// The factor group mapped to the role, as named in the uploaded exposures.
    pub group: String,
    /// The group's factors (one per category), sorted by name; category codes index this list.
    pub factors: Vec<String>,
}

/// The columns of a built dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Layout {
    /// Market, style and other factors, in that order.
    pub numeric: Vec<FactorColumn>,
    /// The industry group and its categories; `None` when no source maps an industry group.
    pub industry: Option<Categories>,
    /// The region group and its categories; `None` when no source maps a region group.
    pub region: Option<Categories>,
}

/// A built risk dataset: one row per (date, asset), sorted by date then asset id.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub layout: Layout,
    pub date: Vec<i32>,
    /// Primary ids of the reference.
    pub asset: StrColumn,
    /// One vector per numeric column; NaN where there is no value.
    pub values: Vec<Vec<f32>>,
    /// Index into `layout.industry.factors`, or [`NONE`].
    pub industry: Vec<u16>,
    pub region: Vec<u16>,
}

impl Built {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// The rows in `rows`, as a dataset of their own (values of unread columns stay empty).
    pub fn slice(&self, rows: std::ops::Range<usize>) -> Built {
        let part = |v: &[u16]| if v.is_empty() { Vec::new() } else { v[rows.clone()].to_vec() };
        Built {
            layout: self.layout.clone(),
            date: self.date[rows.clone()].to_vec(),
            asset: StrColumn { codes: self.asset.codes[rows.clone()].to_vec(), dict: self.asset.dict.clone() },
            values: self.values.iter().map(|v| if v.is_empty() { Vec::new() } else { v[rows.clone()].to_vec() }).collect(),
            industry: part(&self.industry),
            region: part(&self.region),
        }
    }

    /// Appends `other`'s rows (same layout and columns read).
    pub fn append(&mut self, other: &Built) {
        self.date.extend_from_slice(&other.date);
        self.asset.append(&other.asset);
        self.values.iter_mut().zip(&other.values).for_each(|(a, b)| a.extend_from_slice(b));
        self.industry.extend_from_slice(&other.industry);
        self.region.extend_from_slice(&other.region);
    }
}

/// The exposure dataset version a risk dataset was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SourceVersion {
    /// The exposure dataset's name.
    pub dataset: String,
    /// The committed version of it that the build read.
    pub version: u32,
}

/// What creation did, stored with the dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CreationReport {
    /// Rows written: one per (date, asset) with exposures.
    pub rows: u64,
    /// Dates with at least one row.
    pub dates: u32,
    /// The first date with rows (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    /// The last date with rows (`YYYY-MM-DD`).
    pub last_date: Option<String>,
    /// Distinct assets with exposures in the dataset.
    pub assets: u32,
    /// Reference assets in the coverage universe (after exchange_codes and trim_assets).
    pub coverage_assets: u32,
    /// The sorted distinct exchanges (MICs) of the coverage universe.
    pub exchanges: Vec<String>,
    /// Distinct uploaded ids that match no reference asset, with a sample.
    pub unmatched_ids: u64,
    /// Up to 10 of those ids, in sorted order.
    pub unmatched_sample: Vec<String>,
    /// Matched assets left out because they are outside the coverage universe.
    pub outside_universe_assets: u32,
    /// Uploaded rows left out because their date is outside the trimmed range.
    pub rows_outside_dates: u64,
    /// Style values clipped by huberizing, per column label.
    pub clipped: BTreeMap<String, u64>,
    /// Style values filled, per column label.
    pub filled: BTreeMap<String, u64>,
    /// The exposure dataset versions read, one per uploaded source.
    pub sources: Vec<SourceVersion>,
    /// The reference dataset that provided the universe.
    pub reference_dataset: String,
    /// When the reference dataset used was created (to see when it is replaced).
    pub reference_created: String,
    /// What a user should know before trusting the dataset: a style without any value on a
    /// date, a small share of the coverage universe with exposures.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Per date (`YYYY-MM-DD`), a digest of its stored rows: a risk model updated after a rebuild
    /// re-estimates only from the first date whose digest changed (empty for builds made before).
    #[serde(default)]
    pub day_digests: BTreeMap<String, String>,
}
