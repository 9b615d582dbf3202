//! `/api/v1/webhooks`: administrators manage webhooks and read their delivery log. Secrets are
//! write-only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use revenge_core::extract::{ApiJson, ApiPath};
use revenge_core::{Id, Problem, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::Webhooks;
use crate::entity::{delivery, webhook};
use crate::store::{self, SOURCE_API, WebhookSpec};

/// The routes, at absolute paths.
pub fn router() -> OpenApiRouter<Webhooks> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
}

/// A webhook (its secret is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    id: Id,
    name: String,
    /// `config` (read-only here) or `api`.
    source: String,
    url: String,
    events: Vec<String>,
    header_names: Vec<String>,
    enabled: bool,
    created_at: DateTime<Utc>,
}

impl From<webhook::Model> for WebhookDto {
    fn from(w: webhook::Model) -> Self {
        let headers: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&w.headers).unwrap_or_default();
        Self {
            id: w.id,
            name: w.name,
            source: w.source,
            url: w.url,
            events: w.events.split(',').map(str::to_owned).collect(),
            header_names: headers.into_keys().collect(),
            enabled: w.enabled,
            created_at: w.created_at,
        }
    }
}

/// One delivery attempt record.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    id: Id,
    event_id: String,
    event_type: String,
    /// `pending`, `delivered` or `failed`.
    state: String,
    attempts: i32,
    response_code: Option<i32>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl From<delivery::Model> for DeliveryDto {
    fn from(d: delivery::Model) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            state: d.state,
            attempts: d.attempts,
            response_code: d.response_code,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// `PUT /api/v1/webhooks/{id}`: the whole definition, and whether it is on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookUpdate {
    #[serde(flatten)]
    spec: WebhookSpec,
    #[serde(default = "enabled")]
    enabled: bool,
}

fn enabled() -> bool {
    true
}

/// Every webhook.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "Webhooks", body = Vec<WebhookDto>)))]
async fn list_webhooks(
    State(hooks): State<Webhooks>,
    viewer: Viewer,
) -> Result<Json<Vec<WebhookDto>>, Problem> {
    viewer.require_admin()?;
    let list = store::list(hooks.db()).await?;
    Ok(Json(list.into_iter().map(WebhookDto::from).collect()))
}

/// Adds a webhook.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookSpec,
    responses(
        (status = 201, description = "The webhook", body = WebhookDto),
        (status = 400, description = "Invalid field", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn create_webhook(
    State(hooks): State<Webhooks>,
    viewer: Viewer,
    ApiJson(spec): ApiJson<WebhookSpec>,
) -> Result<(StatusCode, Json<WebhookDto>), Problem> {
    viewer.require_admin()?;
    let created = store::create(hooks.db(), &spec, SOURCE_API).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One webhook.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Id, Path, description = "The webhook's id")),
    responses((status = 200, description = "The webhook", body = WebhookDto)))]
async fn get_webhook(
    State(hooks): State<Webhooks>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<WebhookDto>, Problem> {
    viewer.require_admin()?;
    Ok(Json(store::get(hooks.db(), id).await?.into()))
}

/// Replaces a webhook made through the API.
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "webhooks", request_body = WebhookUpdate,
    params(("id" = Id, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The webhook", body = WebhookDto),
        (status = 409, description = "Defined in the config file", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn update_webhook(
    State(hooks): State<Webhooks>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<WebhookUpdate>,
) -> Result<Json<WebhookDto>, Problem> {
    viewer.require_admin()?;
    Ok(Json(
        store::update(hooks.db(), id, &body.spec, body.enabled)
            .await?
            .into(),
    ))
}

/// Deletes a webhook made through the API, with its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Id, Path, description = "The webhook's id")),
    responses((status = 204, description = "Deleted")))]
async fn delete_webhook(
    State(hooks): State<Webhooks>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, Problem> {
    viewer.require_admin()?;
    store::delete(hooks.db(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A webhook's latest 100 deliveries, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = Id, Path, description = "The webhook's id")),
    responses((status = 200, description = "Deliveries", body = Vec<DeliveryDto>)))]
async fn list_deliveries(
    State(hooks): State<Webhooks>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Vec<DeliveryDto>>, Problem> {
    viewer.require_admin()?;
    let list = store::deliveries(hooks.db(), id, 100).await?;
    Ok(Json(list.into_iter().map(DeliveryDto::from).collect()))
}
