//! [`Backend`] operations as values: a [`Call`] names one with its arguments and serializes
//! both ways, and [`Call::run`] performs it on any backend and serializes its reply. A server
//! carries calls over the wire this way and a remote client reads the replies back into the
//! trait's types, so both ends share one definition of every operation.
//!
//! Only operations whose arguments and reply are plain data are calls: the ones that take paths
//! on the caller's machine (staging files, importing a reference folder, exporting) move files
//! and are carried otherwise, as are the ones that return tables (sent as Parquet).

use serde::{Deserialize, Serialize};

use super::{Backend, CheckRequest};
use crate::demo::DemoOptions;
use crate::progress::Progress;
use crate::riskdataset::RiskDatasetSettings;
use crate::riskdataset::grid::GridRequest;
use crate::uploader::CommitMode;
use crate::{Error, Result};

/// One backend operation with its arguments (`{"method": "commit", "args": {...}}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", content = "args", rename_all = "snake_case")]
pub enum Call {
    Datasets,
    FileStatuses { dataset: String },
    StagingResults { dataset: String },
    CreateDataset { dataset: String },
    StagingSummary { dataset: String },
    StagingDetail { dataset: String },
    StagedDay { dataset: String, name: String, date: String },
    StagedFactor { dataset: String, date: String, group: String, factor: String },
    WipeStaging { dataset: String, names: Option<Vec<String>> },
    CommitPreview { dataset: String, mode: CommitMode },
    Commit { dataset: String, mode: CommitMode, names: Option<Vec<String>> },
    VersionHistory { dataset: String },
    Diff { dataset: String, from: u32, to: u32 },
    DiffRows { dataset: String, from: u32, to: u32, offset: usize, limit: usize },
    DataSummary { dataset: String, version: Option<u32> },
    DataDetail { dataset: String, version: Option<u32> },
    FactorGroups { dataset: String, version: Option<u32> },
    Check { dataset: String, request: CheckRequest },
    Destroy { dataset: String },
    References,
    DemoReference { options: DemoOptions },
    DeleteReference { name: String },
    ReferenceExchanges { name: String },
    RiskDatasets,
    CreateRiskDataset { name: String, settings: RiskDatasetSettings, replace: bool },
    DescribeRiskDataset { name: String },
    UpdateRiskDataset { name: String },
    DeleteRiskDataset { name: String, if_exists: bool },
    Grid { request: GridRequest },
    GridRows { request: GridRequest, offset: usize, limit: usize },
}

fn json<T: Serialize>(value: T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("cannot serialize a reply: {e}")))
}

impl Call {
    /// Whether the call may take long enough to want progress and a cancel button.
    pub fn is_long(&self) -> bool {
        match self {
            Call::Check { request, .. } => !request.quick,
            Call::Commit { .. }
            | Call::Diff { .. }
            | Call::DiffRows { .. }
            | Call::DemoReference { .. }
            | Call::CreateRiskDataset { .. }
            | Call::UpdateRiskDataset { .. }
            | Call::Grid { .. } => true,
            _ => false,
        }
    }

    /// Whether the call changes the store.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Call::CreateDataset { .. }
                | Call::WipeStaging { .. }
                | Call::Commit { .. }
                | Call::Destroy { .. }
                | Call::DemoReference { .. }
                | Call::DeleteReference { .. }
                | Call::CreateRiskDataset { .. }
                | Call::UpdateRiskDataset { .. }
                | Call::DeleteRiskDataset { .. }
        )
    }

    /// Performs the call on `backend`; its reply as JSON (the trait method's return type).
    pub fn run(&self, b: &dyn Backend, progress: &Progress<'_>) -> Result<serde_json::Value> {
        match self {
            Call::Datasets => json(b.datasets()?),
            Call::FileStatuses { dataset } => json(b.file_statuses(dataset)?),
            Call::StagingResults { dataset } => json(b.staging_results(dataset)?),
            Call::CreateDataset { dataset } => json(b.create_dataset(dataset)?),
            Call::StagingSummary { dataset } => json(b.staging_summary(dataset)?),
            Call::StagingDetail { dataset } => json(b.staging_detail(dataset)?),
            Call::StagedDay { dataset, name, date } => json(b.staged_day(dataset, name, date)?),
            Call::StagedFactor { dataset, date, group, factor } => json(b.staged_factor(dataset, date, group, factor)?),
            Call::WipeStaging { dataset, names } => json(b.wipe_staging(dataset, names.as_deref())?),
            Call::CommitPreview { dataset, mode } => json(b.commit_preview(dataset, *mode)?),
            Call::Commit { dataset, mode, names } => json(b.commit(dataset, *mode, names.as_deref(), progress)?),
            Call::VersionHistory { dataset } => json(b.version_history(dataset)?),
            Call::Diff { dataset, from, to } => json(b.diff(dataset, *from, *to)?),
            Call::DiffRows { dataset, from, to, offset, limit } => json(b.diff_rows(dataset, *from, *to, *offset, *limit)?),
            Call::DataSummary { dataset, version } => json(b.data_summary(dataset, *version)?),
            Call::DataDetail { dataset, version } => json(b.data_detail(dataset, *version)?),
            Call::FactorGroups { dataset, version } => json(b.factor_groups(dataset, *version)?),
            Call::Check { dataset, request } => json(b.check(dataset, request)?),
            Call::Destroy { dataset } => json(b.destroy(dataset)?),
            Call::References => json(b.references()?),
            Call::DemoReference { options } => json(b.demo_reference(options)?),
            Call::DeleteReference { name } => json(b.delete_reference(name)?),
            Call::ReferenceExchanges { name } => json(b.reference_exchanges(name)?),
            Call::RiskDatasets => json(b.risk_datasets()?),
            Call::CreateRiskDataset { name, settings, replace } => json(b.create_risk_dataset(name, settings, *replace, progress)?),
            Call::DescribeRiskDataset { name } => json(b.describe_risk_dataset(name)?),
            Call::UpdateRiskDataset { name } => json(b.update_risk_dataset(name, progress)?),
            Call::DeleteRiskDataset { name, if_exists } => json(b.delete_risk_dataset(name, *if_exists)?),
            Call::Grid { request } => json(b.grid(request, progress)?),
            Call::GridRows { request, offset, limit } => json(b.grid_rows(request, *offset, *limit)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_travel_as_method_and_args() {
        let call = Call::Commit { dataset: "E".into(), mode: CommitMode::Upsert, names: None };
        let text = serde_json::to_string(&call).unwrap();
        assert_eq!(text, r#"{"method":"commit","args":{"dataset":"E","mode":"upsert","names":null}}"#);
        assert_eq!(serde_json::from_str::<Call>(&text).unwrap(), call);
        assert_eq!(serde_json::to_string(&Call::Datasets).unwrap(), r#"{"method":"datasets"}"#);
        assert!(call.is_long() && call.writes() && !Call::Datasets.writes());
    }
}
