//! `/v1/equity/dataset` and the settings registry's risk dataset calls: the name map, create,
//! update, describe, delete, and the identifiers, reads and menus the clients look up first.
//!
//! A served home is one team's space: every key's user sees every risk dataset. The current
//! client qualifies names with its user's e-mail (`tester@example.com/My-Risk-Dataset`), so the
//! name map lists user datasets under both names and every call accepts either.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json};
use riskdesk::Backend;
use riskdesk::riskdataset::{DatasetKind, RiskDatasetInfo, Status};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::User;
use crate::dialect::{self, Dialect};
use crate::request::Params;
use crate::tasks::Outcome;
use crate::{ApiError, AppState, Routes, menus};

pub(crate) fn routes() -> Routes {
    Routes::default()
        .route("/equity/dataset", get(names))
        .route("/equity/dataset/describe", get(list))
        .route("/equity/dataset/describe/{name}", get(describe))
        .route("/equity/dataset/create/{name}", post(create))
        .route("/equity/dataset/update/{name}", post(update))
        .route("/equity/dataset/{name}", axum::routing::delete(delete))
        .route("/settings", get(identifiers))
        .route("/settings/read", post(read))
        .route("/settings/available", get(available))
        // The notebook client's (0.5.0) registry calls.
        .route("/equity/settings/risk-dataset/settings", get(notebook_identifiers))
        .route("/equity/settings/exposure/available-settings", get(notebook_available))
}

/// A dataset name without its owner's qualification (`user@example.com/Name` → `Name`).
pub fn bare(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The platform's dataset status of an engine status.
pub(crate) fn status(s: Status) -> &'static str {
    match s {
        Status::Ready => "ready",
        Status::Stale => "data_stale",
    }
}

/// A stable integer id for a settings name (FNV-1a, 31 bits): the same on every call and server.
pub(crate) fn id_of(name: &str) -> u32 {
    let hash = name.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    hash & 0x7fff_ffff
}

/// `GET /v1/equity/dataset[?mode=All|System|User]`: the notebook client's `mode=All` gets a list
/// of names; otherwise a map of name to status, user datasets also under their qualified name.
async fn names(State(state): State<AppState>, Extension(User(email)): Extension<User>, params: Params) -> Result<Response, ApiError> {
    let all = state.run(|b| b.risk_datasets()).await?;
    let mode = params.last("mode");
    if mode.as_deref() == Some("All") {
        return Ok(Json(all.into_iter().map(|d| d.name).collect::<Vec<_>>()).into_response());
    }
    let wanted = |d: &RiskDatasetInfo| match mode.as_deref() {
        Some("System") => d.kind == DatasetKind::Reference,
        Some("User") => d.kind == DatasetKind::User,
        _ => true,
    };
    let mut map = BTreeMap::new();
    for d in all.into_iter().filter(wanted) {
        if d.kind == DatasetKind::User {
            map.insert(format!("{email}/{}", d.name), status(d.status));
        }
        map.insert(d.name, status(d.status));
    }
    Ok(Json(map).into_response())
}

/// `GET /v1/equity/dataset/describe[?name=]`: the platform's `RiskDatasetMetadata` list.
async fn list(State(state): State<AppState>, params: Params) -> Result<Json<Vec<Value>>, ApiError> {
    let name = params.last("name");
    let all = state.run(|b| b.risk_datasets()).await?;
    Ok(Json(all.iter().filter(|d| name.as_deref().is_none_or(|n| bare(n) == d.name)).map(metadata).collect()))
}

/// The platform's `RiskDatasetMetadata` of a dataset.
pub(crate) fn metadata(d: &RiskDatasetInfo) -> Value {
    let user = d.kind == DatasetKind::User;
    json!({
        "name": d.name, "status": status(d.status), "source": if user { "User" } else { "System" },
        "reference_dataset": d.reference_dataset, "cache_key": null, "latest_cache_key": null,
        "data_date": d.last_date, "last_updated_on": d.created,
        "settings_created_on": user.then_some(&d.created), "settings_last_updated_on": user.then_some(&d.created),
    })
}

