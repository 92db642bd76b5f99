//! `/v1/equity/uploaders`: the exposure uploader's datasets (list, create, existence through
//! their schema) and staging results. Only the `exposures` data type exists here.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use riskdesk::Backend;
use riskdesk::uploader::filter::Filter;
use serde::Deserialize;

use crate::request::{EXPOSURES, ExposureDataset, ExposuresType, Params};
use crate::tasks::Outcome;
use crate::{ApiError, AppState, Routes, frames};

pub(crate) fn routes() -> Routes {
    Routes::default()
        .route("/equity/uploaders", get(data_types))
        .route("/equity/uploaders/freshness", get(freshness))
        .route("/equity/uploaders/{data_type}", get(datasets))
        .route("/equity/uploaders/{data_type}/{dataset}", axum::routing::post(create).delete(destroy))
        .route("/equity/uploaders/{data_type}/{dataset}/schema", get(schema))
        .route("/equity/uploaders/{data_type}/{dataset}/summary-schema", get(summary_schema))
        .route("/equity/uploaders/{data_type}/{dataset}/detail-summary-schema", get(detail_summary_schema))
        .route("/equity/uploaders/{data_type}/{dataset}/summary", get(summary))
        .route("/equity/uploaders/{data_type}/{dataset}/detail-summary", get(detail_summary))
        .route("/equity/uploaders/{data_type}/{dataset}/version-history", get(version_history))
        .route("/equity/uploaders/{data_type}/{dataset}/commit-modes", get(commit_modes))
        .route("/equity/uploaders/{data_type}/{dataset}/commit", axum::routing::post(commit))
        .route("/equity/uploaders/{data_type}/{dataset}/data", axum::routing::post(data))
        // Uploads stream to disk, where `upload` enforces the server's upload limit as bytes
        // arrive; other bodies keep axum's default limit (2 MB).
        .route(
            "/equity/uploaders/{data_type}/{dataset}/stage-file",
            axum::routing::post(crate::upload::stage_file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}

/// `GET /v1/equity/uploaders`: the data types.
async fn data_types() -> Json<Vec<&'static str>> {
    Json(vec![EXPOSURES])
}

/// `GET /v1/equity/uploaders/exposures`: the exposure datasets' names.
async fn datasets(State(state): State<AppState>, _: ExposuresType) -> Result<Json<Vec<String>>, ApiError> {
    let list = state.run(|b| b.datasets()).await?;
    Ok(Json(list.into_iter().map(|d| d.name).collect()))
}

/// `POST /v1/equity/uploaders/exposures/{dataset}`: creates an empty dataset (version 0).
async fn create(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset) -> Result<Json<serde_json::Value>, ApiError> {
    let name = dataset.clone();
    state.write(move |b| b.create_dataset(&name)).await?;
    Ok(Json(serde_json::json!({ "name": dataset })))
}

/// Whether a schema call's `which` means the staging frames (else the committed data's).
fn staging(params: &Params) -> Result<bool, ApiError> {
    match params.last("which").as_deref() {
        None | Some("data") => Ok(false),
        Some("staging") => Ok(true),
        Some(other) => Err(ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("which is data or staging, not '{other}'"))),
    }
}

type Dtypes = Json<serde_json::Map<String, serde_json::Value>>;

/// `GET …/summary-schema?which=data|staging`: the columns of the summary frames.
async fn summary_schema(_: ExposureDataset, params: Params) -> Result<Dtypes, ApiError> {
    let frame = if staging(&params)? { frames::staging_summary(&[])? } else { frames::data_summary(0, &[])? };
    Ok(Json(frames::dtypes(&frame.schema())))
}

/// `GET …/detail-summary-schema?which=data|staging`: the columns of the detail summary frames.
async fn detail_summary_schema(_: ExposureDataset, params: Params) -> Result<Dtypes, ApiError> {
    Ok(Json(frames::dtypes(&frames::detail_summary(&[], staging(&params)?)?.schema())))
}

