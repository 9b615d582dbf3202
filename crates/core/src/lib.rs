//! Shared building blocks that every Revenge crate may use: the module trait, ids, pagination,
//! request extractors and the one mapping from errors to HTTP problem responses.

pub mod access;
pub mod answer_cache;
pub mod artwork;
pub mod batch_write;
pub mod error;
pub mod events;
pub mod extract;
pub mod folder_listing;
pub mod id;
pub mod import;
pub mod media_file;
pub mod memory;
pub mod module;
pub mod opened_file;
pub mod pagination;
pub mod playback_state;
pub mod private_answer;
pub mod rating;
pub mod search;
pub mod sort;

pub use access::{Capabilities, LibraryScope, Viewer};
pub use answer_cache::{AnswerCache, AnswerFuture};
pub use batch_write::{IdBlock, write_batch};
pub use error::{ErrorCode, Problem, ProblemDocument};
pub use events::{Envelope, Event, EventBus, ItemRef};
pub use folder_listing::FolderListing;
pub use id::Id;
pub use import::{FileToImport, ImportBatch, ImportFuture, Imported, Importer, Prepared};
pub use module::{KNOWN_MODULES, Module, ModuleContext, ModuleInfo};
pub use opened_file::OpenedFile;
pub use pagination::{Page, PageParams, SortOrder};
pub use private_answer::{PRIVATE_ANSWER, PrivateAnswer};
pub use search::{
    ItemDocuments, KindPage, SearchDocument, SearchFuture, SearchKind, SearchMatches, SearchQuery,
    SearchService, SearchServiceError, Searchable,
};