/// `GET /v1/equity/dataset/describe/{name}`: the menus (`RiskDatasetProperties`, both shapes).
async fn describe(State(state): State<AppState>, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let name = bare(&name).to_owned();
    let d = state.run(move |b| b.describe_risk_dataset(&name)).await?;
    Ok(Json(menus::properties(&d)))
}

/// `POST /v1/equity/dataset/create/{name}`: a task building the dataset from settings in either
/// client's shape; its `json` result is `{dataset_name, settings}` in the shape sent. The body
/// is read whatever its Content-Type (the notebook's client sends none).
async fn create(State(state): State<AppState>, Path(name): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "ValueError",
            format!("the settings are not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    })?;
    let (settings, dialect) = dialect::read(value)?;
    let name = bare(&name).to_owned();
    riskdesk::names::check_name("risk dataset", &name)?;
    Ok(state.spawn_write_task(move |b, progress| {
        b.create_risk_dataset(&name, &settings, false, progress)?;
        Ok(Outcome::Json(json!({ "dataset_name": name, "settings": dialect::write(&settings, dialect) })))
    }))
}

/// `POST /v1/equity/dataset/update/{name}[?force=]`: a task rebuilding the dataset from the
/// newest versions of its sources (`{}` when done).
async fn update(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let name = bare(&name).to_owned();
    state.spawn_write_task(move |b, progress| {
        b.update_risk_dataset(&name, progress)?;
        Ok(Outcome::Json(json!({})))
    })
}

/// The platform's `RawSettings` of a risk dataset.
fn raw_settings(name: &str, settings: &riskdesk::riskdataset::RiskDatasetSettings, exists: bool) -> Value {
    json!({
        "model_type": "DerivedRiskDatasetSettings", "name": name, "identifier": id_of(name), "exists": exists,
        "raw_json": { "dataset": name, "setting": dialect::write(settings, Dialect::Current) }, "references": [], "extra": {},
    })
}

/// `DELETE /v1/equity/dataset/{name}`: deletes a risk dataset; answers its `RawSettings`.
async fn delete(State(state): State<AppState>, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let name = bare(&name).to_owned();
    let (name, settings) = state
        .write(move |b| {
            let d = b.describe_risk_dataset(&name)?;
            b.delete_risk_dataset(&name, false)?;
            Ok((name, d.settings))
        })
        .await?;
    Ok(Json(raw_settings(&name, &settings, false)))
}

/// Whether a settings type names risk dataset settings (the umbrella type or its variant).
fn risk_type(t: Option<&str>) -> bool {
    matches!(t, None | Some("" | "RiskDatasetSettings" | "DerivedRiskDatasetSettings"))
}

/// The user-built risk datasets.
async fn user_datasets(state: &AppState) -> Result<Vec<RiskDatasetInfo>, ApiError> {
    Ok(state.run(|b| b.risk_datasets()).await?.into_iter().filter(|d| d.kind == DatasetKind::User).collect())
}

/// `GET /v1/settings?which=all&settings_type=…`: the platform's `SettingsIdentifiers`; risk
/// datasets are the only settings stored here.
async fn identifiers(
    State(state): State<AppState>,
    Extension(User(email)): Extension<User>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let list = if risk_type(params.last("settings_type").as_deref()) { user_datasets(&state).await? } else { Vec::new() };
    let by_id = |f: &dyn Fn(&RiskDatasetInfo) -> Value| list.iter().map(|d| (id_of(&d.name).to_string(), f(d))).collect::<BTreeMap<_, _>>();
    Ok(Json(json!({
        "id_to_name": by_id(&|d| json!(d.name)),
        "name_to_id": list.iter().map(|d| (d.name.clone(), id_of(&d.name))).collect::<BTreeMap<_, _>>(),
        "id_to_type": by_id(&|_| json!("DerivedRiskDatasetSettings")),
        "id_to_user_email": by_id(&|_| json!(email)),
        "id_to_created_on": by_id(&|d| json!(d.created)),
        "id_to_last_updated_on": by_id(&|d| json!(d.created)),
    })))
}

#[derive(Deserialize)]
struct ReadBody {
    names_or_ids: Vec<Value>,
}

/// `POST /v1/settings/read {"names_or_ids": [...]}`: the platform's `SettingsTransferObject`s.
async fn read(State(state): State<AppState>, Extension(User(email)): Extension<User>, body: Bytes) -> Result<Json<Vec<Value>>, ApiError> {
    let body: ReadBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("the body must be {{\"names_or_ids\": [...]}}: {e}")))?;
    let list = user_datasets(&state).await?;
    let mut out = Vec::new();
    for wanted in body.names_or_ids {
        let found = list.iter().find(|d| match &wanted {
            Value::String(n) => bare(n) == d.name,
            Value::Number(n) => n.as_u64() == Some(u64::from(id_of(&d.name))),
            _ => false,
        });
        let Some(d) = found else {
            let (name, identifier) = match &wanted {
                Value::Number(n) => (Value::Null, json!(n)),
                other => (other.clone(), Value::Null),
            };
            out.push(
                json!({ "kind": "not_found", "name": name, "identifier": identifier, "issues": [format!("no risk dataset {wanted}")] }),
            );
            continue;
        };
        let name = d.name.clone();
        let settings = state.run(move |b| Ok(b.describe_risk_dataset(&name)?.settings)).await?;
        out.push(json!({
            "kind": "valid", "name": d.name, "identifier": id_of(&d.name), "value": dialect::write(&settings, Dialect::Current),
            "settings_type": "DerivedRiskDatasetSettings", "owner": email, "issues": [], "missing_refs": [],
            "created_on": d.created, "last_updated_on": d.created, "dataset": d.name, "description": null,
        }));
    }
    Ok(Json(out))
}