/// A `version` query value: a number, or a moment (`2026-11-30 12:03:47.788596+00:00`, as the
/// client sends a datetime) meaning the newest version committed by then.
fn version_at(b: &riskdesk::LocalBackend, dataset: &str, raw: Option<String>) -> Result<Option<u32>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    if let Ok(n) = raw.trim().parse::<u32>() {
        return Ok(Some(n));
    }
    let moment = |s: &str| chrono::DateTime::parse_from_rfc3339(&s.trim().replacen(' ', "T", 1)).ok();
    let at = moment(&raw).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("version must be a number or a date and time, not '{raw}'"))
    })?;
    b.version_history(dataset)?
        .iter()
        .filter(|v| moment(&v.created).is_some_and(|c| c <= at))
        .map(|v| v.version)
        .next_back()
        .map(Some)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "KeyError", format!("'{dataset}' has no version committed by {raw}")))
}

/// `GET …/summary[?version=]`: a task whose `dataframe` result is one row summing a version up.
async fn summary(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Response {
    let raw = params.last("version");
    state.spawn_frame_task(move |b, _| {
        let version = match version_at(b, &dataset, raw)? {
            Some(v) => v,
            None => b.version_history(&dataset)?.last().map_or(0, |v| v.version),
        };
        let rows = b.data_summary(&dataset, Some(version))?;
        Ok(vec![frames::data_summary(version, &rows)?])
    })
}

/// `GET …/detail-summary[?version=]`: a task whose `dataframe` result has one row per date of
/// a version (the staging detail summary's columns without `_name`).
async fn detail_summary(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Response {
    let raw = params.last("version");
    state.spawn_frame_task(move |b, _| {
        let version = version_at(b, &dataset, raw)?;
        let rows = b.data_detail(&dataset, version)?;
        Ok(vec![frames::detail_summary(&rows, false)?])
    })
}

/// `GET …/version-history`: `{version: commit time}`, version 0 being the dataset's creation.
async fn version_history(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
) -> Result<Json<BTreeMap<u32, String>>, ApiError> {
    let (created, history) = state
        .run(move |b| {
            let created = b.datasets()?.into_iter().find(|d| d.name == dataset).map(|d| d.created);
            let created = created.ok_or_else(|| riskdesk::Error::not_found("dataset", &dataset))?;
            Ok((created, b.version_history(&dataset)?))
        })
        .await?;
    let mut versions: BTreeMap<u32, String> = history.into_iter().map(|v| (v.version, v.created)).collect();
    versions.entry(0).or_insert(created);
    Ok(Json(versions))
}

/// `GET …/commit-modes`: `{mode: what it does}`.
async fn commit_modes(_: ExposureDataset) -> Json<BTreeMap<&'static str, &'static str>> {
    Json(riskdesk::uploader::CommitMode::ALL.iter().map(|m| (m.name(), m.description())).collect())
}

/// `DELETE /v1/equity/uploaders/exposures/{dataset}`: deletes the dataset, every version and
/// staged name.
async fn destroy(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset) -> Result<Json<serde_json::Value>, ApiError> {
    state.write(move |b| b.destroy(&dataset)).await?;
    Ok(Json(serde_json::json!({})))
}

/// `GET /v1/equity/uploaders/freshness`: when exposures were last committed.
async fn freshness(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let last = state
        .run(|b| {
            let mut last: Option<String> = None;
            for d in b.datasets()? {
                let newest = b.version_history(&d.name)?.into_iter().filter(|v| v.version > 0).map(|v| v.created).max();
                last = last.max(newest);
            }
            Ok(last)
        })
        .await?;
    Ok(Json(serde_json::json!([{ "data_type": EXPOSURES, "last_committed_at": last }])))
}

/// `GET …/{dataset}/schema?which=data|staging`: the columns and their polars dtypes (each a JSON
/// string holding a JSON string literal, as the client evaluates it). An unknown dataset is a
/// 400, which the client reads as "no such dataset".
async fn schema(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
    params: Params,
) -> Result<Json<serde_json::Map<String, serde_json::Value>>, ApiError> {
    let staged = staging(&params)?;
    let name = dataset.clone();
    let known = state.run(move |b| Ok(b.datasets()?.iter().any(|d| d.name == name))).await?;
    if !known {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "KeyError",
            format!("Dataset '{}' not found.", riskdesk::names::shown(&dataset)),
        ));
    }
    // The engine's stored schema, in its order; staging frames lead with the staged name.
    let mut columns = serde_json::Map::new();
    if staged {
        columns.insert("_name".into(), serde_json::Value::String("\"String\"".into()));
    }
    columns.extend(frames::dtypes(&riskdesk::uploader::schema()));
    Ok(Json(columns))
}

