//! Turning events into deliveries and delivering them: one job per delivery on the `webhooks`
//! queue, so retries, backoff and surviving restarts come from the job queue.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::Utc;
use revenge_core::{Envelope, EventBus, Id};
use revenge_jobs::{JobContext, JobQueue, NewJob};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use tokio::sync::broadcast::error::RecvError;

use crate::entity::{delivery, webhook};
use crate::{WebhookError, sign};

/// The job kind of a delivery.
pub const DELIVER_JOB: &str = "webhook.deliver";
/// The queue deliveries run on.
const QUEUE: &str = "webhooks";
/// How long a receiver gets to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The webhook service. Cloning shares it.
#[derive(Debug, Clone)]
pub struct Webhooks {
    db: DatabaseConnection,
    queue: JobQueue,
    client: Arc<OnceLock<reqwest::Client>>,
    max_attempts: i32,
}

impl Webhooks {
    /// The service over the database and job queue; each delivery gets `max_attempts` tries.
    pub fn new(db: DatabaseConnection, queue: JobQueue, max_attempts: i32) -> Self {
        Self {
            db,
            queue,
            client: Arc::new(OnceLock::new()),
            max_attempts,
        }
    }

    /// The HTTP client, made at the first delivery: setting up TLS costs megabytes of memory
    /// that a server without webhooks should not carry.
    fn client(&self) -> &reqwest::Client {
        self.client.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(TIMEOUT)
                .user_agent(concat!("Revenge/", env!("CARGO_PKG_VERSION")))
                // A receiver redirecting elsewhere would make us send the signed body to a
                // destination nobody configured.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default()
        })
    }

    /// The database.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Turns every event on the bus into deliveries for the webhooks that want it.
    pub fn listen(&self, bus: &EventBus) -> tokio::task::JoinHandle<()> {
        let mut events = bus.subscribe();
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(envelope) => {
                        if let Err(e) = this.enqueue(&envelope).await {
                            tracing::warn!(event = envelope.event.kind(), error = %e, "cannot queue webhook deliveries");
                        }
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            missed,
                            "webhooks fell behind the event bus; some events were not delivered"
                        );
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        })
    }

    /// Records a delivery for each webhook that wants this event and queues it.
    pub async fn enqueue(&self, envelope: &Envelope) -> Result<Vec<Id>, WebhookError> {
        let kind = envelope.event.kind();
        let hooks = webhook::Entity::find()
            .filter(webhook::Column::Enabled.eq(true))
            .all(&self.db)
            .await?;
        let body = serde_json::to_string(envelope).map_err(|e| WebhookError::Invalid {
            field: "event",
            message: e.to_string(),
        })?;
        let mut ids = Vec::new();
        for hook in hooks.iter().filter(|h| h.wants(kind)) {
            let record = delivery::ActiveModel {
                webhook_id: Set(hook.id),
                event_id: Set(envelope.id.clone()),
                event_type: Set(kind.to_owned()),
                body: Set(body.clone()),
                state: Set("pending".to_owned()),
                attempts: Set(0),
                response_code: Set(None),
                last_error: Set(None),
                created_at: Set(Utc::now()),
                delivered_at: Set(None),
                ..Default::default()
            }
            .insert(&self.db)
            .await?;
            self.queue_delivery(record.id).await?;
            ids.push(record.id);
        }
        Ok(ids)
    }

    async fn queue_delivery(&self, id: Id) -> Result<(), WebhookError> {
        self.queue
            .enqueue(
                NewJob::new(DELIVER_JOB, serde_json::json!({ "delivery_id": id }))
                    .on_queue(QUEUE)
                    .unique(format!("webhook.delivery:{id}"))
                    .attempts(self.max_attempts),
            )
            .await?;
        Ok(())
    }

    /// Queues again every pending delivery (one whose job was lost between recording the
    /// delivery and queueing it); the unique key makes this harmless for the others.
    pub async fn requeue_pending(&self) -> Result<usize, WebhookError> {
        let pending = delivery::Entity::find()
            .filter(delivery::Column::State.eq("pending"))
            .all(&self.db)
            .await?;
        for record in &pending {
            self.queue_delivery(record.id).await?;
        }
        Ok(pending.len())
    }

    /// The job handler: sends one delivery.
    pub async fn deliver(&self, ctx: JobContext) -> Result<(), String> {
        let id = ctx
            .payload()
            .get("delivery_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or("the job has no delivery_id")?;
        let Some(record) = delivery::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // The webhook was deleted, and its deliveries with it.
        };
        if record.state != "pending" {
            return Ok(()); // Already delivered by an earlier run of this job.
        }
        let Some(hook) = webhook::Entity::find_by_id(record.webhook_id)
            .one(&self.db)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let timestamp = Utc::now().timestamp();
        let mut request = self
            .client()
            .post(&hook.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("X-Revenge-Event", &record.event_type)
            .header("X-Revenge-Event-Id", &record.event_id)
            .header("X-Revenge-Delivery", record.id.to_string())
            .header("X-Revenge-Timestamp", timestamp.to_string())
            .header(
                "X-Revenge-Signature",
                sign(&hook.secret, timestamp, &record.body),
            );
        let headers: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&hook.headers).unwrap_or_default();
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let outcome = request.body(record.body.clone()).send().await;
        let attempts = record.attempts + 1;
        let mut update = record.into_active_model();
        update.attempts = Set(attempts);
        let result = match outcome {
            Ok(response) if response.status().is_success() => {
                update.state = Set("delivered".to_owned());
                update.response_code = Set(Some(i32::from(response.status().as_u16())));
                update.delivered_at = Set(Some(Utc::now()));
                update.last_error = Set(None);
                Ok(())
            }
            Ok(response) => {
                let status = response.status();
                update.response_code = Set(Some(i32::from(status.as_u16())));
                Err(format!("the receiver answered {status}"))
            }
            Err(e) => {
                update.response_code = Set(None);
                Err(format!("cannot reach the receiver: {e}"))
            }
        };
        if let Err(error) = &result {
            update.last_error = Set(Some(error.clone()));
            if ctx.is_last_attempt() {
                update.state = Set("failed".to_owned());
            }
            tracing::warn!(webhook = %hook.name, delivery = id, attempt = attempts, error, "webhook delivery failed");
        }
        update.update(&self.db).await.map_err(|e| e.to_string())?;
        result
    }
}
