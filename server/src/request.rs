//! What handlers read from a request besides its body: the exposure dataset an uploader route
//! names, and the query parameters as the platform's client sends them.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// The one data type this server uploads.
pub const EXPOSURES: &str = "exposures";

/// The exposure dataset an uploader route names (`…/uploaders/{data_type}/{dataset}`). The
/// data type must be `exposures`: any other is refused as an unknown uploader (400 `KeyError`).
pub struct ExposureDataset(pub String);

/// An uploader route's data type (`…/uploaders/{data_type}`), admitted when it is `exposures`.
pub struct ExposuresType;

/// The path parameters of an uploader route whose data type is `exposures`.
async fn uploader_path<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<HashMap<String, String>, Response> {
    let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
    let data_type = params.remove("data_type").unwrap_or_default();
    if data_type != EXPOSURES {
        let message = format!("no uploader for '{}': this server uploads exposures only", riskdesk::names::shown(&data_type));
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "KeyError", message).into_response());
    }
    Ok(params)
}

impl<S: Send + Sync> FromRequestParts<S> for ExposureDataset {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let mut params = uploader_path(parts, state).await?;
        let dataset = params.remove("dataset").ok_or_else(|| ApiError::internal("the route names no dataset").into_response())?;
        Ok(ExposureDataset(dataset))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ExposuresType {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        uploader_path(parts, state).await.map(|_| ExposuresType)
    }
}

/// A request's query parameters. A key may repeat (`names=a&names=b`), and an empty value counts
/// as absent (the client sends `name=` for none).
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = form_urlencoded::parse(query.as_bytes()).filter(|(_, v)| !v.is_empty());
        Ok(Params(pairs.map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

impl Params {
    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    /// Every value of `key`, or `None` when it has none (a filter that keeps everything).
    pub fn some(&self, key: &str) -> Option<Vec<String>> {
        Some(self.all(key)).filter(|values| !values.is_empty())
    }

    /// The last value of `key`.
    pub fn last(&self, key: &str) -> Option<String> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    /// Whether `key` is set to true (`true`, `True` or `1`, as clients write it).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.last(key).as_deref(), Some("true" | "True" | "1"))
    }

    /// The last value of `key` as a whole number, with a message naming it when it is not one.
    pub fn number<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| ApiError::invalid(format!("{key} must be a whole number here, not '{v}'"))),
        }
    }
}
