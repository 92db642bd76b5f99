//! `/v1/equity/uploaders`: the exposure uploader's datasets (list, create, existence through
//! their schema) and staging results. Only the `exposures` data type exists here.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use riskdesk::Backend;
use serde::{Deserialize, Serialize};

use axum::response::Response;

use crate::tasks::Outcome;
use crate::{ApiError, AppState};

/// The one data type this server uploads.
const EXPOSURES: &str = "exposures";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/equity/uploaders", get(data_types))
        .route("/equity/uploaders/{data_type}", get(datasets))
        .route("/equity/uploaders/{data_type}/{dataset}", axum::routing::post(create))
        .route("/equity/uploaders/{data_type}/{dataset}/schema", get(schema))
        .route("/equity/uploaders/{data_type}/{dataset}/staging-results", get(staging_results))
        .route("/equity/uploaders/{data_type}/{dataset}/staging-data-detail-summary", get(staging_detail_summary))
        .route("/equity/uploaders/{data_type}/{dataset}/commit", axum::routing::post(commit))
        .route("/equity/uploaders/{data_type}/{dataset}/data", axum::routing::post(data))
        // Uploads stream to disk, where `upload` enforces the server's upload limit as bytes
        // arrive; other bodies keep axum's default limit (2 MB).
        .route(
            "/equity/uploaders/{data_type}/{dataset}/stage-file",
            axum::routing::post(crate::upload::stage_file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}

/// The values of a repeated query key (`names=a&names=b`); empty values count as absent.
pub(crate) fn repeated(query: Option<&str>, key: &str) -> Vec<String> {
    query
        .map(|q| form_urlencoded::parse(q.as_bytes()).filter(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.into_owned()).collect())
        .unwrap_or_default()
}

pub(crate) fn exposures_only(data_type: &str) -> Result<(), ApiError> {
    if data_type == EXPOSURES {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "KeyError",
            format!("no uploader for '{data_type}': this server uploads exposures only"),
        ))
    }
}

/// `GET /v1/equity/uploaders`: the data types.
async fn data_types() -> Json<Vec<&'static str>> {
    Json(vec![EXPOSURES])
}

/// `GET /v1/equity/uploaders/exposures`: the exposure datasets' names.
async fn datasets(State(state): State<AppState>, Path(data_type): Path<String>) -> Result<Json<Vec<String>>, ApiError> {
    exposures_only(&data_type)?;
    let list = state.run(|b| b.datasets()).await?;
    Ok(Json(list.into_iter().map(|d| d.name).collect()))
}

/// `POST /v1/equity/uploaders/exposures/{dataset}`: creates an empty dataset (version 0).
async fn create(
    State(state): State<AppState>,
    Path((data_type, dataset)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    exposures_only(&data_type)?;
    let name = dataset.clone();
    state.run(move |b| b.create_dataset(&name)).await?;
    Ok(Json(serde_json::json!({ "name": dataset })))
}

#[derive(Deserialize)]
struct Which {
    which: Option<String>,
}

/// `GET …/{dataset}/schema?which=data|staging`: the columns and their polars dtypes (each a JSON
/// string holding a JSON string literal, as the client evaluates it). An unknown dataset is a
/// 400, which the client reads as "no such dataset".
async fn schema(
    State(state): State<AppState>,
    Path((data_type, dataset)): Path<(String, String)>,
    Query(which): Query<Which>,
) -> Result<Json<serde_json::Map<String, serde_json::Value>>, ApiError> {
    exposures_only(&data_type)?;
    let staging = match which.which.as_deref().filter(|w| !w.is_empty()) {
        None | Some("data") => false,
        Some("staging") => true,
        Some(other) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("which is data or staging, not '{other}'")));
        }
    };
    let name = dataset.clone();
    let known = state.run(move |b| Ok(b.datasets()?.iter().any(|d| d.name == name))).await?;
    if !known {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "KeyError", format!("Dataset '{dataset}' not found.")));
    }
    // The engine's stored schema, in its order; staging frames lead with the staged name.
    let stored = riskdesk::store::parts::schema();
    let stored = stored.fields().iter().map(|f| (f.name().as_str(), polars_dtype(f.data_type())));
    let columns = staging
        .then_some(("_name", "String"))
        .into_iter()
        .chain(stored)
        .map(|(c, t)| (c.to_owned(), serde_json::Value::String(format!("\"{t}\""))))
        .collect();
    Ok(Json(columns))
}

