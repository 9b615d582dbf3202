//! The single mapping from every crate's error enum to an RFC 9457 `application/problem+json` body.
//!
//! Each crate keeps its own `thiserror` enum and implements [`ErrorCode`] for it; `?` then turns
//! any of them into a [`Problem`], so status codes and stable error codes are decided in one
//! place per error and rendered in one place for all.

use std::fmt::Display;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;

/// What every crate's error enum says about itself so it can be rendered as a problem.
pub trait ErrorCode: Display {
    /// The HTTP status of this error.
    fn status(&self) -> StatusCode;
    /// A stable, machine-readable code (`snake_case`), part of the API contract.
    fn code(&self) -> &'static str;
    /// The request field this error is about, when there is one.
    fn field(&self) -> Option<&str> {
        None
    }
}

/// An error on its way to becoming an RFC 9457 problem document. Kept small (codes and titles
/// are static) because every handler's `Result` carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable error code.
    pub code: &'static str,
    /// A human-readable explanation of this occurrence.
    pub detail: String,
    /// The request field at fault, for validation errors.
    pub field: Option<String>,
}

/// The problem document as it is sent (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemDocument {
    /// A URI naming the problem type; ours are relative and stable (`/problems/<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary: the reason phrase of the status.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable error code.
    pub code: String,
    /// The request field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    /// A problem with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            field: None,
        }
    }

    /// The same problem, naming the request field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 404 for anything that does not exist or that the caller may not know exists.
    pub fn not_found(what: impl Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 400 for a request that could not be understood, naming the field when known.
    pub fn bad_request(field: Option<&str>, detail: impl Into<String>) -> Self {
        let problem = Self::new(StatusCode::BAD_REQUEST, "invalid_request", detail);
        match field {
            Some(field) if !field.is_empty() && field != "." => problem.with_field(field),
            _ => problem,
        }
    }

    /// The document sent to the client.
    pub fn document(&self) -> ProblemDocument {
        ProblemDocument {
            kind: format!("/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            field: self.field.clone(),
        }
    }
}

impl<E: ErrorCode> From<E> for Problem {
    fn from(error: E) -> Self {
        let status = error.status();
        if status.is_server_error() {
            // The cause is logged, never sent: internal details (SQL, paths) stay on the server.
            tracing::error!(code = error.code(), error = %error, "request failed");
            return Problem::new(status, error.code(), "internal error; see the server log");
        }
        let problem = Problem::new(status, error.code(), error.to_string());
        match error.field() {
            Some(field) => problem.with_field(field),
            None => problem,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.document())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl ErrorCode for sea_orm::DbErr {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn code(&self) -> &'static str {
        "database_error"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum SampleError {
        #[error("movie 7 not found")]
        Missing,
        #[error("disk on fire at /secret/path")]
        Broken,
    }

    impl ErrorCode for SampleError {
        fn status(&self) -> StatusCode {
            match self {
                Self::Missing => StatusCode::NOT_FOUND,
                Self::Broken => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
        fn code(&self) -> &'static str {
            match self {
                Self::Missing => "not_found",
                Self::Broken => "broken",
            }
        }
    }

    #[test]
    fn client_errors_keep_their_message() {
        let problem = Problem::from(SampleError::Missing);
        assert_eq!(problem.status, StatusCode::NOT_FOUND);
        assert_eq!(problem.code, "not_found");
        assert_eq!(problem.detail, "movie 7 not found");
        assert_eq!(problem.document().kind, "/problems/not_found");
    }

    #[test]
    fn server_errors_hide_internal_details() {
        let problem = Problem::from(SampleError::Broken);
        assert_eq!(problem.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !problem.detail.contains("/secret/path"),
            "{}",
            problem.detail
        );
    }

    #[test]
    fn renders_as_problem_json() {
        let response = Problem::bad_request(Some("limit"), "too large").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE),
            Some(&HeaderValue::from_static("application/problem+json"))
        );
    }
}
