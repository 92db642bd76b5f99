//! Risk datasets: a reference universe joined with uploaded exposures whose factor groups are
//! mapped to roles, with styles huberized and filled and dates trimmed. See [`build`] for the rules.

pub(crate) mod batches;
pub mod build;
pub(crate) mod built;
pub mod exposures;
pub mod grid;
pub mod settings;
pub(crate) mod store;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use built::{Categories, CreationReport, FactorColumn, Layout, SourceVersion};
pub use exposures::{ExposureQuery, Selection};
pub use settings::{ExposureSource, RiskDatasetSettings, Role, TrimAssets, TrimDate, UploadedExposures};

use crate::progress::Progress;
use crate::store::{Scope, objects};
use crate::{Error, Home, Result};

/// Whether a dataset in the risk dataset list is a reference dataset or one the user built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    /// A reference dataset: the asset universe that risk datasets are built on.
    Reference,
    /// A risk dataset built by the user from settings.
    User,
}

/// Whether a risk dataset reflects its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Built from the newest versions of its sources and the current reference.
    Ready,
    /// A source has a newer version, or the reference was replaced: `update` rebuilds it.
    Stale,
}

impl Status {
    fn of(stale_reason: &Option<String>) -> Status {
        if stale_reason.is_some() { Status::Stale } else { Status::Ready }
    }

    /// `ready` or `stale`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::Stale => "stale",
        }
    }
}

impl DatasetKind {
    /// `reference` or `user`.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::Reference => "reference",
            DatasetKind::User => "user",
        }
    }
}

/// A dataset usable as `reference_dataset`, or a risk dataset built by the user.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct RiskDatasetInfo {
    /// The name the dataset is stored under.
    pub name: String,
    /// Whether it is a reference dataset or a user's risk dataset.
    pub kind: DatasetKind,
    /// Whether it reflects its sources; always `ready` for a reference dataset.
    pub status: Status,
    /// Why it is stale.
    pub stale_reason: Option<String>,
    /// The reference dataset a risk dataset was built on; `None` for a reference dataset.
    pub reference_dataset: Option<String>,
    /// The first date (`YYYY-MM-DD`): with market caps for a reference dataset, with exposures
    /// for a risk dataset.
    pub first_date: Option<String>,
    /// The last date (`YYYY-MM-DD`): with market caps for a reference dataset, with exposures
    /// for a risk dataset.
    pub last_date: Option<String>,
    /// A reference dataset's assets, or a risk dataset's distinct assets with exposures.
    pub assets: u32,
    /// When it was stored (a risk dataset's last build), as an RFC 3339 UTC timestamp.
    pub created: String,
}

/// A menu's hierarchy: group → level → labels.
type Hierarchy = BTreeMap<String, BTreeMap<String, Vec<String>>>;
/// A menu's display names: group → label → name.
type HierarchyNames = BTreeMap<String, BTreeMap<String, String>>;

/// The seed's `universe_settings_menu`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct UniverseSettingsMenu {
    /// The reference's id types: the primary one first, then the alternative ones.
    pub id_types: Vec<String>,
    /// The sorted exchanges (MICs) of the coverage universe.
    pub exchanges: Vec<String>,
    /// Industry group → `ALL` → its `<group>.<factor>` labels; empty without an industry group.
    pub industry: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Region group → `ALL` → its `<group>.<factor>` labels; empty without a region group.
    pub region: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Industry group → label → display name: each label (and `ALL`) names itself.
    pub industry_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Region group → label → display name: each label (and `ALL`) names itself.
    pub region_labels: BTreeMap<String, BTreeMap<String, String>>,
}

/// What `describe` returns.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Description {
    /// The risk dataset's name.
    pub name: String,
    /// Whether it reflects its sources.
    pub status: Status,
    /// Why it is stale; `None` when it is ready.
    pub stale_reason: Option<String>,
    /// When it was last built, as an RFC 3339 UTC timestamp.
    pub created: String,
    /// The first date with exposures (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    /// The last date with exposures (`YYYY-MM-DD`).
    pub last_date: Option<String>,
    /// The settings it was built from.
    pub settings: RiskDatasetSettings,
    /// The choices of the seed's universe settings for it.
    pub universe_settings_menu: UniverseSettingsMenu,
    /// The built columns: market, style and other factors, industries and regions.
    pub layout: Layout,
    /// The creation report of its last build.
    pub report: CreationReport,
}

