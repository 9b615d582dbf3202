//! A tantivy collector that ranks one query's matches separately for each document type, so a
//! client asking for the best artists, albums and songs at once costs one search, not three.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::embedded::{ITEM_ID, KIND, POPULARITY};

/// Ranks matches per type: relevance, then popularity, then index order, as the embedded
/// index's mixed search does.
pub(crate) struct ByKind {
    kinds: Vec<String>,
    /// Best matches kept per type (its offset plus its page size).
    keep: Vec<usize>,
    /// The searcher's segments' columns, by segment ordinal.
    columns: Vec<Arc<SegmentColumns>>,
}

impl ByKind {
    /// A collector keeping the `keep` best matches of each of `kinds` (same order), reading
    /// the columns [`ColumnCache::for_searcher`] gave for the searcher it collects from.
    pub(crate) fn new(
        kinds: Vec<String>,
        keep: Vec<usize>,
        columns: Vec<Arc<SegmentColumns>>,
    ) -> Self {
        Self {
            kinds,
            keep,
            columns,
        }
    }
}

/// `kind_of`'s byte for a document without a type.
const NO_KIND: u8 = u8::MAX;
/// `kind_of`'s byte for a type whose ordinal does not fit below [`NO_KIND`]: read from the
/// column instead.
const LATER_KIND: u8 = u8::MAX - 1;

/// What the per-type collector reads of one segment, made once while the segment is searched:
/// opening the three columns was 2% of an uncached Subsonic `search3`'s instructions, and
/// decoding a match's type from the compressed column a fifth of collecting it.
pub(crate) struct SegmentColumns {
    /// Each document's type: its ordinal in `kinds`, [`NO_KIND`] or [`LATER_KIND`]. One byte a
    /// document (20 KiB for the bench's 20,000 tracks).
    kind_of: Box<[u8]>,
    /// The segment's types by ordinal, up to [`LATER_KIND`] of them.
    kinds: Vec<String>,
    /// The type column, kept only when some document's type is a [`LATER_KIND`].
    later: Option<StrColumn>,
    item_id: Values<i64>,
    popularity: Values<i64>,
}

impl SegmentColumns {
    fn open(reader: &SegmentReader) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let mut kinds = Vec::new();
        let mut later = None;
        let mut kind_of = vec![NO_KIND; reader.max_doc() as usize].into_boxed_slice();
        // A segment without the column holds no document of any type.
        if let Some(column) = fast.str(KIND)? {
            let mut terms = column.dictionary().stream()?;
            while kinds.len() < usize::from(LATER_KIND) && terms.advance() {
                kinds.push(String::from_utf8_lossy(terms.key()).into_owned());
            }
            let ords = Values::new(column.ords().clone());
            for (doc, byte) in (0..).zip(kind_of.iter_mut()) {
                if let Some(ord) = ords.first(doc) {
                    *byte = u8::try_from(ord)
                        .ok()
                        .filter(|b| *b < LATER_KIND)
                        .unwrap_or(LATER_KIND);
                }
            }
            if kind_of.contains(&LATER_KIND) {
                later = Some(column);
            }
        }
        Ok(Self {
            kind_of,
            kinds,
            later,
            item_id: Values::new(fast.i64(ITEM_ID)?),
            popularity: Values::new(fast.i64(POPULARITY)?),
        })
    }
}

/// The columns of the segments searched lately, by segment id: a segment's documents keep
/// their numbers for as long as it exists (deletions only mark them), so what was read of it
/// stays true.
#[derive(Default)]
pub(crate) struct ColumnCache(Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>);

