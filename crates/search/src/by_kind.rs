//! A tantivy collector that ranks one query's matches separately for each document type, so a
//! client asking for the best artists, albums and songs at once costs one search, not three.

use std::cmp::Ordering;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::embedded::{ITEM_ID, KIND, POPULARITY};

/// Ranks matches per type: relevance, then popularity, then index order, as the embedded
/// index's mixed search does.
pub(crate) struct ByKind {
    kinds: Vec<String>,
    /// Best matches kept per type (its offset plus its page size).
    keep: Vec<usize>,
}

impl ByKind {
    /// A collector keeping the `keep` best matches of each of `kinds` (same order).
    pub(crate) fn new(kinds: Vec<String>, keep: Vec<usize>) -> Self {
        Self { kinds, keep }
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
        let fast = reader.fast_fields();
        // A segment without the column holds no document of any type asked for.
        let (ords, kind) = match fast.str(KIND)? {
            Some(column) => {
                let ords = self
                    .kinds
                    .iter()
                    .map(|kind| column.dictionary().term_ord(kind))
                    .collect::<std::io::Result<Vec<_>>>()?;
                (ords, Some(Values::new(column.ords().clone())))
            }
            None => (vec![None; self.kinds.len()], None),
        };
        Ok(ByKindSegment {
            segment_ord,
            ords,
            kind,
            item_id: Values::new(fast.i64(ITEM_ID)?),
            popularity: Values::new(fast.i64(POPULARITY)?),
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

/// The collector of one segment.
pub(crate) struct ByKindSegment {
    segment_ord: SegmentOrdinal,
    /// Each type's term ordinal in this segment's `kind` column (`None`: no such document).
    ords: Vec<Option<u64>>,
    kind: Option<Values<u64>>,
    item_id: Values<i64>,
    popularity: Values<i64>,
    keep: Vec<usize>,
    /// Per type, the score and popularity of the worst match kept once as many as kept are
    /// found: a match ranking below it can never make the page.
    floors: Vec<(Score, i64)>,
    found: Vec<KindFound>,
}

impl SegmentCollector for ByKindSegment {
    type Fruit = Vec<KindFound>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(ord) = self.kind.as_ref().and_then(|kind| kind.first(doc)) else {
            return;
        };
        let Some(slot) = self.ords.iter().position(|o| *o == Some(ord)) else {
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
        let popularity = self.popularity.first(doc).unwrap_or(0);
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
            item_id: self.item_id.first(doc).unwrap_or(0),
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