/// What `update` did.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct UpdateResult {
    /// The risk dataset's name.
    pub name: String,
    /// Whether it was rebuilt; `false` when it was not stale.
    pub updated: bool,
    /// The source versions it was built from before the update.
    pub previous_sources: Vec<SourceVersion>,
    /// The new build's report, or the stored one when it was not rebuilt.
    pub report: CreationReport,
}

impl Home {
    /// Why a risk dataset is stale, if it is: a newer committed source version, or a replaced reference.
    fn staleness(&self, report: &CreationReport) -> Result<Option<String>> {
        for s in &report.sources {
            let Ok(up) = self.uploader(&s.dataset) else {
                return Ok(Some(format!("exposure dataset '{}' no longer exists", s.dataset)));
            };
            let latest = up.resolve_version(None)?;
            if latest != s.version {
                return Ok(Some(format!("'{}' is at version {latest}; built from version {}", s.dataset, s.version)));
            }
        }
        match self.references()?.into_iter().find(|r| r.name == report.reference_dataset) {
            None => Ok(Some(format!("reference dataset '{}' no longer exists", report.reference_dataset))),
            Some(r) if r.created != report.reference_created => Ok(Some(format!("reference dataset '{}' was replaced", r.name))),
            Some(_) => Ok(None),
        }
    }

    /// Reference datasets (usable as `reference_dataset`) and risk datasets, by name.
    pub fn risk_datasets(&self) -> Result<Vec<RiskDatasetInfo>> {
        let mut out: Vec<RiskDatasetInfo> = self
            .references()?
            .into_iter()
            .map(|r| RiskDatasetInfo {
                name: r.name,
                kind: DatasetKind::Reference,
                status: Status::Ready,
                stale_reason: None,
                reference_dataset: None,
                first_date: r.first_date,
                last_date: r.last_date,
                assets: r.assets as u32,
                created: r.created,
            })
            .collect();
        for row in store::all(self.db())? {
            let stale = self.staleness(&row.report)?;
            out.push(RiskDatasetInfo {
                status: Status::of(&stale),
                stale_reason: stale,
                kind: DatasetKind::User,
                reference_dataset: Some(row.report.reference_dataset.clone()),
                first_date: row.report.first_date,
                last_date: row.report.last_date,
                assets: row.report.assets,
                created: row.created,
                name: row.name,
            });
        }
        Ok(out)
    }

    /// Builds and stores a risk dataset. Refuses an existing name unless `replace`.
    pub fn create_risk_dataset(
        &self,
        name: &str,
        settings: &RiskDatasetSettings,
        replace: bool,
        progress: &Progress<'_>,
    ) -> Result<CreationReport> {
        crate::names::check_name("risk dataset", name)?;
        let _lock = self.write_locks(&[Scope::RiskDataset(name.to_owned()), Scope::UsingReferences])?;
        if self.references()?.iter().any(|r| r.name == name) {
            return Err(Error::conflict(format!("'{name}' is a reference dataset; choose another name"), vec![]));
        }
        if !replace && store::get(self.db(), name)?.is_some() {
            return Err(Error::conflict(format!("risk dataset '{name}' already exists; delete it or create with replace"), vec![]));
        }
        self.build_and_store(name, settings, &HashMap::new(), progress)
    }

