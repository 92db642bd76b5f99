//! [`RemoteBackend`]: the engine's [`Backend`] over a server's HTTP API, so that the CLI and the
//! desktop app work against a team's `riskdesk serve` exactly as on a home folder.
//!
//! Uploads and data reads speak the risk platform's API: daily files go up as annual ZIPs
//! (batched here, as `riskdesk batch` does) through `stage-file`, streamed with the bytes sent
//! reported, then the server's staging task is followed to its end; committed and staged rows
//! come back as Parquet. Everything else is one of the engine's [`Call`]s on Riskdesk's own
//! `/v1/riskdesk/call`, which a plain platform server lacks: [`RemoteBackend::connect`] says so
//! ([`ServerInfo::riskdesk`]), and such calls fail with the code `unsupported` and a sentence
//! instead of half-working (there, only reading committed data works).
//!
//! What a server answers is bounded: error bodies are read up to [`ERROR_BODY_LIMIT`], tasks are
//! followed within [`Deadlines`]; and a key about to cross the network unencrypted (`http://` to
//! another machine) is warned about on standard error, once per process.

mod http;
mod upload;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use reqwest::Method;
use riskdesk::api::{Call, CheckRequest, DataRequest, Exchange, GroupValues, Page};
use riskdesk::checks::CheckReport;
use riskdesk::demo::DemoOptions;
use riskdesk::portfolio::{Portfolio, PortfolioInfo, RiskReport, RiskRequest};
use riskdesk::reference::ReferenceInfo;
use riskdesk::riskdataset::grid::{GridInfo, GridRequest};
use riskdesk::riskdataset::{CreationReport, Description, ExposureQuery, RiskDatasetInfo, RiskDatasetSettings, UpdateResult};
use riskdesk::riskmodel::{DateFrame, FactorCovariance, ModelFrame, ModelImpact, RiskModelInfo, RiskModelSettings, SpecificRisk};
use riskdesk::scan::FileStatus;
use riskdesk::table::{Format, Table};
use riskdesk::uploader::{
    Column, CommitMode, CommitResult, DatasetInfo, DateReplacement, DateSummary, DetailRow, RevertResult, RowChanges, StagedSummary,
    StagingResult, VersionDiff, VersionInfo,
};
use riskdesk::{Backend, Progress, Result};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use http::remote_error;
pub use http::{Deadlines, ERROR_BODY_LIMIT};

/// What a server says about itself when connected to (also what the app's Connection screen shows).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ServerInfo {
    /// The server's address.
    pub endpoint: String,
    /// The platform client version it announces.
    pub client_version: String,
    /// Riskdesk's version when the server is a `riskdesk serve`, else `None` (a plain platform
    /// server: reading committed data works; Riskdesk's own calls, and showing staging results,
    /// do not).
    pub riskdesk: Option<String>,
    /// The e-mail address the API key belongs to.
    pub user: String,
}

/// The [`Backend`] of a server.
pub struct RemoteBackend {
    http: http::Http,
    info: ServerInfo,
}

const EXPOSURES: &str = "/v1/equity/uploaders/exposures";

