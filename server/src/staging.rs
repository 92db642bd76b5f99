//! An uploader dataset's staging area over HTTP: results, summaries, staged rows, wiping and
//! validation (uploads themselves are in [`crate::upload`]). Prefix
//! `/v1/equity/uploaders/exposures/{dataset}`.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use riskdesk::Backend;
use riskdesk::api::CheckRequest;
use riskdesk::checks::Severity;
use riskdesk::uploader::Column;
use serde::Serialize;

use crate::request::{ExposureDataset, Params};
use crate::tasks::Outcome;
use crate::{ApiError, AppState, Routes, frames};

pub(crate) fn routes() -> Routes {
    let prefix = "/equity/uploaders/{data_type}/{dataset}";
    Routes::default()
        .route(&format!("{prefix}/staging-results"), get(staging_results))
        .route(&format!("{prefix}/staging"), axum::routing::delete(wipe))
        .route(&format!("{prefix}/staging-data-summary"), get(summary))
        .route(&format!("{prefix}/staging-data-detail-summary"), get(detail_summary))
        .route(&format!("{prefix}/staging-data"), get(data))
        .route(&format!("{prefix}/validate-staging-data"), get(validate))
}

/// One parser's part in a staging result.
#[derive(Serialize)]
struct ParserResult {
    parser: Option<String>,
    success: bool,
    messages: Vec<String>,
}

/// The platform's `UploadStagingResult` (its fields exactly: the client forbids others).
#[derive(Serialize)]
pub struct StagingResult {
    name: String,
    timestamp: String,
    success: bool,
    results: Vec<ParserResult>,
}

impl From<riskdesk::uploader::StagingResult> for StagingResult {
    fn from(r: riskdesk::uploader::StagingResult) -> Self {
        StagingResult {
            name: r.name,
            timestamp: r.timestamp,
            success: r.success,
            results: vec![ParserResult {
                parser: r.parser,
                success: r.success,
                messages: r.messages.iter().map(ToString::to_string).collect(),
            }],
        }
    }
}

fn by_name(results: Vec<riskdesk::uploader::StagingResult>) -> BTreeMap<String, StagingResult> {
    results.into_iter().map(|r| (r.name.clone(), StagingResult::from(r))).collect()
}

/// `GET …/staging-results[?names=…]`: the staged entries by name.
async fn staging_results(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
    params: Params,
) -> Result<Json<BTreeMap<String, StagingResult>>, ApiError> {
    let names = params.some("names");
    let results = state.run(move |b| b.staging_results(&dataset)).await?;
    Ok(Json(by_name(results.into_iter().filter(|r| names.as_ref().is_none_or(|n| n.contains(&r.name))).collect())))
}

/// `DELETE …/staging[?names=…]`: removes staged names (all when none); answers what it removed.
async fn wipe(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
    params: Params,
) -> Result<Json<BTreeMap<String, StagingResult>>, ApiError> {
    let names = params.some("names");
    let removed = state.write(move |b| b.wipe_staging(&dataset, names.as_deref())).await.map_err(|e| e.kind("UploadError"))?;
    Ok(Json(by_name(removed)))
}

/// `GET …/staging-data-summary[?names=…]`: a task whose `dataframe` result has one row per
/// staged name (`_name`, source, parser, n_rows, n_dates, min_date, max_date, n_assets,
/// factor_groups, n_factors).
async fn summary(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Response {
    let names = params.some("names");
    state.spawn_frame_task(move |b, _| {
        let rows: Vec<_> =
            b.staging_summary(&dataset)?.into_iter().filter(|r| names.as_ref().is_none_or(|n| n.contains(&r.name))).collect();
        Ok(vec![frames::staging_summary(&rows)?])
    })
}

/// `GET …/staging-data-detail-summary[?names=…]`: a task whose `dataframe` result is one row
/// per staged name and date (see [`frames::detail_summary`]).
async fn detail_summary(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Response {
    let names = params.some("names");
    state.spawn_frame_task(move |b, _| {
        let rows: Vec<_> = b
            .staging_detail(&dataset)?
            .into_iter()
            .filter(|r| names.as_ref().is_none_or(|n| r.name.as_ref().is_some_and(|x| n.contains(x))))
            .collect();
        Ok(vec![frames::detail_summary(&rows, true)?])
    })
}

/// `GET …/staging-data?unique=&columns=…&names=…`: a task whose `dataframe` result is the staged
/// rows, `_name` first, in the columns asked for (all six when none).
async fn data(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Result<Response, ApiError> {
    let names = params.some("names");
    let unique = params.flag("unique");
    let columns = params.all("columns").iter().map(|c| Column::parse(c)).collect::<riskdesk::Result<Vec<_>>>()?;
    Ok(state.spawn_frame_task(move |b, _| {
        let mut batches = Vec::new();
        for (name, table) in b.staging_data(&dataset, names.as_deref(), &columns, unique)? {
            let batch = table.to_batch()?;
            let named: arrow_array::ArrayRef = std::sync::Arc::new(arrow_array::StringArray::from(vec![name.as_str(); batch.num_rows()]));
            let schema = batch.schema();
            let mut cols = vec![("_name", named)];
            cols.extend(schema.fields().iter().map(|f| f.name().as_str()).zip(batch.columns().iter().cloned()));
            batches.push(frames::batch(cols)?);
        }
        if batches.is_empty() {
            // Nothing staged: an empty frame with the staged-name column.
            batches.push(frames::batch(vec![("_name", std::sync::Arc::new(arrow_array::StringArray::from(Vec::<String>::new())) as _)])?);
        }
        Ok(batches)
    }))
}

/// `GET …/validate-staging-data?short=&names=…`: a task running the sanity checks over the
/// staging area; its result is one frame per check that failed (none: 204), each row a
/// finding with the staged names holding its date in `_name` (comma-joined, or one row per
/// name when `short=true`).
async fn validate(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Result<Response, ApiError> {
    let names = params.some("names");
    let short = params.flag("short");
    Ok(state.spawn_task(move |b, _| {
        let report = b.check(&dataset, &CheckRequest { staging: true, ..CheckRequest::default() })?;
        let mut holding: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in b.staging_detail(&dataset)? {
            holding.entry(row.date).or_default().extend(row.name);
        }
        let mut by_check: BTreeMap<&str, (Vec<String>, Vec<&riskdesk::checks::Finding>)> = BTreeMap::new();
        for f in report.findings.iter().filter(|f| f.severity == Severity::Fail) {
            let on: Vec<&String> = holding.get(&f.date).map(|n| n.iter().collect()).unwrap_or_default();
            let on: Vec<&String> = on.into_iter().filter(|n| names.as_ref().is_none_or(|w| w.contains(n))).collect();
            if on.is_empty() && names.is_some() {
                continue;
            }
            let entry = by_check.entry(f.check.name()).or_default();
            if short {
                for n in on {
                    entry.0.push(n.clone());
                    entry.1.push(f);
                }
            } else {
                entry.0.push(on.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(","));
                entry.1.push(f);
            }
        }
        let frames = by_check
            .into_iter()
            .map(|(check, (names, findings))| Ok((check.to_owned(), frames::findings(&names, &findings)?)))
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(Outcome::Frames(frames))
    }))
}