impl ColumnCache {
    /// The columns of each of `searcher`'s segments, by segment ordinal: made for segments not
    /// seen before; those of segments the searcher no longer has are dropped.
    pub(crate) fn for_searcher(
        &self,
        searcher: &Searcher,
    ) -> tantivy::Result<Vec<Arc<SegmentColumns>>> {
        let readers = searcher.segment_readers();
        // A cache: what a panicking holder left is still a set of complete entries.
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let known: Vec<Option<Arc<SegmentColumns>>> = {
            let cache = lock();
            readers
                .iter()
                .map(|r| cache.get(&r.segment_id()).cloned())
                .collect()
        };
        if known.iter().all(Option::is_some) {
            return Ok(known.into_iter().flatten().collect());
        }
        // Made outside the lock: other searches go on meanwhile (two making the same segment's
        // at once make equal ones).
        let mut columns = Vec::with_capacity(readers.len());
        let mut made = Vec::new();
        for (reader, known) in readers.iter().zip(known) {
            let segment = match known {
                Some(segment) => segment,
                None => {
                    let segment = Arc::new(SegmentColumns::open(reader)?);
                    made.push((reader.segment_id(), segment.clone()));
                    segment
                }
            };
            columns.push(segment);
        }
        let mut cache = lock();
        cache.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
        cache.extend(made);
        Ok(columns)
    }
}

/// One match.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    score: Score,
    popularity: i64,
    address: DocAddress,
    /// The item's id within its module.
    pub(crate) item_id: i64,
}

/// What was found of one type.
#[derive(Debug, Default)]
pub(crate) struct KindFound {
    /// Every match of the type.
    pub(crate) total: u64,
    /// The best ones, best first (at most the number kept).
    pub(crate) best: Vec<Ranked>,
}

/// `Less` when `a` ranks before `b`.
fn rank(a: &Ranked, b: &Ranked) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.popularity.cmp(&a.popularity))
        .then(a.address.cmp(&b.address))
}

/// Leaves the `keep` best of `found`, in no particular order but for the worst of them, which
/// is last.
fn trim(found: &mut Vec<Ranked>, keep: usize) {
    if keep == 0 {
        found.clear();
    } else if found.len() > keep {
        found.select_nth_unstable_by(keep - 1, rank);
        found.truncate(keep);
    }
}

/// Leaves the `keep` best of `found`, sorted.
fn settle(found: &mut Vec<Ranked>, keep: usize) {
    trim(found, keep);
    found.sort_unstable_by(rank);
}