/// A name as one URL path segment: everything but unreserved characters percent-encoded.
pub(crate) fn segment(name: &str) -> String {
    name.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

impl RemoteBackend {
    /// Connects to `endpoint` with `key`: the server must answer its version check and accept
    /// the key (its user is noted). Fails with `unreachable` or `unauthorized` otherwise.
    pub fn connect(endpoint: &str, key: &str) -> Result<RemoteBackend> {
        let http = http::Http::new(endpoint, key)?;
        let root: Value = http.send_idempotent(|| http.anonymous(Method::GET, "/"))?.json().map_err(|e| {
            remote_error("unsupported", format!("{} does not answer like a risk platform server: {}", http.endpoint, e.without_url()))
        })?;
        let who: Value = http.send_idempotent(|| http.request(Method::GET, "/v1/auth/users/whoami"))?.json().unwrap_or(Value::Null);
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let info = ServerInfo {
            endpoint: http.endpoint.clone(),
            client_version: text(&root["client_version"]).unwrap_or_default(),
            riskdesk: (root["name"] == "riskdesk").then(|| text(&root["version"]).unwrap_or_default()),
            user: text(&who["email"]).unwrap_or_default(),
        };
        Ok(RemoteBackend { http, info })
    }

    /// What the server said about itself.
    pub fn info(&self) -> &ServerInfo {
        &self.info
    }

    /// Follows the server's tasks within `deadlines` instead of the defaults ([`Deadlines::default`]).
    pub fn with_deadlines(mut self, deadlines: Deadlines) -> RemoteBackend {
        self.http.deadlines = deadlines;
        self
    }

    /// Runs one of the engine's calls on the server; its reply as the trait method's type.
    fn call<T: DeserializeOwned>(&self, call: Call, progress: &Progress<'_>) -> Result<T> {
        if self.info.riskdesk.is_none() {
            return Err(remote_error(
                "unsupported",
                format!("{} is a plain risk platform server: this needs a Riskdesk server (`riskdesk serve`)", self.info.endpoint),
            ));
        }
        let request = || self.http.request(Method::POST, "/v1/riskdesk/call").json(&call);
        let response = if call.writes() { self.http.send(request())? } else { self.http.send_idempotent(request)? };
        let response =
            if response.status() == reqwest::StatusCode::ACCEPTED { self.http.task(response, "json", progress)? } else { response };
        response
            .json()
            .map_err(|e| remote_error("server_error", format!("the server's reply does not read as expected: {}", e.without_url())))
    }

    fn quick<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        self.call(call, &Progress::none())
    }

    /// A Parquet reply as a table.
    fn table(response: reqwest::blocking::Response) -> Result<Table> {
        let bytes = response.bytes().map_err(|e| remote_error("unreachable", format!("the download broke off: {}", e.without_url())))?;
        Table::from_parquet(bytes)
    }
}

impl Backend for RemoteBackend {
    fn location(&self) -> String {
        self.info.endpoint.clone()
    }

    fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        self.quick(Call::Datasets {})
    }

    fn file_statuses(&self, dataset: &str) -> Result<HashMap<String, FileStatus>> {
        self.quick(Call::FileStatuses { dataset: dataset.into() })
    }

    fn stage(&self, dataset: &str, paths: &[PathBuf], replace: bool, progress: &Progress<'_>) -> Result<Vec<StagingResult>> {
        upload::stage(&self.http, dataset, paths, replace, progress)
    }

    fn staging_results(&self, dataset: &str) -> Result<Vec<StagingResult>> {
        self.quick(Call::StagingResults { dataset: dataset.into() })
    }

    fn create_dataset(&self, dataset: &str) -> Result<()> {
        self.quick(Call::CreateDataset { dataset: dataset.into() })
    }

    fn staging_summary(&self, dataset: &str) -> Result<Vec<StagedSummary>> {
        self.quick(Call::StagingSummary { dataset: dataset.into() })
    }

    fn staging_detail(&self, dataset: &str) -> Result<Vec<DetailRow>> {
        self.quick(Call::StagingDetail { dataset: dataset.into() })
    }

    fn staging_data(&self, dataset: &str, names: Option<&[String]>, columns: &[Column], unique: bool) -> Result<Vec<(String, Table)>> {
        let names: Vec<String> = match names {
            Some(n) => n.to_vec(),
            None => self.staging_results(dataset)?.into_iter().filter(|r| r.success).map(|r| r.name).collect(),
        };
        let mut out = Vec::new();
        for name in names {
            let mut query: Vec<(&str, String)> = vec![("names", name.clone()), ("unique", unique.to_string())];
            query.extend(columns.iter().map(|c| ("columns", c.name().to_owned())));
            let path = format!("{EXPOSURES}/{}/staging-data", segment(dataset));
            let accepted = self.http.send_idempotent(|| self.http.request(Method::GET, &path).query(&query))?;
            let mut table = Self::table(self.http.task(accepted, "dataframe", &Progress::none())?)?;
            // The platform's frame leads with the staged name.
            if table.names.first().is_some_and(|n| n == "_name") {
                table.names.remove(0);
                table.columns.remove(0);
            }
            out.push((name, table));
        }
        Ok(out)
    }

    fn staged_day(&self, dataset: &str, name: &str, date: &str) -> Result<Vec<GroupValues>> {
        self.quick(Call::StagedDay { dataset: dataset.into(), name: name.into(), date: date.into() })
    }

    fn staged_factor(&self, dataset: &str, date: &str, group: &str, factor: &str) -> Result<Vec<(String, f32)>> {
        self.quick(Call::StagedFactor { dataset: dataset.into(), date: date.into(), group: group.into(), factor: factor.into() })
    }

    fn wipe_staging(&self, dataset: &str, names: Option<&[String]>) -> Result<Vec<StagingResult>> {
        self.quick(Call::WipeStaging { dataset: dataset.into(), names: names.map(<[String]>::to_vec) })
    }

    fn commit_preview(&self, dataset: &str, mode: CommitMode) -> Result<Vec<DateReplacement>> {
        self.quick(Call::CommitPreview { dataset: dataset.into(), mode })
    }

    fn commit(&self, dataset: &str, mode: CommitMode, names: Option<&[String]>, progress: &Progress<'_>) -> Result<CommitResult> {
        self.call(Call::Commit { dataset: dataset.into(), mode, names: names.map(<[String]>::to_vec) }, progress)
    }

    fn version_history(&self, dataset: &str) -> Result<Vec<VersionInfo>> {
        self.quick(Call::VersionHistory { dataset: dataset.into() })
    }

    fn diff(&self, dataset: &str, from: u32, to: u32) -> Result<VersionDiff> {
        self.quick(Call::Diff { dataset: dataset.into(), from, to })
    }

    fn diff_rows(&self, dataset: &str, from: u32, to: u32, offset: usize, limit: usize) -> Result<RowChanges> {
        self.quick(Call::DiffRows { dataset: dataset.into(), from, to, offset, limit })
    }

    fn data_summary(&self, dataset: &str, version: Option<u32>) -> Result<Vec<DateSummary>> {
        self.quick(Call::DataSummary { dataset: dataset.into(), version })
    }

    fn data_detail(&self, dataset: &str, version: Option<u32>) -> Result<Vec<DetailRow>> {
        self.quick(Call::DataDetail { dataset: dataset.into(), version })
    }

    fn factor_groups(&self, dataset: &str, version: Option<u32>) -> Result<Vec<String>> {
        self.quick(Call::FactorGroups { dataset: dataset.into(), version })
    }

    fn check(&self, dataset: &str, request: &CheckRequest) -> Result<CheckReport> {
        self.quick(Call::Check { dataset: dataset.into(), request: request.clone() })
    }

    /// The platform's `get_data`: a task whose result is the rows as Parquet.
    fn data(&self, dataset: &str, request: &DataRequest, progress: &Progress<'_>) -> Result<Table> {
        let columns: Vec<&str> = request.columns.iter().map(|c| c.name()).collect();
        let filters: Vec<Vec<Value>> = request
            .filters
            .iter()
            .map(|g| g.iter().map(|f| json!({"column": f.column, "operator": f.operator, "value": f.value})).collect())
            .collect();
        let mut body = json!({ "columns": columns, "unique": request.unique });
        if !filters.is_empty() {
            body["filters"] = json!({ "filters": filters });
        }
        let path = format!("{EXPOSURES}/{}/data", segment(dataset));
        let version: Vec<(&str, u32)> = request.version.map(|v| ("version", v)).into_iter().collect();
        // A read, though a POST: retried like the other reads.
        let accepted = self.http.send_idempotent(|| self.http.request(Method::POST, &path).json(&body).query(&version))?;
        Self::table(self.http.task(accepted, "dataframe", progress)?)
    }

    fn revert(&self, dataset: &str, to: u32) -> Result<RevertResult> {
        self.quick(Call::Revert { dataset: dataset.into(), to })
    }

    fn destroy(&self, dataset: &str) -> Result<()> {
        self.quick(Call::Destroy { dataset: dataset.into() })
    }

    fn references(&self) -> Result<Vec<ReferenceInfo>> {
        self.quick(Call::References {})
    }

    fn import_reference(&self, name: &str, dir: &Path, id_type: &str, replace: bool, progress: &Progress<'_>) -> Result<ReferenceInfo> {
        upload::import_reference(&self.http, name, dir, id_type, replace, progress)
    }

    fn demo_reference(&self, options: &DemoOptions) -> Result<ReferenceInfo> {
        self.quick(Call::DemoReference { options: options.clone() })
    }

    fn delete_reference(&self, name: &str) -> Result<()> {
        self.quick(Call::DeleteReference { name: name.into() })
    }

    fn reference_exchanges(&self, name: &str) -> Result<Vec<Exchange>> {
        self.quick(Call::ReferenceExchanges { name: name.into() })
    }

    fn risk_datasets(&self) -> Result<Vec<RiskDatasetInfo>> {
        self.quick(Call::RiskDatasets {})
    }

    fn create_risk_dataset(
        &self,
        name: &str,
        settings: &RiskDatasetSettings,
        replace: bool,
        progress: &Progress<'_>,
    ) -> Result<CreationReport> {
        self.call(Call::CreateRiskDataset { name: name.into(), settings: settings.clone(), replace }, progress)
    }

    fn describe_risk_dataset(&self, name: &str) -> Result<Description> {
        self.quick(Call::DescribeRiskDataset { name: name.into() })
    }

    fn update_risk_dataset(&self, name: &str, progress: &Progress<'_>) -> Result<UpdateResult> {
        self.call(Call::UpdateRiskDataset { name: name.into() }, progress)
    }

    fn delete_risk_dataset(&self, name: &str, if_exists: bool) -> Result<bool> {
        self.quick(Call::DeleteRiskDataset { name: name.into(), if_exists })
    }

    fn risk_models(&self) -> Result<Vec<RiskModelInfo>> {
        self.quick(Call::RiskModels {})
    }

    fn create_risk_model(&self, name: &str, settings: &RiskModelSettings, replace: bool, progress: &Progress<'_>) -> Result<RiskModelInfo> {
        self.call(Call::CreateRiskModel { name: name.into(), settings: settings.clone(), replace }, progress)
    }

    fn describe_risk_model(&self, name: &str) -> Result<RiskModelInfo> {
        self.quick(Call::DescribeRiskModel { name: name.into() })
    }

    fn update_risk_model(&self, name: &str, progress: &Progress<'_>) -> Result<RiskModelInfo> {
        self.call(Call::UpdateRiskModel { name: name.into() }, progress)
    }

    fn delete_risk_model(&self, name: &str, if_exists: bool) -> Result<bool> {
        self.quick(Call::DeleteRiskModel { name: name.into(), if_exists })
    }

    fn risk_model_frame(&self, name: &str, frame: ModelFrame) -> Result<DateFrame> {
        self.quick(Call::RiskModelFrame { name: name.into(), frame })
    }

    fn factor_covariance(&self, name: &str, date: &str) -> Result<FactorCovariance> {
        self.quick(Call::FactorCovariance { name: name.into(), date: date.into() })
    }

    fn specific_risk(&self, name: &str, date: &str) -> Result<SpecificRisk> {
        self.call(Call::SpecificRisk { name: name.into(), date: date.into() }, &Progress::none())
    }

    fn model_impact(&self, dataset: &str, model: &str, progress: &Progress<'_>) -> Result<ModelImpact> {
        self.call(Call::ModelImpact { dataset: dataset.into(), model: model.into() }, progress)
    }

    fn portfolio_risk(&self, request: &RiskRequest, progress: &Progress<'_>) -> Result<Vec<RiskReport>> {
        self.call(Call::PortfolioRisk { request: request.clone() }, progress)
    }

    fn portfolios(&self) -> Result<Vec<PortfolioInfo>> {
        self.quick(Call::Portfolios {})
    }

    fn save_portfolio(&self, name: &str, portfolio: &Portfolio, replace: bool) -> Result<PortfolioInfo> {
        self.quick(Call::SavePortfolio { name: name.into(), portfolio: portfolio.clone(), replace })
    }

    fn delete_portfolio(&self, name: &str, if_exists: bool) -> Result<bool> {
        self.quick(Call::DeletePortfolio { name: name.into(), if_exists })
    }

    /// The wide exposures, downloaded as Parquet with the engine's column names.
    fn exposures(&self, dataset: &str, query: &ExposureQuery) -> Result<Table> {
        let body = json!({ "dataset": dataset, "query": query });
        let response = self.http.send_idempotent(|| self.http.request(Method::POST, "/v1/riskdesk/exposures").json(&body))?;
        Self::table(response)
    }

    fn grid(&self, request: &GridRequest, progress: &Progress<'_>) -> Result<GridInfo> {
        self.call(Call::Grid { request: request.clone() }, progress)
    }

    fn grid_rows(&self, request: &GridRequest, offset: usize, limit: usize) -> Result<Page> {
        self.quick(Call::GridRows { request: request.clone(), offset, limit })
    }

    fn export_exposures(
        &self,
        dataset: &str,
        query: &ExposureQuery,
        format: Format,
        path: &Path,
        progress: &Progress<'_>,
    ) -> Result<usize> {
        progress.report("export", 0, 2, format!("downloading the exposures from {}", self.info.endpoint));
        let table = self.exposures(dataset, query)?;
        progress.check()?;
        progress.report("export", 1, 2, format!("writing {} rows", table.rows()));
        table.save(format, path)?;
        progress.report("export", 2, 2, format!("wrote {}", path.display()));
        Ok(table.rows())
    }
}
