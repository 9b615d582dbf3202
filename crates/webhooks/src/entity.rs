//! The `webhook` and `webhook_delivery` tables.

/// Webhooks.
pub mod webhook {
    use sea_orm::entity::prelude::*;

    /// One webhook.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        /// `config` (from the YAML file; read-only in the API) or `api`.
        pub source: String,
        pub url: String,
        /// Comma-separated event types, or `*`.
        pub events: String,
        pub secret: String,
        /// JSON object of extra headers.
        pub headers: String,
        pub enabled: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// Whether the webhook wants events of this type.
        pub fn wants(&self, kind: &str) -> bool {
            self.enabled && self.events.split(',').any(|e| e == "*" || e == kind)
        }
    }
}

/// Deliveries.
pub mod delivery {
    use sea_orm::entity::prelude::*;

    /// One event sent (or being sent) to one webhook.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_delivery")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub webhook_id: i64,
        pub event_id: String,
        pub event_type: String,
        /// The exact JSON body that is signed and sent.
        pub body: String,
        /// `pending`, `delivered` or `failed`.
        pub state: String,
        pub attempts: i32,
        pub response_code: Option<i32>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub delivered_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
