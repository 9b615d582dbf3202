//! Webhooks and their deliveries in the database; the config file's webhooks are mirrored in
//! at start-up so that deliveries can refer to every webhook alike.

use std::collections::BTreeMap;

use chrono::Utc;
use revenge_core::Id;
use revenge_core::events::EVENT_TYPES;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::WebhookError;
use crate::entity::{delivery, webhook};

/// `source` of webhooks from the config file.
pub const SOURCE_CONFIG: &str = "config";
/// `source` of webhooks made through the API.
pub const SOURCE_API: &str = "api";

/// A webhook's definition, from the config file or the API.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSpec {
    /// A unique name.
    pub name: String,
    /// Where to POST (http or https).
    pub url: String,
    /// Event types, or `*` for all.
    pub events: Vec<String>,
    /// The HMAC key of `X-Revenge-Signature`.
    pub secret: String,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl WebhookSpec {
    /// Checks every field, naming the one at fault.
    pub fn validate(&self) -> Result<(), WebhookError> {
        let invalid = |field, message: &str| WebhookError::Invalid {
            field,
            message: message.to_owned(),
        };
        if self.name.trim().is_empty() || self.name.chars().count() > 128 {
            return Err(invalid("name", "must be 1 to 128 characters"));
        }
        let url_ok = (self.url.starts_with("http://") || self.url.starts_with("https://"))
            && self.url.len() <= 2048
            && reqwest::Url::parse(&self.url).is_ok();
        if !url_ok {
            return Err(invalid("url", "must be an http:// or https:// URL"));
        }
        if self.secret.is_empty() || self.secret.len() > 256 {
            return Err(invalid("secret", "must be 1 to 256 characters"));
        }
        if self.events.is_empty() {
            return Err(invalid("events", "name at least one event type, or \"*\""));
        }
        if let Some(unknown) = self
            .events
            .iter()
            .find(|e| *e != "*" && !EVENT_TYPES.contains(&e.as_str()))
        {
            return Err(invalid(
                "events",
                &format!("unknown event type `{unknown}`"),
            ));
        }
        for (name, value) in &self.headers {
            let valid = http::HeaderName::from_bytes(name.as_bytes()).is_ok()
                && http::HeaderValue::from_str(value).is_ok();
            if !valid {
                return Err(invalid(
                    "headers",
                    &format!("`{name}` is not a valid header"),
                ));
            }
        }
        Ok(())
    }

    fn events_column(&self) -> String {
        self.events.join(",")
    }

    fn headers_column(&self) -> String {
        serde_json::to_string(&self.headers).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// Creates a webhook.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    spec: &WebhookSpec,
    source: &str,
) -> Result<webhook::Model, WebhookError> {
    spec.validate()?;
    let taken = webhook::Entity::find()
        .filter(webhook::Column::Name.eq(spec.name.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(WebhookError::NameTaken(spec.name.clone()));
    }
    let now = Utc::now();
    Ok(webhook::ActiveModel {
        name: Set(spec.name.clone()),
        source: Set(source.to_owned()),
        url: Set(spec.url.clone()),
        events: Set(spec.events_column()),
        secret: Set(spec.secret.clone()),
        headers: Set(spec.headers_column()),
        enabled: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Replaces an API webhook's definition.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: Id,
    spec: &WebhookSpec,
    enabled: bool,
) -> Result<webhook::Model, WebhookError> {
    spec.validate()?;
    let current = get(db, id).await?;
    if current.source == SOURCE_CONFIG {
        return Err(WebhookError::FromConfig(id));
    }
    let clash = webhook::Entity::find()
        .filter(webhook::Column::Name.eq(spec.name.as_str()))
        .filter(webhook::Column::Id.ne(id))
        .one(db)
        .await?
        .is_some();
    if clash {
        return Err(WebhookError::NameTaken(spec.name.clone()));
    }
    let mut model = current.into_active_model();
    model.name = Set(spec.name.clone());
    model.url = Set(spec.url.clone());
    model.events = Set(spec.events_column());
    model.secret = Set(spec.secret.clone());
    model.headers = Set(spec.headers_column());
    model.enabled = Set(enabled);
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// One webhook.
pub async fn get<C: ConnectionTrait>(db: &C, id: Id) -> Result<webhook::Model, WebhookError> {
    webhook::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(WebhookError::NotFound(id))
}

/// Every webhook.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<webhook::Model>, WebhookError> {
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Name)
        .all(db)
        .await?)
}

/// Deletes an API webhook with its delivery log.
pub async fn delete<C: ConnectionTrait>(db: &C, id: Id) -> Result<(), WebhookError> {
    if get(db, id).await?.source == SOURCE_CONFIG {
        return Err(WebhookError::FromConfig(id));
    }
    webhook::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Mirrors the config file's webhooks: adds new ones, updates changed ones, removes those no
/// longer in the file. Webhooks made through the API are left alone.
pub async fn sync_config<C: ConnectionTrait>(
    db: &C,
    specs: &[WebhookSpec],
) -> Result<(), WebhookError> {
    let existing = webhook::Entity::find()
        .filter(webhook::Column::Source.eq(SOURCE_CONFIG))
        .all(db)
        .await?;
    for stale in existing
        .iter()
        .filter(|w| !specs.iter().any(|s| s.name == w.name))
    {
        webhook::Entity::delete_by_id(stale.id).exec(db).await?;
    }
    for spec in specs {
        spec.validate()?;
        match existing.iter().find(|w| w.name == spec.name) {
            Some(current) => {
                let mut model = current.clone().into_active_model();
                model.url = Set(spec.url.clone());
                model.events = Set(spec.events_column());
                model.secret = Set(spec.secret.clone());
                model.headers = Set(spec.headers_column());
                model.enabled = Set(true);
                model.updated_at = Set(Utc::now());
                model.update(db).await?;
            }
            None => {
                create(db, spec, SOURCE_CONFIG).await?;
            }
        }
    }
    Ok(())
}

/// A webhook's most recent deliveries.
pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    webhook_id: Id,
    limit: u64,
) -> Result<Vec<delivery::Model>, WebhookError> {
    get(db, webhook_id).await?;
    Ok(delivery::Entity::find()
        .filter(delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