/// `GET /v1/settings/available?settings_type=…&dataset_name=…`: the menu a settings type is
/// validated against: exposures and universes of a risk dataset, or what risk datasets are
/// built from.
async fn available(State(state): State<AppState>, params: Params) -> Result<Json<Value>, ApiError> {
    let kind = params.last("settings_type").unwrap_or_default();
    if risk_type(Some(&kind)) {
        let (references, sources) = state
            .run(|b| {
                let refs: Vec<String> = b.references()?.into_iter().map(|r| r.name).collect();
                Ok((refs, b.datasets()?.into_iter().map(|d| d.name).collect::<Vec<_>>()))
            })
            .await?;
        return Ok(Json(json!({
            "available_reference_datasets": references, "available_exposures_sources": sources,
            "available_market_cap_sources": null, "available_price_sources": null, "available_exchange_dates_sources": null,
            "available_exchange_rates_sources": null, "available_series_sources": null, "available_idmap_sources": null,
            "available_hierarchy_sources": null,
        })));
    }
    let Some(dataset) = params.last("dataset_name") else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "ValueError", format!("{kind} menus need dataset_name")));
    };
    let name = bare(&dataset).to_owned();
    let d = state.run(move |b| b.describe_risk_dataset(&name)).await?;
    match kind.as_str() {
        "ExposureSettings" => Ok(Json(menus::exposure(&d))),
        "UniverseSettings" => Ok(Json(menus::universe(&d))),
        "FactorRiskModelSettings" => Ok(Json(crate::riskmodels::menu(&d))),
        "ModelConstructionSettings" => Ok(Json(json!({ "weights": crate::riskmodels::WEIGHTS }))),
        other => Err(ApiError::new(StatusCode::BAD_REQUEST, "KeyError", format!("no menu for settings type '{other}' here"))),
    }
}

/// `GET /v1/equity/settings/risk-dataset/settings`: the notebook client's `{name: id}` of the
/// user-built risk datasets.
async fn notebook_identifiers(State(state): State<AppState>) -> Result<Json<BTreeMap<String, u32>>, ApiError> {
    Ok(Json(user_datasets(&state).await?.into_iter().map(|d| (d.name.clone(), id_of(&d.name))).collect()))
}

/// `GET /v1/equity/settings/exposure/available-settings?dataset=…`: the notebook client's exposure menu.
async fn notebook_available(State(state): State<AppState>, params: Params) -> Result<Json<Value>, ApiError> {
    let name = bare(params.last("dataset").as_deref().unwrap_or_default()).to_owned();
    let d = state.run(move |b| b.describe_risk_dataset(&name)).await?;
    Ok(Json(menus::notebook_exposure(&d)))
}
