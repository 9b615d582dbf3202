//! `GET /api/openapi.json`: the OpenAPI 3.1 document generated from the code.

use std::sync::Arc;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use http::header::CONTENT_TYPE;

/// Serves the document rendered once at start-up.
pub fn router(json: String) -> Router {
    let json: Arc<str> = json.into();
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let json = json.clone();
            async move { ([(CONTENT_TYPE, "application/json")], json.to_string()).into_response() }
        }),
    )
}
