//! The full-text index of a catalogue, held in memory with it: per language, the analysed
//! terms of each mission's text (`search::mission_text`) and where they occur, ranked with
//! BM25. A search costs no database round trip, so PostgreSQL and SQLite answer it alike.

use jsap_domain::Locale;
use std::collections::HashMap;

/// BM25's usual constants: term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A term's postings: the documents it occurs in (indexes in `Catalogue::missions`, in
/// increasing order) with how many times, delta-encoded. Per document one LEB128 number,
/// `gap << 1 | repeated` (gap: the distance from the previous document, less one), followed
/// by `count - 2` when the term is repeated: a posting takes one byte or two, against eight
/// for a plain pair.
#[derive(Debug, Default)]
struct Postings {
    bytes: Vec<u8>,
    /// The document after the last one added.
    next: u32,
    len: u32,
}

impl Postings {
    /// Adds `doc` (after every document already in) with `count` (at least 1).
    fn push(&mut self, doc: u32, count: u32) {
        let Some(gap) = doc.checked_sub(self.next) else {
            return; // out of order: the caller adds documents in increasing order
        };
        let repeated = count > 1;
        push_varint(&mut self.bytes, u64::from(gap) << 1 | u64::from(repeated));
        if repeated {
            push_varint(&mut self.bytes, u64::from(count - 2));
        }
        self.next = doc.saturating_add(1);
        self.len += 1;
    }

    /// (document, count) in document order.
    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        postings(&self.bytes)
    }
}

/// The (document, count) pairs of postings written by `Postings::push`, in document order.
fn postings(bytes: &[u8]) -> impl Iterator<Item = (u32, u32)> + '_ {
    let mut at = 0;
    let mut next: u64 = 0;
    std::iter::from_fn(move || {
        let head = read_varint(bytes, &mut at)?;
        let doc = next + (head >> 1);
        let count = if head & 1 == 1 {
            read_varint(bytes, &mut at)? + 2
        } else {
            1
        };
        next = doc + 1;
        Some((
            u32::try_from(doc).ok()?,
            u32::try_from(count).unwrap_or(u32::MAX),
        ))
    })
}

fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// The index of the texts in one language.
#[derive(Debug, Default)]
struct LocaleIndex {
    /// Each term's postings while texts are added; empty once finished.
    adding: foldhash::HashMap<Box<str>, Postings>,
    /// Each term's postings once every text is added.
    postings: Terms,
    finished: bool,
    /// The number of terms of each document's text in this language; 0 without one.
    lengths: Vec<u32>,
    /// The document after the last one added.
    next: u32,
    documents: u32,
    terms: u64,
}

/// The terms of a finished index and their postings, in three arrays rather than a map of
/// boxes: a catalogue has thousands of terms, most of them in few documents, and a term held
/// as a boxed word and a vector in a hash map took about 150 bytes besides its postings.
#[derive(Debug, Default)]
struct Terms {
    /// Every term, sorted, one after the other.
    words: String,
    /// Per term, in the same order: where its word ends in `words`, where its postings end in
    /// `bytes`, and how many documents it occurs in.
    ends: Vec<[u32; 3]>,
    bytes: Vec<u8>,
}

impl Terms {
    /// From the postings of each term. A term whose word or postings would end past 4 GiB is
    /// left out (a catalogue that large could not be held in memory anyway).
    fn new(mut adding: Vec<(Box<str>, Postings)>) -> Self {
        adding.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut terms = Terms {
            words: String::with_capacity(adding.iter().map(|(w, _)| w.len()).sum()),
            ends: Vec::with_capacity(adding.len()),
            bytes: Vec::with_capacity(adding.iter().map(|(_, p)| p.bytes.len()).sum()),
        };
        for (word, list) in adding {
            let (Ok(word_end), Ok(bytes_end)) = (
                u32::try_from(terms.words.len() + word.len()),
                u32::try_from(terms.bytes.len() + list.bytes.len()),
            ) else {
                break;
            };
            terms.words.push_str(&word);
            terms.bytes.extend_from_slice(&list.bytes);
            terms.ends.push([word_end, bytes_end, list.len]);
        }
        terms
    }

    /// Where term `i`'s word (`column` 0) or postings (1) lie: from the previous term's end to
    /// its own.
    fn span(&self, i: usize, column: usize) -> std::ops::Range<usize> {
        let start = i
            .checked_sub(1)
            .map_or(0, |p| self.ends[p][column] as usize);
        start..self.ends[i][column] as usize
    }

