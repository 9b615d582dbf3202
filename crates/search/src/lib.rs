//! Search: one interface ([`Backend`]) over an embedded tantivy index (the default, in
//! `<data_dir>/search`) and Typesense (feature `typesense`). Modules register their document
//! types through `Module::search`; item events keep the index in step through jobs; every
//! search filters by the caller's libraries, parental limit and adult capability inside the
//! engine's query.

mod api;
pub mod backend;
mod by_kind;
pub mod embedded;
mod error;
pub mod indexer;
mod service;
mod settings;
#[cfg(feature = "typesense")]
pub mod typesense;

pub use api::{SearchPage, SearchParams, SearchState, router};
pub use backend::{
    AccessFilter, Backend, FacetCount, Facets, KindsRequest, SearchHit, SearchRequest,
    SearchResults,
};
pub use embedded::EmbeddedIndex;
pub use error::SearchError;
pub use indexer::{queue_reconcile, queue_reindex};
pub use service::{ReconcileReport, Search, Source};
pub use settings::{BackendKind, SearchSettings, TypesenseSettings};