    fn build_and_store(
        &self,
        name: &str,
        settings: &RiskDatasetSettings,
        pinned: &HashMap<String, u32>,
        progress: &Progress<'_>,
    ) -> Result<CreationReport> {
        let file = objects::new_key(crate::store::home::RISK);
        let objects = self.objects();
        let built = build::build(self, settings, pinned, progress, &objects.create(&file)?, batches::DATES_PER_BATCH);
        let (layout, report) = built.and_then(|b| objects.publish(&file).map(|()| b)).inspect_err(|_| drop(objects.delete(&file)))?;
        let row = store::Row {
            name: name.to_owned(),
            settings: settings.clone(),
            layout,
            report: report.clone(),
            file,
            created: crate::date::now(),
        };
        let old = match progress.check().and_then(|()| store::put(self.db(), &row)) {
            Ok(old) => old,
            Err(e) => {
                let _ = objects.delete(&row.file);
                return Err(e);
            }
        };
        if let Some(old) = old {
            let _ = objects.delete(&old);
        }
        Ok(report)
    }

    /// Deletes a risk dataset; with `if_exists`, a missing one is not an error. Returns whether one was deleted.
    pub fn delete_risk_dataset(&self, name: &str, if_exists: bool) -> Result<bool> {
        let _lock = self.write_lock(Scope::RiskDataset(name.to_owned()))?;
        match crate::names::find(name, |n| store::delete(self.db(), n))? {
            Some(file) => {
                let _ = self.objects().delete(&file);
                Ok(true)
            }
            None if if_exists => Ok(false),
            None => Err(Error::not_found("risk dataset", name)),
        }
    }

    pub(crate) fn risk_row(&self, name: &str) -> Result<store::Row> {
        crate::names::find(name, |n| store::get(self.db(), n))?.ok_or_else(|| Error::not_found("risk dataset", name))
    }

    /// The stored file of a risk dataset: a new one each time it is built.
    pub(crate) fn risk_dataset_file(&self, name: &str) -> Result<String> {
        Ok(self.risk_row(name)?.file)
    }

    /// The seed's `describe()`: the universe settings menu, the report and the date range.
    pub fn describe_risk_dataset(&self, name: &str) -> Result<Description> {
        let row = self.risk_row(name)?;
        // Only its id types are described: the catalog knows them.
        let reference = &row.report.reference_dataset;
        let id_types = crate::store::catalog::reference(self.db(), reference)?
            .ok_or_else(|| Error::not_found("reference dataset", reference))?
            .id_types;
        let hierarchy = |c: &Option<Categories>| -> (Hierarchy, HierarchyNames) {
            let Some(c) = c else { return Default::default() };
            let labels: Vec<String> = c.factors.iter().map(|f| format!("{}.{f}", c.group)).collect();
            let mut names: BTreeMap<String, String> = labels.iter().map(|l| (l.clone(), l.clone())).collect();
            names.insert("ALL".into(), "ALL".into());
            (BTreeMap::from([(c.group.clone(), BTreeMap::from([("ALL".to_owned(), labels)]))]), BTreeMap::from([(c.group.clone(), names)]))
        };
        let (industry, industry_labels) = hierarchy(&row.layout.industry);
        let (region, region_labels) = hierarchy(&row.layout.region);
        let stale = self.staleness(&row.report)?;
        Ok(Description {
            name: row.name,
            status: Status::of(&stale),
            stale_reason: stale,
            created: row.created,
            first_date: row.report.first_date.clone(),
            last_date: row.report.last_date.clone(),
            settings: row.settings,
            universe_settings_menu: UniverseSettingsMenu {
                id_types,
                exchanges: row.report.exchanges.clone(),
                industry,
                region,
                industry_labels,
                region_labels,
            },
            layout: row.layout,
            report: row.report,
        })
    }

    /// Rebuilds a risk dataset from the newest committed versions of its sources (and the
    /// current reference). Does nothing when it is not stale.
    pub fn update_risk_dataset(&self, name: &str, progress: &Progress<'_>) -> Result<UpdateResult> {
        let _lock = self.write_locks(&[Scope::RiskDataset(name.to_owned()), Scope::UsingReferences])?;
        let row = self.risk_row(name)?;
        if self.staleness(&row.report)?.is_none() {
            return Ok(UpdateResult { name: row.name, updated: false, previous_sources: row.report.sources.clone(), report: row.report });
        }
        let report = self.build_and_store(name, &row.settings, &HashMap::new(), progress)?;
        Ok(UpdateResult { name: name.to_owned(), updated: true, previous_sources: row.report.sources, report })
    }
}