    fn word(&self, i: usize) -> &str {
        self.words.get(self.span(i, 0)).unwrap_or("")
    }

    /// How many documents `term` occurs in, and its postings.
    fn get(&self, term: &str) -> Option<(u32, &[u8])> {
        let (mut low, mut high) = (0, self.ends.len());
        let i = loop {
            if low >= high {
                return None;
            }
            let middle = low + (high - low) / 2;
            match self.word(middle).cmp(term) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => break middle,
            }
        };
        Some((self.ends[i][2], self.bytes.get(self.span(i, 1))?))
    }
}

/// The full-text index of one catalogue.
#[derive(Debug, Default)]
pub(super) struct TextIndex {
    locales: HashMap<Locale, LocaleIndex>,
}

impl TextIndex {
    /// Adds the text of document `doc` (of `documents`) in `locale`: its analysed terms,
    /// space-separated. Documents are added in increasing order, at most one text each per
    /// language: a document at or before the last one added is left out.
    pub(super) fn add(&mut self, documents: usize, doc: u32, locale: Locale, body: &str) {
        let index = self.locales.entry(locale).or_default();
        if index.finished || doc < index.next || doc as usize >= documents {
            return;
        }
        if index.lengths.len() < documents {
            index.lengths.resize(documents, 0);
        }
        let mut counts: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
        let mut length = 0;
        for term in body.split(' ').filter(|t| !t.is_empty()) {
            *counts.entry(term).or_default() += 1;
            length += 1;
        }
        if length == 0 {
            return;
        }
        index.next = doc.saturating_add(1);
        index.lengths[doc as usize] = length;
        index.documents += 1;
        index.terms += u64::from(length);
        for (term, count) in counts {
            match index.adding.get_mut(term) {
                Some(list) => list.push(doc, count),
                None => {
                    let mut list = Postings::default();
                    list.push(doc, count);
                    index.adding.insert(Box::from(term), list);
                }
            }
        }
    }

    /// Packs the terms once every text is added: texts added after are left out.
    pub(super) fn finish(&mut self) {
        for index in self.locales.values_mut() {
            index.postings = Terms::new(std::mem::take(&mut index.adding).into_iter().collect());
            index.finished = true;
        }
    }

    /// How many (term, document) pairs the index holds, and how many distinct terms.
    pub(super) fn size(&self) -> (usize, usize) {
        self.locales.values().fold((0, 0), |(p, t), index| {
            (
                p + index
                    .postings
                    .ends
                    .iter()
                    .map(|[_, _, documents]| *documents as usize)
                    .sum::<usize>(),
                t + index.postings.ends.len(),
            )
        })
    }