/// `POST …/{dataset}/commit?mode=…[&names=…]`: a task whose `json` result is the platform's
/// `UploadCommitResult` (`version`, `committed_names`).
async fn commit(State(state): State<AppState>, ExposureDataset(dataset): ExposureDataset, params: Params) -> Result<Response, ApiError> {
    let mode = params.last("mode").unwrap_or_else(|| "append".to_owned());
    let mode = riskdesk::uploader::CommitMode::parse(&mode).map_err(|e| ApiError::from(e).kind("UploadError"))?;
    let names = params.some("names");
    Ok(state.spawn_write_task(move |b, progress| {
        let done = b.commit(&dataset, mode, names.as_deref(), progress).map_err(|e| ApiError::from(e).kind("UploadError"))?;
        Ok(Outcome::Json(serde_json::json!({ "version": done.version, "committed_names": done.committed_names })))
    }))
}

/// The body of a data call.
#[derive(Deserialize)]
struct DataBody {
    #[serde(default)]
    columns: Vec<String>,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    filters: Option<serde_json::Value>,
}

/// The platform's filters (`{"filters": [...]}`: a list of filters is one AND group, a list of
/// lists is an OR of AND groups) as the engine's groups, checked as the engine will run them
/// (bounded, each column, operator and value typed: `filter::compile`) before any task starts.
fn dnf(filters: Option<serde_json::Value>) -> Result<Vec<Vec<Filter>>, ApiError> {
    let bad = |e: String| ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("filters: {e}"));
    let list = match filters {
        None | Some(serde_json::Value::Null) => return Ok(Vec::new()),
        Some(serde_json::Value::Object(mut m)) => m.remove("filters").unwrap_or_default(),
        Some(other) => other,
    };
    let serde_json::Value::Array(items) = list else {
        return Err(bad(format!("expected a list, not {}", riskdesk::names::shown(&list.to_string()))));
    };
    let groups = if items.iter().all(serde_json::Value::is_array) {
        items.into_iter().map(|g| serde_json::from_value(g).map_err(|e| bad(e.to_string()))).collect::<Result<Vec<_>, _>>()?
    } else if items.iter().any(serde_json::Value::is_array) {
        return Err(bad("mixes single filters and groups of filters; use one or the other".into()));
    } else {
        vec![serde_json::from_value(serde_json::Value::Array(items)).map_err(|e| bad(e.to_string()))?]
    };
    riskdesk::uploader::filter::compile(&groups)?;
    Ok(groups)
}

/// `POST …/{dataset}/data[?version=N or a moment][&head=N]`, body `{"columns": [...], "unique": bool}`: a
/// task whose `dataframe` result holds the committed rows (the latest version by default).
async fn data(
    State(state): State<AppState>,
    ExposureDataset(dataset): ExposureDataset,
    params: Params,
    body: Option<Json<DataBody>>,
) -> Result<Response, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or(DataBody { columns: Vec::new(), unique: false, filters: None });
    let filters = dnf(body.filters)?;
    let raw_version = params.last("version");
    let head: Option<usize> = params.number("head")?;
    let columns = body.columns.iter().map(|c| riskdesk::uploader::Column::parse(c)).collect::<riskdesk::Result<Vec<_>>>()?;
    Ok(state.spawn_frame_task(move |b, progress| {
        // A version number, or a moment: the newest version committed by then.
        let version = version_at(b, &dataset, raw_version)?;
        let request = riskdesk::api::DataRequest { columns, unique: body.unique, version, filters };
        let batch = b.data(&dataset, &request, progress)?.to_batch()?;
        let batch = match head {
            Some(n) => batch.slice(0, n.min(batch.num_rows())),
            None => batch,
        };
        Ok(vec![batch])
    }))
}
