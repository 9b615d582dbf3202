//! Request extractors whose rejections are problem documents naming the field at fault.
//!
//! axum's own `Json`/`Query`/`Path` reject with plain text; every handler uses these instead so
//! a malformed request always gets the same problem+json shape.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::header::CONTENT_TYPE;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Problem;

/// A JSON body; a malformed one answers 400 naming the offending field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(Problem::new(
                http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a body with content-type application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            Problem::new(rejection.status(), "invalid_body", rejection.body_text())
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserializes JSON, reporting the path of the first field that does not fit.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        Problem::bad_request(Some(&field), format!("invalid JSON body: {}", e.inner()))
    })
}

/// A query string; a malformed one answers 400 naming the offending parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Deserializes a query string, reporting the parameter that does not fit.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, Problem> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let detail = if field == "." {
            format!("invalid query string: {}", e.inner())
        } else {
            format!("invalid query parameter `{field}`: {}", e.inner())
        };
        Problem::bad_request(Some(&field), detail)
    })
}

/// Path parameters; one that does not parse answers 400 (not 404), naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_problem(&rejection)),
        }
    }
}

fn path_problem(rejection: &PathRejection) -> Problem {
    use axum::extract::path::ErrorKind;
    let field = match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::InvalidUtf8InPathParam { key } => {
                Some(key.clone())
            }
            _ => None,
        },
        _ => None,
    };
    Problem::bad_request(field.as_deref(), rejection.body_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Listing {
        #[serde(default)]
        offset: u64,
        year: Option<i32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn bad_query_parameter_is_named() {
        let problem = parse_query::<Listing>("offset=ten").unwrap_err();
        assert_eq!(problem.status, http::StatusCode::BAD_REQUEST);
        assert_eq!(problem.field.as_deref(), Some("offset"));
        assert!(problem.detail.contains("offset"), "{}", problem.detail);
        let ok: Listing = parse_query("year=1999").unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(ok.year, Some(1999));
    }

    #[test]
    fn bad_json_field_is_named_with_its_path() {
        let problem = parse_json::<Body>(br#"{"name":"a","inner":{"count":"x"}}"#).unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("inner.count"));
        let problem =
            parse_json::<Body>(br#"{"name":"a","inner":{"count":1},"evil":1}"#).unwrap_err();
        assert!(problem.detail.contains("evil"), "{}", problem.detail);
        let problem = parse_json::<Body>(b"{not json").unwrap_err();
        assert_eq!(problem.status, http::StatusCode::BAD_REQUEST);
    }
}
