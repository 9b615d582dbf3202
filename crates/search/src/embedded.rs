//! The embedded backend: a tantivy index in `<data_dir>/search`. Writes go through one writer
//! at a time (behind a mutex, made per write) and are committed before they return, so a
//! search right after sees them.
//! Access filters are MUST clauses of the boolean query itself.

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use revenge_core::{SearchDocument, SearchMatches};
use std::sync::Mutex;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, TantivyDocument,
    Term,
};

use crate::SearchError;
use crate::backend::{
    AccessFilter, FacetCount, Facets, KindsRequest, SearchHit, SearchRequest, SearchResults,
    UNRATED, fingerprint_bits, fingerprint_text,
};
use crate::by_kind::{ByKind, ColumnCache};

const TOKENIZER: &str = "revenge_folded";
const WRITER_MEMORY: usize = 50_000_000;
/// Up to this many documents a search runs on the runtime's thread (see `searching`): the
/// bench's 20,000-track library searches in about 0.1 ms.
const INLINE_SEARCH_DOCS: u64 = 100_000;
/// Searchable segments kept before they are merged into one.
const MAX_SEGMENTS: usize = 4;
/// Fields read as fast fields by name (popularity to rank; type and item id by the per-type
/// collector).
pub(crate) const KIND: &str = "kind";
pub(crate) const ITEM_ID: &str = "item_id";
pub(crate) const POPULARITY: &str = "popularity";
/// Fast fields read by a reconciliation: each document's id and fingerprint without its
/// stored document. Reading those decompressed the whole document store at every start and
/// left it mapped, 1.8 MiB of an idle server's memory for the bench's 20,000 tracks.
const ID: &str = "id";
const FINGERPRINT: &str = "fingerprint";

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    item_id: Field,
    title: Field,
    other: Field,
    year: Field,
    library_id: Field,
    rating_level: Field,
    adult: Field,
    popularity: Field,
    facets: Field,
    source: Field,
    fingerprint: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_text_field(ID, STRING | FAST),
        // Fast fields: a search per type reads each match's type and item id without loading
        // its stored document.
        kind: builder.add_text_field(KIND, STRING | FAST),
        item_id: builder.add_i64_field(ITEM_ID, FAST),
        title: builder.add_text_field("title", text.clone()),
        other: builder.add_text_field("other", text),
        year: builder.add_i64_field("year", INDEXED),
        library_id: builder.add_i64_field("library_id", INDEXED),
        rating_level: builder.add_i64_field("rating_level", INDEXED),
        adult: builder.add_bool_field("adult", INDEXED),
        popularity: builder.add_i64_field(POPULARITY, FAST),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        source: builder.add_text_field("source", STORED),
        fingerprint: builder.add_u64_field(FINGERPRINT, FAST),
    };
    (builder.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The tantivy index.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    /// Taken on first write: a previous owner of the folder (a server stopping in the same
    /// process) may still hold the lock for a moment, and writes are retried jobs.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    /// What per-type searches read of each segment.
    columns: ColumnCache,
}

impl std::fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedIndex").finish_non_exhaustive()
    }
}

