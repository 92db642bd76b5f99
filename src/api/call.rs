//! [`Backend`] operations as values: a [`Call`] names one with its arguments and serializes
//! both ways, and [`Call::run`] performs it on any backend and serializes its reply. A server
//! carries calls over the wire this way, a remote client reads the replies back into the trait's
//! types, and the desktop app runs them through one command, so every end shares one definition
//! of each operation.
//!
//! That definition is one entry of the `calls!` list below: the variant with its arguments, its
//! reply type and the trait method performing it. The enum, [`Call::run`] (which checks that the
//! method returns the declared reply) and [`Call::signatures`] (each method's arguments and reply
//! as TypeScript types, for the app's generated bindings) all come from that list. Whether a call
//! writes and whether it is long are answered per variant in [`Call::writes`] and
//! [`Call::is_long`], exhaustive matches the compiler makes every new call answer.
//!
//! Only operations whose arguments and reply are plain data are calls: the ones that take paths
//! on the caller's machine (staging files, importing a reference folder, exporting) move files
//! and are carried otherwise, as are the ones that return tables (sent as Parquet).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS, TypeVisitor};

use super::{Backend, CheckRequest, Exchange, GroupValues, Page};
use crate::checks::CheckReport;
use crate::demo::DemoOptions;
use crate::portfolio::{Portfolio, PortfolioInfo, RiskReport, RiskRequest};
use crate::progress::Progress;
use crate::reference::ReferenceInfo;
use crate::riskdataset::grid::{GridInfo, GridRequest};
use crate::riskdataset::{CreationReport, Description, RiskDatasetInfo, RiskDatasetSettings, UpdateResult};
use crate::riskmodel::{DateFrame, FactorCovariance, ModelFrame, ModelImpact, RiskModelInfo, RiskModelSettings, SpecificRisk};
use crate::scan::FileStatus;
use crate::uploader::{
    CommitMode, CommitResult, DatasetInfo, DateReplacement, DateSummary, DetailRow, RevertResult, RowChanges, StagedSummary, StagingResult,
    VersionDiff, VersionInfo,
};
use crate::{Error, Result};

/// One operation as TypeScript sees it: what the app's generated bindings say of each method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The method's name on the wire (`describe_risk_dataset`).
    pub method: String,
    /// What the operation does (the variant's documentation).
    pub doc: String,
    /// Each argument's name and TypeScript type, in order.
    pub args: Vec<(&'static str, String)>,
    /// The reply's TypeScript type.
    pub reply: String,
}

