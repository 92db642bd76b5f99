//! API keys: every `/v1` request carries one, as the `api_key` query parameter (what the
//! platform's client sends) or as `Authorization: Bearer KEY`. The key is never logged.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use axum::{Extension, Json};

use crate::{ApiError, AppState};

/// The user a request's key belongs to (an e-mail address).
#[derive(Debug, Clone)]
pub struct User(pub String);

/// The key of a request: the `api_key` query parameter (form-decoded), else a bearer token.
fn key_of(request: &Request) -> Option<String> {
    let from_query = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, v)| k == "api_key" && !v.is_empty()).map(|(_, v)| v.into_owned()));
    from_query.or_else(|| {
        let header = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
        header.strip_prefix("Bearer ").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
    })
}

/// Lets a request through only with a key of this home, noting its user for the handlers.
pub async fn require_key(State(state): State<AppState>, mut request: Request, next: Next) -> Result<Response, ApiError> {
    let Some(key) = key_of(&request) else {
        return Err(ApiError::denied("no API key: pass api_key=KEY (riskdesk keys create --user EMAIL makes one)"));
    };
    match state.run(move |b| b.key_user(&key)).await? {
        Some(user) => {
            request.extensions_mut().insert(User(user));
            Ok(next.run(request).await)
        }
        None => Err(ApiError::denied("this API key is not valid here (unknown or revoked)")),
    }
}

/// `GET /v1/auth/users/whoami`: the key's user.
pub async fn whoami(Extension(User(email)): Extension<User>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "email": email }))
}