impl EmbeddedIndex {
    /// Opens the index in `dir`, creating it (or recreating it when its schema is from another
    /// version: a reconcile then fills it again).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Index(format!("cannot create {}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let index = if dir.join("meta.json").exists() {
            match Index::open_in_dir(dir) {
                Ok(index) if index.schema() == schema => index,
                Ok(_) => {
                    tracing::warn!(dir = %dir.display(), "search index schema changed; rebuilding it");
                    Self::wipe(dir)?;
                    Index::create_in_dir(dir, schema)?
                }
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), error = %e, "search index unreadable; rebuilding it");
                    Self::wipe(dir)?;
                    Index::create_in_dir(dir, schema)?
                }
            }
        } else {
            Self::wipe(dir)?;
            Index::create_in_dir(dir, schema)?
        };
        Self::from_index(index, fields)
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    fn wipe(dir: &Path) -> Result<(), SearchError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| SearchError::Index(format!("cannot read {}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(|e| {
                SearchError::Index(format!("cannot remove {}: {e}", path.display()))
            })?;
        }
        Ok(())
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(None),
                fields,
                columns: ColumnCache::default(),
            }),
        })
    }

    fn to_tantivy(&self, doc: &SearchDocument) -> TantivyDocument {
        let f = &self.inner.fields;
        let mut out = TantivyDocument::default();
        out.add_text(f.id, &doc.id);
        out.add_text(f.kind, &doc.kind);
        out.add_i64(f.item_id, doc.item_id);
        out.add_text(f.title, &doc.title);
        for other in [&doc.original_title, &doc.subtitle].into_iter().flatten() {
            out.add_text(f.other, other);
        }
        if let Some(year) = doc.year {
            out.add_i64(f.year, i64::from(year));
            out.add_facet(
                f.facets,
                Facet::from_path(["year".to_owned(), year.to_string()]),
            );
        }
        out.add_i64(f.library_id, doc.library_id);
        out.add_i64(f.rating_level, doc.rating_level.map_or(UNRATED, i64::from));
        out.add_bool(f.adult, doc.adult);
        out.add_i64(f.popularity, doc.popularity);
        out.add_facet(f.facets, Facet::from_path(["kind", doc.kind.as_str()]));
        for genre in &doc.genres {
            out.add_facet(f.facets, Facet::from_path(["genre", genre.as_str()]));
        }
        out.add_text(f.source, serde_json::to_string(doc).unwrap_or_default());
        out.add_u64(f.fingerprint, fingerprint_bits(doc));
        out
    }

    /// Adds or replaces documents, committed when this returns.
    pub async fn upsert(&self, docs: &[SearchDocument]) -> Result<(), SearchError> {
        let prepared: Vec<(String, TantivyDocument)> = docs
            .iter()
            .map(|d| (d.id.clone(), self.to_tantivy(d)))
            .collect();
        let id_field = self.inner.fields.id;
        self.write(move |writer| {
            for (id, doc) in prepared {
                writer.delete_term(Term::from_field_text(id_field, &id));
                writer.add_document(doc)?;
            }
            Ok(())
        })
        .await
    }

    /// Removes documents by id, committed when this returns.
    pub async fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        let ids = ids.to_vec();
        let id_field = self.inner.fields.id;
        self.write(move |writer| {
            for id in ids {
                writer.delete_term(Term::from_field_text(id_field, &id));
            }
            Ok(())
        })
        .await
    }

    async fn write(
        &self,
        change: impl FnOnce(&mut IndexWriter) -> tantivy::Result<()> + Send + 'static,
    ) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        blocking(move || -> Result<(), SearchError> {
            // One writer at a time, held across the commit.
            let mut slot = inner
                .writer
                .lock()
                .map_err(|_| SearchError::Index("the index writer panicked".to_owned()))?;
            if slot.is_none() {
                *slot = Some(inner.index.writer(WRITER_MEMORY)?);
            }
            let Some(writer) = slot.as_mut() else {
                return Err(SearchError::Index("no index writer".to_owned()));
            };
            if let Err(e) = change(writer) {
                writer.rollback()?;
                return Err(e.into());
            }
            writer.commit()?;
            // Every query visits every segment (a fuzzy word is matched against each one's
            // terms), and a writer dropped after its commit leaves its merges undone: a library
            // indexed in batches was left in six segments. Past a few, they are merged.
            let segments = inner.index.searchable_segment_metas()?;
            if segments.len() > MAX_SEGMENTS {
                writer.merge(&to_merge(&segments)).wait()?;
            }
            // Not kept between writes: an idle writer holds its indexing threads and their
            // memory (tens of MiB after indexing a library), and making one costs a few
            // milliseconds against a write's commit.
            *slot = None;
            inner.reader.reload()?;
            Ok(())
        })
        .await
    }

    /// Searches: relevance first, then popularity (recency).
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let fields = self.inner.fields;
        let exact = query(&fields, &request.q, &request.types, &request.access, false);
        let with_typos = query(&fields, &request.q, &request.types, &request.access, true);
        let inner = self.inner.clone();
        let limit = request.limit.max(1);
        let offset = request.offset;
        searching(inner.reader.searcher(), move |searcher| {
            let top = || {
                TopDocs::with_limit(limit).and_offset(offset).tweak_score(
                    move |segment: &tantivy::SegmentReader| {
                        let popularity = segment
                            .fast_fields()
                            .i64(POPULARITY)
                            .ok()
                            .map(|c| c.first_or_default_col(0));
                        move |doc: tantivy::DocId, score: Score| {
                            let p = popularity.as_ref().map_or(0, |c| c.get_val(doc));
                            (score, p)
                        }
                    },
                )
            };
            let facets = || {
                let mut facets = FacetCollector::for_field("facets");
                facets.add_facet("/kind");
                facets.add_facet("/year");
                facets.add_facet("/genre");
                facets
            };
            // Typos are forgiven only when the words as typed find nothing, as Typesense does
            // by default (`typo_tokens_threshold` 1): both engines then answer alike, and the
            // fuzzy automata, most of a search's work, are built only for misspelt queries.
            let mut found = searcher.search(exact.as_ref(), &(top(), Count, facets()))?;
            if found.1 == 0 {
                found = searcher.search(with_typos.as_ref(), &(top(), Count, facets()))?;
            }
            let (top, total, facet_counts) = found;
            let mut hits = Vec::with_capacity(top.len());
            for (_, address) in top {
                if let Some(doc) = stored_document(&searcher, address, inner.fields.source)? {
                    hits.push(SearchHit::of(&doc));
                }
            }
            let list = |root: &str| -> Vec<FacetCount> {
                facet_counts
                    .get(root)
                    .map(|(facet, count)| FacetCount {
                        value: facet
                            .to_path()
                            .last()
                            .map(|s| (*s).to_owned())
                            .unwrap_or_default(),
                        count,
                    })
                    .collect()
            };
            Ok(SearchResults {
                total: total as u64,
                hits,
                facets: Facets {
                    kind: list("/kind"),
                    year: list("/year"),
                    genre: list("/genre"),
                }
                .normalize(),
            })
        })
        .await
    }

    /// Searches once, ranking each type's matches separately: one page per type asked for.
    pub async fn search_kinds(
        &self,
        request: &KindsRequest,
    ) -> Result<Vec<SearchMatches>, SearchError> {
        let kinds: Vec<String> = request.pages.iter().map(|p| p.kind.clone()).collect();
        let fields = self.inner.fields;
        // No type clause: the collector keeps the types asked for and drops the rest, and a
        // union of a few types' long lists was a seek per match.
        let exact = query(&fields, &request.q, &[], &request.access, false);
        let (q, access) = (request.q.clone(), request.access.clone());
        let pages: Vec<(usize, usize)> = request
            .pages
            .iter()
            .map(|p| (p.offset, p.limit.max(1)))
            .collect();
        let keep: Vec<usize> = pages
            .iter()
            .map(|(offset, limit)| offset.saturating_add(*limit))
            .collect();
        let inner = self.inner.clone();
        searching(inner.reader.searcher(), move |searcher| {
            let columns = inner.columns.for_searcher(&searcher)?;
            let mut found = searcher.search(
                exact.as_ref(),
                &ByKind::new(kinds.clone(), keep.clone(), columns.clone()),
            )?;
            // As `search`, per type: a type whose words as typed find nothing is searched
            // again with typos forgiven, as a search of that type alone would be.
            let missed: Vec<usize> = (0..found.len())
                .filter(|&i| found.get(i).is_some_and(|f| f.total == 0))
                .collect();
            if !missed.is_empty() {
                let missed_kinds: Vec<String> = missed
                    .iter()
                    .filter_map(|&i| kinds.get(i).cloned())
                    .collect();
                let missed_keep = missed
                    .iter()
                    .filter_map(|&i| keep.get(i).copied())
                    .collect();
                let with_typos = query(&fields, &q, &[], &access, true);
                let again = searcher.search(
                    with_typos.as_ref(),
                    &ByKind::new(missed_kinds, missed_keep, columns),
                )?;
                for (i, kind_found) in missed.into_iter().zip(again) {
                    if let Some(slot) = found.get_mut(i) {
                        *slot = kind_found;
                    }
                }
            }
            Ok(found
                .into_iter()
                .zip(pages)
                .map(|(found, (offset, limit))| SearchMatches {
                    total: found.total,
                    item_ids: found
                        .best
                        .iter()
                        .skip(offset)
                        .take(limit)
                        .map(|r| r.item_id)
                        .collect(),
                })
                .collect())
        })
        .await
    }

    /// Every document id in the index with its fingerprint (as [`crate::backend::fingerprint`]
    /// writes it), read from the fast fields.
    pub async fn fingerprints(&self) -> Result<HashMap<String, String>, SearchError> {
        let inner = self.inner.clone();
        blocking(move || {
            let searcher = inner.reader.searcher();
            let mut out = HashMap::new();
            for segment in searcher.segment_readers() {
                let fast = segment.fast_fields();
                // A segment without the columns holds no document.
                let (Some(ids), Some(prints)) =
                    (fast.str(ID)?, fast.column_opt::<u64>(FINGERPRINT)?)
                else {
                    continue;
                };
                // The ids in their ordinals' order, read once: one walk of the dictionary,
                // not a lookup per document.
                let mut by_ord = Vec::with_capacity(ids.num_terms());
                let mut terms = ids
                    .dictionary()
                    .stream()
                    .map_err(|e| SearchError::Index(e.to_string()))?;
                while terms.advance() {
                    by_ord.push(String::from_utf8_lossy(terms.key()).into_owned());
                }
                let alive = segment.alive_bitset();
                for doc in 0..segment.max_doc() {
                    if alive.is_some_and(|a| !a.is_alive(doc)) {
                        continue;
                    }
                    let id = ids
                        .ords()
                        .first(doc)
                        .and_then(|ord| usize::try_from(ord).ok())
                        .and_then(|ord| by_ord.get(ord));
                    if let (Some(id), Some(print)) = (id, prints.first(doc)) {
                        out.insert(id.clone(), fingerprint_text(print));
                    }
                }
            }
            Ok(out)
        })
        .await
    }
}