    /// The documents whose text in `locale` has one alternative of every term, in document
    /// order, each with its BM25 score (higher is more relevant; the alternatives of a term
    /// add up).
    pub(super) fn matches(&self, locale: Locale, terms: &[Vec<String>]) -> Vec<(u32, f64)> {
        let Some(index) = self.locales.get(&locale) else {
            return Vec::new();
        };
        if terms.is_empty() || index.documents == 0 {
            return Vec::new();
        }
        let documents = f64::from(index.documents);
        let average = index.terms as f64 / documents;
        // Dense, per document: how many terms it has matched so far, and its score. A
        // document counts for term `t` only if it matched every term before; the
        // alternatives of one term add up.
        let size = index.lengths.len();
        let mut matched = vec![0usize; size];
        let mut scores = vec![0f64; size];
        for (t, alternatives) in terms.iter().enumerate() {
            let mut any = false;
            for term in alternatives {
                let Some((df, list)) = index.postings.get(term.as_str()) else {
                    continue;
                };
                let df = f64::from(df);
                let idf = ((documents - df + 0.5) / (df + 0.5) + 1.0).ln();
                for (doc, count) in postings(list) {
                    let Some(seen) = matched.get_mut(doc as usize) else {
                        continue;
                    };
                    if *seen != t && *seen != t + 1 {
                        continue;
                    }
                    *seen = t + 1;
                    any = true;
                    let tf = f64::from(count);
                    let length = f64::from(index.lengths[doc as usize]);
                    scores[doc as usize] +=
                        idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average));
                }
            }
            if !any {
                return Vec::new();
            }
        }
        (0..size)
            .filter(|&doc| matched[doc] == terms.len())
            .map(|doc| (doc as u32, scores[doc]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(found: Vec<(u32, f64)>) -> HashMap<u32, f64> {
        found.into_iter().collect()
    }

    fn index(texts: &[(u32, Locale, &str)]) -> TextIndex {
        let mut ix = TextIndex::default();
        for (doc, locale, body) in texts {
            ix.add(4, *doc, *locale, body);
        }
        ix.finish();
        ix
    }

    fn terms(groups: &[&[&str]]) -> Vec<Vec<String>> {
        groups
            .iter()
            .map(|g| g.iter().map(|t| (*t).to_owned()).collect())
            .collect()
    }

    #[test]
    fn every_term_must_match_through_one_of_its_alternatives() {
        let ix = index(&[
            (0, Locale::Fr, "ecol douala enseign"),
            (1, Locale::Fr, "sant douala hopital"),
            (2, Locale::Fr, "ecol yaound"),
            (3, Locale::En, "school douala"),
        ]);
        let docs = |found: Vec<(u32, f64)>| found.into_iter().map(|(d, _)| d).collect::<Vec<_>>();
        assert_eq!(
            docs(ix.matches(Locale::Fr, &terms(&[&["douala"]]))),
            [0, 1],
            "French texts only, in document order"
        );
        let both = ix.matches(Locale::Fr, &terms(&[&["ecol"], &["douala"]]));
        assert_eq!(docs(both), [0]);
        let synonym = ix.matches(Locale::Fr, &terms(&[&["medecin", "sant"], &["douala"]]));
        assert_eq!(docs(synonym), [1]);
        assert!(
            ix.matches(Locale::Fr, &terms(&[&["ecol"], &["absent"]]))
                .is_empty()
        );
        assert!(ix.matches(Locale::Ar, &terms(&[&["douala"]])).is_empty());
        assert_eq!(docs(ix.matches(Locale::En, &terms(&[&["school"]]))), [3]);
    }

    #[test]
    fn packed_terms_find_every_word_and_only_those() {
        let words = ["zebu", "ecol", "a", "sant", "ecole", "été"];
        let adding = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut list = Postings::default();
                list.push(i as u32, 1);
                list.push(10 + i as u32, i as u32 + 1);
                (Box::from(*w), list)
            })
            .collect();
        let terms = Terms::new(adding);
        for (i, w) in words.iter().enumerate() {
            let (documents, bytes) = terms.get(w).expect(w);
            assert_eq!(documents, 2, "{w}");
            assert_eq!(
                postings(bytes).collect::<Vec<_>>(),
                [(i as u32, 1), (10 + i as u32, i as u32 + 1)],
                "{w}"
            );
        }
        for absent in ["", "0", "b", "ec", "ecoles", "zz", "étés"] {
            assert!(terms.get(absent).is_none(), "{absent}");
        }
        assert!(Terms::default().get("a").is_none());
    }

    #[test]
    fn postings_come_back_as_they_were_added() {
        let added = [
            (0, 1),
            (1, 2),
            (5, 1),
            (300, 7),
            (70_000, 1),
            (u32::MAX - 1, 100_000),
        ];
        let mut list = Postings::default();
        for (doc, count) in added {
            list.push(doc, count);
        }
        assert_eq!(list.iter().collect::<Vec<_>>(), added);
        assert_eq!(list.len, 6);
        // Near documents seen once take one byte each.
        let mut dense = Postings::default();
        for doc in 0..1_000 {
            dense.push(doc * 3, 1);
        }
        assert_eq!(dense.bytes.len(), 1_000);
    }

    #[test]
    fn rarer_and_repeated_terms_rank_higher() {
        let ix = index(&[
            (0, Locale::Fr, "eau forag village"),
            (1, Locale::Fr, "eau eau eau forag village"),
            (2, Locale::Fr, "eau ecol"),
            (3, Locale::Fr, "eau sant"),
        ]);
        let found = scores(ix.matches(Locale::Fr, &terms(&[&["eau"]])));
        assert!(found[&1] > found[&0], "three times beats once: {found:?}");
        let rare = scores(ix.matches(Locale::Fr, &terms(&[&["forag"]])));
        assert!(
            rare[&0] > found[&0],
            "a rare word weighs more than a common one"
        );
        // A second text in the same language for a document is left out.
        let mut ix = ix;
        ix.add(4, 3, Locale::Fr, "ecol ecol");
        ix.add(4, 0, Locale::Fr, "ecol ecol");
        let ecol = scores(ix.matches(Locale::Fr, &terms(&[&["ecol"]])));
        assert!(!ecol.contains_key(&0) && !ecol.contains_key(&3), "{ecol:?}");
    }
}