impl Collector for ByKind {
    type Fruit = Vec<KindFound>;
    type Child = ByKindSegment;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ByKindSegment> {
        let columns = match self.columns.get(segment_ord as usize) {
            Some(columns) => columns.clone(),
            // A searcher other than the one the columns were made for.
            None => Arc::new(SegmentColumns::open(reader)?),
        };
        let slot = |name: &str| self.kinds.iter().position(|k| k == name);
        let mut slot_of: Vec<Slot> = columns
            .kinds
            .iter()
            .map(|name| slot(name).map_or(Slot::Skip, Slot::At))
            .collect();
        slot_of.resize(usize::from(NO_KIND) + 1, Slot::Skip);
        if let Some(later) = slot_of.get_mut(usize::from(LATER_KIND)) {
            *later = Slot::Read;
        }
        let ords = match &columns.later {
            Some(column) => self
                .kinds
                .iter()
                .map(|kind| column.dictionary().term_ord(kind))
                .collect::<std::io::Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        Ok(ByKindSegment {
            segment_ord,
            slot_of,
            ords,
            columns,
            keep: self.keep.clone(),
            floors: vec![(Score::NEG_INFINITY, i64::MIN); self.kinds.len()],
            found: self.kinds.iter().map(|_| KindFound::default()).collect(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<Vec<KindFound>>) -> tantivy::Result<Vec<KindFound>> {
        let mut merged: Vec<KindFound> = self.kinds.iter().map(|_| KindFound::default()).collect();
        for segment in segments {
            for (into, found) in merged.iter_mut().zip(segment) {
                into.total += found.total;
                into.best.extend(found.best);
            }
        }
        for (found, keep) in merged.iter_mut().zip(&self.keep) {
            settle(&mut found.best, *keep);
        }
        Ok(merged)
    }
}

/// A fast field read one match at a time.
struct Values<T> {
    column: Column<T>,
    /// Every document has exactly one value (the index writes all three fields on every
    /// document): read straight from the values, not through the column's index, whose row
    /// range `Column::first` walks first.
    one_each: bool,
}

impl<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static> Values<T> {
    fn new(column: Column<T>) -> Self {
        let one_each = column.get_cardinality() == Cardinality::Full;
        Self { column, one_each }
    }

    fn first(&self, doc: DocId) -> Option<T> {
        if self.one_each {
            Some(self.column.values.get_val(doc))
        } else {
            self.column.first(doc)
        }
    }
}

/// Where a document of some type goes.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// Not a type asked for.
    Skip,
    /// The type asked for at this position.
    At(usize),
    /// A [`LATER_KIND`]: its type is read from the column.
    Read,
}

/// The collector of one segment.
pub(crate) struct ByKindSegment {
    segment_ord: SegmentOrdinal,
    /// By [`SegmentColumns::kind_of`]'s byte, where a document goes.
    slot_of: Vec<Slot>,
    /// Each type's term ordinal in this segment's `kind` column (`None`: no such document),
    /// for documents of a [`LATER_KIND`] (empty when there are none).
    ords: Vec<Option<u64>>,
    columns: Arc<SegmentColumns>,
    keep: Vec<usize>,
    /// Per type, the score and popularity of the worst match kept once as many as kept are
    /// found: a match ranking below it can never make the page.
    floors: Vec<(Score, i64)>,
    found: Vec<KindFound>,
}

impl ByKindSegment {
    /// The position of `doc`'s type among those asked for.
    fn slot(&self, doc: DocId) -> Option<usize> {
        let byte = *self.columns.kind_of.get(doc as usize)?;
        match self.slot_of.get(usize::from(byte))? {
            Slot::Skip => None,
            Slot::At(slot) => Some(*slot),
            Slot::Read => {
                let ord = self.columns.later.as_ref()?.ords().first(doc)?;
                self.ords.iter().position(|o| *o == Some(ord))
            }
        }
    }
}

impl SegmentCollector for ByKindSegment {
    type Fruit = Vec<KindFound>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(slot) = self.slot(doc) else {
            return;
        };
        let (Some(found), Some(&keep), Some(floor)) = (
            self.found.get_mut(slot),
            self.keep.get(slot),
            self.floors.get_mut(slot),
        ) else {
            return;
        };
        found.total += 1;
        // Most matches of a broad query score below the page kept so far: they are counted,
        // and their columns are not read.
        if keep == 0 || score < floor.0 {
            return;
        }
        let popularity = self.columns.popularity.first(doc).unwrap_or(0);
        // Many matches tie on score (one word in titles of one length). One that ties the
        // worst kept match on popularity too comes after it in index order (a segment's
        // documents arrive in order), so it ranks below it as well.
        if score == floor.0 && popularity <= floor.1 {
            return;
        }
        found.best.push(Ranked {
            score,
            popularity,
            address: DocAddress::new(self.segment_ord, doc),
            item_id: self.columns.item_id.first(doc).unwrap_or(0),
        });
        // Bounded, with selection amortized over many matches.
        if found.best.len() >= (2 * keep).max(64) {
            trim(&mut found.best, keep);
            if let Some(worst) = found.best.last() {
                *floor = (worst.score, worst.popularity);
            }
        }
    }

    fn harvest(mut self) -> Vec<KindFound> {
        for (found, keep) in self.found.iter_mut().zip(&self.keep) {
            settle(&mut found.best, *keep);
        }
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(score: Score, popularity: i64, doc: DocId) -> Ranked {
        Ranked {
            score,
            popularity,
            address: DocAddress::new(0, doc),
            item_id: i64::from(doc),
        }
    }

    #[test]
    fn settle_keeps_the_best_by_score_then_popularity_then_order() {
        let mut found = vec![
            ranked(1.0, 5, 0),
            ranked(3.0, 0, 1),
            ranked(2.0, 1, 2),
            ranked(2.0, 9, 3),
            ranked(2.0, 9, 4),
        ];
        settle(&mut found, 3);
        let ids: Vec<i64> = found.iter().map(|r| r.item_id).collect();
        assert_eq!(ids, vec![1, 3, 4]);
    }

    #[test]
    fn settle_to_nothing_empties() {
        let mut found = vec![ranked(1.0, 0, 0)];
        settle(&mut found, 0);
        assert!(found.is_empty());
    }
}