fn stored_document(
    searcher: &tantivy::Searcher,
    address: DocAddress,
    source: Field,
) -> Result<Option<SearchDocument>, SearchError> {
    let doc: TantivyDocument = searcher.doc(address)?;
    Ok(doc
        .get_first(source)
        .and_then(|v| v.as_str())
        .and_then(|json| serde_json::from_str(json).ok()))
}

/// The segments a merge takes: all of them, unless one holds most of the documents. That one
/// is left as it is, so the index is not rewritten whole every few writes while it grows; it
/// is merged again once the others together outgrow it, which keeps the work of merging in
/// proportion to the documents written times the logarithm of the index's size.
fn to_merge(segments: &[tantivy::index::SegmentMeta]) -> Vec<tantivy::index::SegmentId> {
    let total: u64 = segments.iter().map(|s| u64::from(s.num_docs())).sum();
    let kept = segments
        .iter()
        .max_by_key(|s| s.num_docs())
        .filter(|s| u64::from(s.num_docs()) * 2 > total)
        .map(tantivy::index::SegmentMeta::id);
    segments
        .iter()
        .map(tantivy::index::SegmentMeta::id)
        .filter(|id| Some(*id) != kept)
        .collect()
}

/// A filter matching any of `terms`, scoring 1 as the set query did, without building a term
/// set's automaton for each query: a filter names one kind or a few libraries, and building it
/// was a tenth of a search's time.
fn any_of(terms: impl Iterator<Item = Term>) -> Box<dyn Query> {
    let mut queries: Vec<(Occur, Box<dyn Query>)> = terms
        .map(|term| {
            let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (Occur::Should, query)
        })
        .collect();
    let query: Box<dyn Query> = if queries.len() == 1 {
        match queries.pop() {
            Some((_, query)) => query,
            None => Box::new(BooleanQuery::new(Vec::new())),
        }
    } else {
        Box::new(BooleanQuery::new(queries))
    };
    Box::new(ConstScoreQuery::new(query, 1.0))
}

