//! Riskdesk's own calls under `/v1/riskdesk`, beside the platform's API, for Riskdesk's remote
//! client (the app and the CLI working against a server): every [`Call`] of the engine's API
//! (`POST /v1/riskdesk/call`, a task when the call is long), exposures as Parquet with the
//! engine's column names, and a reference folder uploaded for import. A plain platform server
//! has none of these; the remote client says so instead of failing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use riskdesk::Backend;
use riskdesk::api::Call;
use riskdesk::riskdataset::ExposureQuery;
use serde::Deserialize;

use crate::reports::{Accessor, shared_frame};
use crate::request::Params;
use crate::tasks::Outcome;
use crate::{ApiError, AppState, Routes};

pub(crate) fn routes() -> Routes {
    Routes::default()
        .route("/riskdesk/call", post(call))
        .route("/riskdesk/exposures", post(exposures))
        .route("/riskdesk/references/{name}", post(import_reference).layer(axum::extract::DefaultBodyLimit::disable()))
}

/// `POST /v1/riskdesk/call`, body a [`Call`]: its reply as JSON, at once for a short call,
/// else as a task (202) whose `json` result is the reply. The key's scope must allow the call
/// (`auth::CALLS`); destroys and deletes go to the security log.
async fn call(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let call: Call = serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("not a Riskdesk call: {e}")))?;
    let logged = crate::auth::authorize_call(&call)?;
    let writes = call.writes();
    if call.is_long() {
        if let Some(event) = logged {
            crate::auth::log_call(event, &call, "started");
        }
        let work = move |b: &riskdesk::LocalBackend, progress: &riskdesk::Progress<'_>| Ok(Outcome::Json(call.run(b, progress)?));
        return Ok(if writes { state.spawn_write_task(work) } else { state.spawn_task(work) });
    }
    let run = call.clone();
    let reply = if writes {
        state.write(move |b| run.run(b, &riskdesk::Progress::none())).await
    } else {
        state.run(move |b| run.run(b, &riskdesk::Progress::none())).await
    };
    if let Some(event) = logged {
        let outcome = match &reply {
            Ok(_) => "ok",
            Err(e) => e.engine.as_ref().map_or("failed", |engine| engine.code.as_str()),
        };
        crate::auth::log_call(event, &call, outcome);
    }
    Ok(Json(reply?).into_response())
}

#[derive(Deserialize)]
struct ExposuresBody {
    dataset: String,
    query: ExposureQuery,
}

/// `POST /v1/riskdesk/exposures`, body `{dataset, query}`: the wide exposures as Parquet with the
/// engine's column names (`riskdesk exposures get`'s frame), shared with clients asking the same.
async fn exposures(State(state): State<AppState>, Json(body): Json<ExposuresBody>) -> Result<Response, ApiError> {
    let frames = std::sync::Arc::clone(&state.frames);
    let accessor = Accessor::everything(body.dataset, body.query);
    let bytes = state.blocking(None, move |b| shared_frame(b, &frames, &accessor, None, false)).await?;
    Ok(crate::frames::parquet_response(bytes))
}

/// `POST /v1/riskdesk/references/{name}?id_type=&replace=`, multipart `file` parts (the folder's
/// `assets`, `market_caps`, `returns` as CSV or Parquet): a task importing them; its `json`
/// result is the imported reference's listing.
async fn import_reference(
    State(state): State<AppState>,
    Path(name): Path<String>,
    params: Params,
    request: Request,
) -> Result<Response, ApiError> {
    let scratch = crate::upload::scratch(&state).await?;
    crate::upload::receive(request, &scratch.0, state.upload_limit).await?;
    let id_type = params.last("id_type").unwrap_or_else(|| "bayesid".to_owned());
    let replace = params.flag("replace");
    Ok(state.spawn_write_task(move |b, progress| {
        let info = b.import_reference(&name, &scratch.0, &id_type, replace, progress)?;
        Ok(Outcome::Json(serde_json::to_value(info).unwrap_or_default()))
    }))
}