/// Declares [`Call`] from one list of operations, each written
/// `Variant { arg: Type, … } -> Reply = |backend, progress| the call of the trait method;`.
macro_rules! calls {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident { $($arg:ident: $ty:ty),* $(,)? } -> $reply:ty = |$b:ident, $p:pat_param| $run:expr;
    )*) => {
        /// One backend operation with its arguments (`{"method": "commit", "args": {...}}`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "method", content = "args", rename_all = "snake_case")]
        pub enum Call {
            $(
                $(#[doc = $doc])*
                #[allow(missing_docs)]
                $variant { $($arg: $ty),* },
            )*
        }

        impl Call {
            /// The method's name on the wire (`describe_risk_dataset`).
            pub fn method(&self) -> String {
                match self {
                    $(Call::$variant { .. } => snake_case(stringify!($variant)),)*
                }
            }

            /// Performs the call on `backend`; its reply (the trait method's return value) as JSON.
            pub fn run(&self, backend: &dyn Backend, progress: &Progress<'_>) -> Result<serde_json::Value> {
                match self {
                    $(Call::$variant { $($arg),* } => {
                        let $b: &dyn Backend = backend;
                        let $p: &Progress<'_> = progress;
                        let reply: $reply = $run?;
                        json(reply)
                    })*
                }
            }

            /// Every operation's method name on the wire, in the order of the list.
            pub fn methods() -> Vec<String> {
                vec![$(snake_case(stringify!($variant))),*]
            }

            /// Every operation's method, documentation, arguments and reply as TypeScript types.
            pub fn signatures(cfg: &Config) -> Vec<Signature> {
                vec![$(Signature {
                    method: snake_case(stringify!($variant)),
                    doc: { let lines: &[&str] = &[$($doc),*]; lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n") },
                    args: vec![$((stringify!($arg), <$ty as TS>::name(cfg))),*],
                    reply: <$reply as TS>::name(cfg),
                }),*]
            }

            /// Visits the type of every argument and reply (to declare them in TypeScript).
            pub fn visit_types(visitor: &mut impl TypeVisitor) {
                $($(visitor.visit::<$ty>();)* visitor.visit::<$reply>();)*
            }
        }
    };
}

calls! {
    /// The exposure datasets, by name.
    Datasets {} -> Vec<DatasetInfo> = |b, _| b.datasets();
    /// The staged and committed names of a dataset (none for a dataset that does not exist yet).
    FileStatuses { dataset: String } -> HashMap<String, FileStatus> = |b, _| b.file_statuses(dataset);
    /// The results of every staged name.
    StagingResults { dataset: String } -> Vec<StagingResult> = |b, _| b.staging_results(dataset);
    /// Creates an empty exposure dataset; an existing one is left as it is.
    CreateDataset { dataset: String } -> () = |b, _| b.create_dataset(dataset);
    /// One row per staged name.
    StagingSummary { dataset: String } -> Vec<StagedSummary> = |b, _| b.staging_summary(dataset);
    /// The detail summary of the staging area: one row per staged name and date.
    StagingDetail { dataset: String } -> Vec<DetailRow> = |b, _| b.staging_detail(dataset);
    /// The staged values of one name on one date, by factor group.
    StagedDay { dataset: String, name: String, date: String } -> Vec<GroupValues> = |b, _| b.staged_day(dataset, name, date);
    /// The staged values of one factor on one date, by asset id.
    StagedFactor { dataset: String, date: String, group: String, factor: String } -> Vec<(String, f32)> =
        |b, _| b.staged_factor(dataset, date, group, factor);
    /// Removes staged names (all when `null`); returns what was removed.
    WipeStaging { dataset: String, names: Option<Vec<String>> } -> Vec<StagingResult> =
        |b, _| b.wipe_staging(dataset, names.as_deref());
    /// The committed dates a commit in `mode` would replace, before and after.
    CommitPreview { dataset: String, mode: CommitMode } -> Vec<DateReplacement> = |b, _| b.commit_preview(dataset, *mode);
    /// Commits staged names (all when `null`) with a mode into a new version.
    Commit { dataset: String, mode: CommitMode, names: Option<Vec<String>> } -> CommitResult =
        |b, p| b.commit(dataset, *mode, names.as_deref(), p);
    /// A new version whose data is that of version `to`.
    Revert { dataset: String, to: u32 } -> RevertResult = |b, _| b.revert(dataset, *to);
    /// Every version, oldest first.
    VersionHistory { dataset: String } -> Vec<VersionInfo> = |b, _| b.version_history(dataset);
    /// What changed from version `from` to version `to`.
    Diff { dataset: String, from: u32, to: u32 } -> VersionDiff = |b, _| b.diff(dataset, *from, *to);
    /// The changed rows from version `from` to `to`, `offset..offset + limit` of them.
    DiffRows { dataset: String, from: u32, to: u32, offset: usize, limit: usize } -> RowChanges =
        |b, _| b.diff_rows(dataset, *from, *to, *offset, *limit);
    /// One row per committed date of a version (the latest when `null`).
    DataSummary { dataset: String, version: Option<u32> } -> Vec<DateSummary> = |b, _| b.data_summary(dataset, *version);
    /// Statistics per committed date of a version (the latest when `null`).
    DataDetail { dataset: String, version: Option<u32> } -> Vec<DetailRow> = |b, _| b.data_detail(dataset, *version);
    /// The distinct factor groups of a version (the latest when `null`), sorted.
    FactorGroups { dataset: String, version: Option<u32> } -> Vec<String> = |b, _| b.factor_groups(dataset, *version);
    /// The sanity checks over the staging area or a committed version.
    Check { dataset: String, request: CheckRequest } -> CheckReport = |b, _| b.check(dataset, request);
    /// Deletes a dataset with every version and staged name.
    Destroy { dataset: String } -> () = |b, _| b.destroy(dataset);
    /// The reference datasets, by name.
    References {} -> Vec<ReferenceInfo> = |b, _| b.references();
    /// Builds the demo reference dataset matching demo exposures made with the same options.
    DemoReference { options: DemoOptions } -> ReferenceInfo = |b, _| b.demo_reference(options);
    /// Deletes a reference dataset.
    DeleteReference { name: String } -> () = |b, _| b.delete_reference(name);
    /// The exchanges of a reference dataset with their asset counts, by code.
    ReferenceExchanges { name: String } -> Vec<Exchange> = |b, _| b.reference_exchanges(name);
    /// Reference datasets and risk datasets, with their status.
    RiskDatasets {} -> Vec<RiskDatasetInfo> = |b, _| b.risk_datasets();
    /// Builds and stores a risk dataset; refuses an existing name unless `replace`.
    CreateRiskDataset { name: String, settings: RiskDatasetSettings, replace: bool } -> CreationReport =
        |b, p| b.create_risk_dataset(name, settings, *replace, p);
    /// A risk dataset's status, date range, universe menu and creation report.
    DescribeRiskDataset { name: String } -> Description = |b, _| b.describe_risk_dataset(name);
    /// Rebuilds a stale risk dataset from the newest versions of its sources.
    UpdateRiskDataset { name: String } -> UpdateResult = |b, p| b.update_risk_dataset(name, p);
    /// Deletes a risk dataset (a missing one is no error with `if_exists`); whether one was deleted.
    DeleteRiskDataset { name: String, if_exists: bool } -> bool = |b, _| b.delete_risk_dataset(name, *if_exists);
    /// Every risk model, with its status.
    RiskModels {} -> Vec<RiskModelInfo> = |b, _| b.risk_models();
    /// Estimates and stores a risk model; refuses an existing name unless `replace`.
    CreateRiskModel { name: String, settings: RiskModelSettings, replace: bool } -> RiskModelInfo =
        |b, p| b.create_risk_model(name, settings, *replace, p);
    /// A risk model's settings, report and status.
    DescribeRiskModel { name: String } -> RiskModelInfo = |b, _| b.describe_risk_model(name);
    /// Re-estimates a stale risk model from its risk dataset's current build.
    UpdateRiskModel { name: String } -> RiskModelInfo = |b, p| b.update_risk_model(name, p);
    /// Deletes a risk model (a missing one is no error with `if_exists`); whether one was deleted.
    DeleteRiskModel { name: String, if_exists: bool } -> bool = |b, _| b.delete_risk_model(name, *if_exists);
    /// A per-date frame of a risk model.
    RiskModelFrame { name: String, frame: ModelFrame } -> DateFrame = |b, _| b.risk_model_frame(name, *frame);
    /// A risk model's factor covariance at one of its dates.
    FactorCovariance { name: String, date: String } -> FactorCovariance = |b, _| b.factor_covariance(name, date);
    /// A risk model's specific variances at one of its dates.
    SpecificRisk { name: String, date: String } -> SpecificRisk = |b, _| b.specific_risk(name, date);
    /// A portfolio's risk on a risk model, one report per model date asked for.
    PortfolioRisk { request: RiskRequest } -> Vec<RiskReport> = |b, p| b.portfolio_risk(request, p);
    /// The portfolios saved in the home, by name.
    Portfolios {} -> Vec<PortfolioInfo> = |b, _| b.portfolios();
    /// Saves a portfolio's holdings by name; refuses an existing name unless `replace`.
    SavePortfolio { name: String, portfolio: Portfolio, replace: bool } -> PortfolioInfo =
        |b, _| b.save_portfolio(name, portfolio, *replace);
    /// Deletes a saved portfolio (a missing one is no error with `if_exists`); whether one was deleted.
    DeletePortfolio { name: String, if_exists: bool } -> bool = |b, _| b.delete_portfolio(name, *if_exists);
    /// What committing the data staged for a dataset would do to a risk model.
    ModelImpact { dataset: String, model: String } -> ModelImpact = |b, p| b.model_impact(dataset, model, p);
    /// Runs a data grid over a risk dataset's exposures and describes it.
    Grid { request: GridRequest } -> GridInfo = |b, p| b.grid(request, p);
    /// Rows `offset..offset + limit` of a grid, as text, with its total row count.
    GridRows { request: GridRequest, offset: usize, limit: usize } -> Page = |b, _| b.grid_rows(request, *offset, *limit);
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
            | Call::CreateRiskModel { .. }
            | Call::UpdateRiskModel { .. }
            | Call::SpecificRisk { .. }
            | Call::PortfolioRisk { .. }
            | Call::ModelImpact { .. }
            | Call::Grid { .. } => true,
            Call::Datasets { .. }
            | Call::FileStatuses { .. }
            | Call::StagingResults { .. }
            | Call::CreateDataset { .. }
            | Call::StagingSummary { .. }
            | Call::StagingDetail { .. }
            | Call::StagedDay { .. }
            | Call::StagedFactor { .. }
            | Call::WipeStaging { .. }
            | Call::Revert { .. }
            | Call::CommitPreview { .. }
            | Call::VersionHistory { .. }
            | Call::DataSummary { .. }
            | Call::DataDetail { .. }
            | Call::FactorGroups { .. }
            | Call::Destroy { .. }
            | Call::References { .. }
            | Call::DeleteReference { .. }
            | Call::ReferenceExchanges { .. }
            | Call::RiskDatasets { .. }
            | Call::DescribeRiskDataset { .. }
            | Call::DeleteRiskDataset { .. }
            | Call::RiskModels { .. }
            | Call::DescribeRiskModel { .. }
            | Call::DeleteRiskModel { .. }
            | Call::RiskModelFrame { .. }
            | Call::FactorCovariance { .. }
            | Call::Portfolios { .. }
            | Call::SavePortfolio { .. }
            | Call::DeletePortfolio { .. }
            | Call::GridRows { .. } => false,
        }
    }

    /// Whether the call changes the store (a server queues it behind its other writes; a remote
    /// client never sends it twice).
    pub fn writes(&self) -> bool {
        match self {
            Call::CreateDataset { .. }
            | Call::WipeStaging { .. }
            | Call::Commit { .. }
            | Call::Revert { .. }
            | Call::Destroy { .. }
            | Call::DemoReference { .. }
            | Call::DeleteReference { .. }
            | Call::CreateRiskDataset { .. }
            | Call::UpdateRiskDataset { .. }
            | Call::DeleteRiskDataset { .. }
            | Call::CreateRiskModel { .. }
            | Call::UpdateRiskModel { .. }
            | Call::DeleteRiskModel { .. }
            | Call::SavePortfolio { .. }
            | Call::DeletePortfolio { .. } => true,
            Call::Datasets { .. }
            | Call::FileStatuses { .. }
            | Call::StagingResults { .. }
            | Call::StagingSummary { .. }
            | Call::StagingDetail { .. }
            | Call::StagedDay { .. }
            | Call::StagedFactor { .. }
            | Call::CommitPreview { .. }
            | Call::VersionHistory { .. }
            | Call::Diff { .. }
            | Call::DiffRows { .. }
            | Call::DataSummary { .. }
            | Call::DataDetail { .. }
            | Call::FactorGroups { .. }
            | Call::Check { .. }
            | Call::References { .. }
            | Call::ReferenceExchanges { .. }
            | Call::RiskDatasets { .. }
            | Call::DescribeRiskDataset { .. }
            | Call::RiskModels { .. }
            | Call::DescribeRiskModel { .. }
            | Call::RiskModelFrame { .. }
            | Call::FactorCovariance { .. }
            | Call::SpecificRisk { .. }
            | Call::PortfolioRisk { .. }
            | Call::ModelImpact { .. }
            | Call::Portfolios { .. }
            | Call::Grid { .. }
            | Call::GridRows { .. } => false,
        }
    }
}