/// Typos forgiven per word, by its length (as Typesense does): none for short words.
pub(crate) fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The words of `text` as the index holds them (split, accents folded, lower-cased).
fn tokens(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The query for `q`: every word must match a title or another text field, as a whole word or,
/// for the last one while it is being typed, as a prefix; with `typos`, also within the word's
/// typo distance.
fn query(
    f: &Fields,
    q: &str,
    types: &[String],
    access: &AccessFilter,
    typos: bool,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let tokens = tokens(q);
    // The last word is still being typed unless followed by a space.
    let typing = !q.ends_with(char::is_whitespace);
    for (i, token) in tokens.iter().enumerate() {
        let last = typing && i + 1 == tokens.len();
        let distance = if typos { typo_distance(token) } else { 0 };
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, weight) in [(f.title, 2.0), (f.other, 1.0)] {
            let term = Term::from_field_text(field, token);
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                    3.0 * weight,
                )),
            ));
            if distance > 0 {
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new(term.clone(), distance, true)),
                        weight,
                    )),
                ));
            }
            if last {
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(prefix_query(term, distance), 1.5 * weight)),
                ));
            }
        }
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
    }
    if tokens.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    // Access and type filters: clauses of the query, never applied to a page afterwards.
    if !types.is_empty() {
        let terms = types.iter().map(|t| Term::from_field_text(f.kind, t));
        clauses.push((Occur::Must, any_of(terms)));
    }
    if let Some(libraries) = &access.libraries {
        let terms = libraries
            .iter()
            .map(|id| Term::from_field_i64(f.library_id, *id));
        clauses.push((Occur::Must, any_of(terms)));
    }
    if let Some(max) = access.max_rating_level {
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.rating_level, i64::MIN)),
                Bound::Included(Term::from_field_i64(f.rating_level, i64::from(max))),
            )),
        ));
    }
    // Excluding the few adult documents, not intersecting with the many others: each match
    // then costs a seek in a short list instead of one in a list of nearly every document.
    if !access.adult {
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_bool(f.adult, true),
                IndexRecordOption::Basic,
            )),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The words starting with `term`, `distance` typos forgiven.
fn prefix_query(term: Term, distance: u8) -> Box<dyn Query> {
    if distance > 0 {
        return Box::new(FuzzyTermQuery::new_prefix(term, distance, true));
    }
    // The same words as a Levenshtein automaton of distance 0 would match, found as a range of
    // the term dictionary instead of building the automaton (a search's every last word did:
    // 1% of an uncached Subsonic `search3`'s instructions). A phrase of one word is its prefix.
    let mut prefix = PhrasePrefixQuery::new(vec![term]);
    prefix.set_max_expansions(u32::MAX);
    Box::new(prefix)
}

/// Runs a search where it is asked when the index is small enough that it is about a tenth of a
/// millisecond of work (about what handing it to a blocking thread and back costs, and no
/// longer than a runtime worker may be kept); on a larger index, on a blocking thread.
async fn searching<T: Send + 'static>(
    searcher: Searcher,
    work: impl FnOnce(Searcher) -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    if searcher.num_docs() <= INLINE_SEARCH_DOCS {
        work(searcher)
    } else {
        blocking(move || work(searcher)).await
    }
}

/// Runs index work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Index(format!("index task failed: {e}")))?
}