/// The polars dtype name of a stored Arrow type (strings are stored as dictionaries).
fn polars_dtype(t: &arrow_schema::DataType) -> &'static str {
    use arrow_schema::DataType;
    match t {
        DataType::Date32 => "Date",
        DataType::Float32 => "Float32",
        _ => "String",
    }
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
struct StagingResult {
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

/// `GET …/{dataset}/staging-results[?names=…]`: the staged entries by name.
async fn staging_results(
    State(state): State<AppState>,
    Path((data_type, dataset)): Path<(String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Json<BTreeMap<String, StagingResult>>, ApiError> {
    exposures_only(&data_type)?;
    let names = repeated(query.as_deref(), "names");
    let results = state.run(move |b| b.staging_results(&dataset)).await?;
    Ok(Json(
        results
            .into_iter()
            .filter(|r| names.is_empty() || names.contains(&r.name))
            .map(|r| (r.name.clone(), StagingResult::from(r)))
            .collect(),
    ))
}

/// `GET …/{dataset}/staging-data-detail-summary[?names=…]`: a task whose `dataframe` result is
/// one row per staged name and date (see [`crate::frames::detail_summary`]).
async fn staging_detail_summary(
    State(state): State<AppState>,
    Path((data_type, dataset)): Path<(String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    exposures_only(&data_type)?;
    let names = repeated(query.as_deref(), "names");
    Ok(state.spawn_task(move |b, _| {
        let rows: Vec<_> = b
            .staging_detail(&dataset)?
            .into_iter()
            .filter(|r| names.is_empty() || r.name.as_ref().is_some_and(|n| names.contains(n)))
            .collect();
        Ok(Outcome::Parquet(crate::frames::detail_summary(&rows)?.into()))
    }))
}

/// `POST …/{dataset}/commit?mode=…[&names=…]`: a task whose `json` result is the platform's
/// `UploadCommitResult` (`version`, `committed_names`).
async fn commit(
    State(state): State<AppState>,
    Path((data_type, dataset)): Path<(String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    exposures_only(&data_type)?;
    let mode = repeated(query.as_deref(), "mode").pop().unwrap_or_else(|| "append".to_owned());
    let mode = riskdesk::uploader::CommitMode::parse(&mode).map_err(|e| ApiError::from(e).kind("UploadError"))?;
    let names = repeated(query.as_deref(), "names");
    Ok(state.spawn_task(move |b, progress| {
        let names = (!names.is_empty()).then_some(names);
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

/// One query value as a number, with a message naming it when it is not one.
fn number<T: std::str::FromStr>(query: Option<&str>, key: &str) -> Result<Option<T>, ApiError> {
    match repeated(query, key).pop() {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("{key} must be a whole number here, not '{v}'"))),
    }
}

/// `POST …/{dataset}/data[?version=N][&head=N]`, body `{"columns": [...], "unique": bool}`: a
/// task whose `dataframe` result holds the committed rows (the latest version by default).
async fn data(
    State(state): State<AppState>,
    Path((data_type, dataset)): Path<(String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    body: Option<Json<DataBody>>,
) -> Result<Response, ApiError> {
    exposures_only(&data_type)?;
    let body = body.map(|Json(b)| b).unwrap_or(DataBody { columns: Vec::new(), unique: false, filters: None });
    if body.filters.as_ref().is_some_and(|f| !f.is_null()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "ValueError",
            "filters are not served yet: ask for the columns and filter the frame",
        ));
    }
    let version: Option<u32> = number(query.as_deref(), "version")?;
    let head: Option<usize> = number(query.as_deref(), "head")?;
    let columns = body.columns.iter().map(|c| riskdesk::uploader::Column::parse(c)).collect::<riskdesk::Result<Vec<_>>>()?;
    let request = riskdesk::api::DataRequest { columns, unique: body.unique, version };
    Ok(state.spawn_task(move |b, _| {
        let batch = b.data(&dataset, &request)?.to_batch()?;
        let batch = match head {
            Some(n) => batch.slice(0, n.min(batch.num_rows())),
            None => batch,
        };
        let mut bytes = Vec::new();
        riskdesk::store::parts::write_batches(&mut bytes, batch.schema(), &[batch])?;
        Ok(Outcome::Parquet(bytes.into()))
    }))
}