fn json<T: Serialize>(value: T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("cannot serialize a reply: {e}")))
}

/// A variant's name as serde's `rename_all = "snake_case"` writes it (`DescribeRiskDataset` →
/// `describe_risk_dataset`).
fn snake_case(variant: &str) -> String {
    let mut name = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.char_indices() {
        if i > 0 && c.is_uppercase() {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
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
        assert_eq!(call.method(), "commit");
        assert_eq!(serde_json::to_string(&Call::Datasets {}).unwrap(), r#"{"method":"datasets","args":{}}"#);
        assert!(call.is_long() && call.writes() && !Call::Datasets {}.writes());
    }

    #[test]
    fn every_signature_names_a_method_serde_knows() {
        let signatures = Call::signatures(&Config::new());
        assert_eq!(signatures.len(), 44);
        assert_eq!(signatures.iter().map(|s| s.method.clone()).collect::<Vec<_>>(), Call::methods());
        for s in &signatures {
            // Arguments of the wrong shape fail on a field, never on the method's name.
            let e = serde_json::from_value::<Call>(serde_json::json!({ "method": s.method, "args": 7 })).unwrap_err().to_string();
            assert!(!e.contains("unknown variant"), "{}: {e}", s.method);
            assert!(!s.doc.is_empty(), "{} has no documentation", s.method);
        }
        let describe = signatures.iter().find(|s| s.method == "describe_risk_dataset").unwrap();
        assert_eq!((describe.args.clone(), describe.reply.as_str()), (vec![("name", "string".to_owned())], "Description"));
        let e = serde_json::from_value::<Call>(serde_json::json!({ "method": "nope", "args": {} })).unwrap_err().to_string();
        assert!(e.contains("unknown variant"), "{e}");
    }
}
