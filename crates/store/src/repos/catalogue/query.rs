//! Searching a catalogue: the full-text match (memoised per catalogue), filters, facets, order
//! and page, all in memory.

use super::*;

/// Full-text matches: (index in `Catalogue::missions`, BM25 score negated so that the more
/// relevant sort first), in the order of the missions.
type Matches = Arc<[(u32, f64)]>;

/// The most recently used full-text results of a catalogue, at most `MEMO_SIZE` of them and
/// `MEMO_BYTES` in all. Exact: a catalogue never changes; a write makes a new catalogue with
/// an empty memo.
#[derive(Default)]
pub(super) struct Memo {
    entries: HashMap<String, (u64, Matches)>,
    tick: u64,
    bytes: usize,
}

const MEMO_SIZE: usize = 256;

/// A two-word search over a site's 2,500 missions can match hundreds of them: counted by
/// entries only, the 40 memos of the benchmark held about 30 MB after its cold runs.
const MEMO_BYTES: usize = 256 * 1024;

/// What an entry holds: its key, its matches and about as much again for the map's slot, the
/// key's and the slice's headers.
fn cost(key: &str, matches: &Matches) -> usize {
    key.len() + std::mem::size_of_val::<[(u32, f64)]>(matches) + 64
}

impl Memo {
    fn get(&mut self, key: &str) -> Option<Matches> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(used, m)| {
            *used = tick;
            m.clone()
        })
    }

    /// Keeps `matches` under `key`, dropping the least recently used entries to stay within
    /// both bounds; results larger than the whole budget are not kept.
    fn put(&mut self, key: String, matches: Matches) {
        let needed = cost(&key, &matches);
        if needed > MEMO_BYTES {
            return;
        }
        if let Some((_, old)) = self.entries.remove(&key) {
            self.bytes -= cost(&key, &old);
        }
        while self.entries.len() >= MEMO_SIZE || self.bytes + needed > MEMO_BYTES {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((_, dropped)) = self.entries.remove(&oldest) {
                self.bytes -= cost(&oldest, &dropped);
            }
        }
        self.tick += 1;
        self.bytes += needed;
        self.entries.insert(key, (self.tick, matches));
    }
}

// The filter dimensions that have facet counts, as bits of a "failed" mask.
const CITY: u8 = 1;
const DOMAIN: u8 = 2;
const MISSION_TYPE: u8 = 4;
const CONTRIBUTION: u8 = 8;
/// Fails a filter that has no facet: out of every count.
const OTHER: u8 = 16;

fn flagged(flags: &Option<Vec<bool>>, id: u16) -> bool {
    flags
        .as_ref()
        .is_none_or(|f| f.get(usize::from(id)).copied().unwrap_or(false))
}

/// A query with its lists turned into flags once.
struct Prepared<'q> {
    q: &'q MissionQuery,
    cities: Option<Vec<bool>>,
    organisations: HashSet<i64>,
    domains: Option<Vec<bool>>,
    mission_types: Option<Vec<bool>>,
    contributions: Option<Vec<bool>>,
    /// Contribution types of the chosen tab (not for "remote").
    tab: Option<Vec<bool>>,
}

impl Prepared<'_> {
    /// The dimensions `e` fails (0: it is a result). The text match is checked by the caller.
    fn failed(&self, e: &Entry) -> u8 {
        let q = self.q;
        let mut failed = 0;
        if e.ends_on < q.today
            || (!self.organisations.is_empty() && !self.organisations.contains(&e.organisation_id))
            || (q.urgent_only && !e.urgent)
            || (q.tab == Some(SearchTab::Distance) && !e.remote)
        {
            return OTHER;
        }
        // A stay matches the missions whose window overlaps it, remote or not; a remote
        // mission without a window (flexible) fits any stay.
        if let Some((from, to)) = q.stay
            && !(e.remote && e.flexible)
            && !(e.starts_on <= to && e.ends_on >= from)
        {
            return OTHER;
        }
        if self.tab.is_some() && !e.contributions.iter().any(|c| flagged(&self.tab, *c)) {
            return OTHER;
        }
        if self.cities.is_some() && !flagged(&self.cities, e.city) {
            failed |= CITY;
        }
        if !flagged(&self.domains, e.domain) {
            failed |= DOMAIN;
        }
        if !flagged(&self.mission_types, e.mission_type) {
            failed |= MISSION_TYPE;
        }
        if self.contributions.is_some()
            && !e
                .contributions
                .iter()
                .any(|c| flagged(&self.contributions, *c))
        {
            failed |= CONTRIBUTION;
        }
        failed
    }
}

impl Catalogue {
    /// Runs a search: the full-text match when there is text, then filters, facets (each
    /// counted without its own filter), order and page, then the texts of the page's missions.
    pub fn search(&self, q: &MissionQuery) -> SearchResults {
        let terms = query_terms(&q.text, q.locale);
        let matches = if terms.is_empty() {
            None
        } else {
            Some(self.full_text(q.locale, &terms))
        };
        let tab = q.tab.filter(|t| *t != SearchTab::Distance).map(|tab| {
            let wanted = if tab == SearchTab::Investir {
                Tab::Investir
            } else {
                Tab::Sinvestir
            };
            let slugs: Vec<String> = Taxonomy::builtin()
                .contribution_types
                .iter()
                .filter(|c| c.tab == wanted)
                .map(|c| c.slug.clone())
                .collect();
            self.labels.flags(&slugs).unwrap_or_default()
        });
        let city_flags = (!q.city_ids.is_empty()).then(|| {
            self.cities
                .iter()
                .map(|c| q.city_ids.contains(&c.id))
                .collect::<Vec<_>>()
        });
        let prepared = Prepared {
            q,
            cities: city_flags,
            organisations: q.organisation_ids.iter().copied().collect(),
            domains: self.labels.flags(&q.domains),
            mission_types: self.labels.flags(&q.mission_types),
            contributions: self.labels.flags(&q.contributions),
            tab,
        };

        // With text, only the matches are candidates, each with its score.
        let candidates: Vec<(&Entry, f64)> = match &matches {
            Some(m) => m
                .iter()
                .filter_map(|&(doc, score)| self.missions.get(doc as usize).map(|e| (e, score)))
                .collect(),
            None => self.missions.iter().map(|e| (e, 0.0)).collect(),
        };

        let labels = self.labels.names.len();
        let mut city_counts = vec![0u64; self.cities.len()];
        let mut domain_counts = vec![0u64; labels];
        let mut type_counts = vec![0u64; labels];
        let mut contribution_counts = vec![0u64; labels];
        let mut hits: Vec<(&Entry, f64)> = Vec::new();
        for (e, score) in candidates {
            let failed = prepared.failed(e);
            if failed == 0 {
                hits.push((e, score));
            }
            if !q.with_facets || failed & OTHER != 0 || failed.count_ones() > 1 {
                continue;
            }
            // A mission counts in a facet when it passes every other filter.
            if failed & !CITY == 0
                && let Some(n) = city_counts.get_mut(usize::from(e.city))
            {
                *n += 1;
            }
            if failed & !DOMAIN == 0 {
                domain_counts[usize::from(e.domain)] += 1;
            }
            if failed & !MISSION_TYPE == 0 {
                type_counts[usize::from(e.mission_type)] += 1;
            }
            if failed & !CONTRIBUTION == 0 {
                for c in &e.contributions {
                    contribution_counts[usize::from(*c)] += 1;
                }
            }
        }
        let by_label = |counts: Vec<u64>| -> HashMap<String, u64> {
            counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(id, n)| (self.labels.names[id].to_string(), n))
                .collect()
        };
        let facets = Facets {
            cities: city_counts
                .into_iter()
                .zip(&self.cities)
                .filter(|(n, _)| *n > 0)
                .map(|(n, c)| (c.id, n))
                .collect(),
            domains: by_label(domain_counts),
            mission_types: by_label(type_counts),
            contributions: by_label(contribution_counts),
        };

        let order = |&(a, sa): &(&Entry, f64), &(b, sb): &(&Entry, f64)| match (
            q.sort,
            matches.is_some(),
        ) {
            (SortOrder::Relevance, true) => sa.total_cmp(&sb).then_with(|| b.id.cmp(&a.id)),
            (SortOrder::Relevance, false) => b
                .featured
                .cmp(&a.featured)
                .then_with(|| b.urgent.cmp(&a.urgent))
                .then_with(|| a.starts_on.cmp(&b.starts_on))
                .then_with(|| a.id.cmp(&b.id)),
            (SortOrder::Soonest, _) => a.starts_on.cmp(&b.starts_on).then_with(|| a.id.cmp(&b.id)),
            (SortOrder::Newest, _) => b
                .published_at
                .cmp(&a.published_at)
                .then_with(|| b.id.cmp(&a.id)),
        };
        let total = hits.len() as u64;
        let per_page = q.per_page.clamp(1, 100);
        let start =
            usize::try_from((q.page.max(1) - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        // Only the pages up to this one need ordering.
        let needed = start.saturating_add(per_page as usize);
        if needed < hits.len() {
            hits.select_nth_unstable_by(needed, order);
            hits.truncate(needed);
        }
        hits.sort_unstable_by(order);
        let page: Vec<&Entry> = hits
            .into_iter()
            .skip(start)
            .take(per_page as usize)
            .map(|(e, _)| e)
            .collect();
        let items = page
            .into_iter()
            .map(|e| {
                let text = e.strings.text(q.locale);
                MissionHit {
                    id: e.id,
                    slug: e.strings.slug().to_owned(),
                    title: text
                        .as_ref()
                        .map(|t| t.title.to_owned())
                        .unwrap_or_default(),
                    summary: text
                        .as_ref()
                        .map(|t| t.summary.to_owned())
                        .unwrap_or_default(),
                    lang: text
                        .map(|t| t.locale.as_str().to_owned())
                        .unwrap_or_default(),
                    city_id: e.city_id,
                    organisation_id: e.organisation_id,
                    featured: e.featured,
                    terms: self.terms(e),
                }
            })
            .collect();
        SearchResults {
            total,
            items,
            facets,
        }
    }

    /// The full-text matches of `terms` by mission id, from the memo or the index.
    fn full_text(&self, locale: Locale, terms: &[Vec<String>]) -> Matches {
        let key = format!(
            "{locale}|{}",
            terms
                .iter()
                .map(|alternatives| alternatives.join("|"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        if let Some(found) = self.memo().get(&key) {
            return found;
        }
        // Lower scores first (the order sorts ascending): BM25 negated.
        let found: Matches = self
            .text
            .matches(locale, terms)
            .into_iter()
            .map(|(doc, score)| (doc, -score))
            .collect();
        self.memo().put(key, found.clone());
        found
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.matches.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_keeps_the_most_recently_used_results() {
        let mut memo = Memo::default();
        for i in 0..MEMO_SIZE {
            memo.put(format!("fr|t{i}"), Arc::from([(i as u32, 0.0)]));
        }
        // Use the first entry: the second is now the least recently used.
        assert!(memo.get("fr|t0").is_some());
        memo.put("fr|new".into(), Arc::from([]));
        assert_eq!(memo.entries.len(), MEMO_SIZE);
        assert!(memo.get("fr|t0").is_some());
        assert!(memo.get("fr|t1").is_none());
        assert!(memo.get("fr|new").is_some());
        assert_eq!(memo.get("fr|t2").map(|m| m[0].0), Some(2));
    }

    #[test]
    fn the_memo_keeps_within_its_bytes() {
        let mut memo = Memo::default();
        // 1,000 matches each: about 16 KB, so some fifteen fit in the budget.
        let wide = |first: u32| -> Matches { (first..first + 1_000).map(|d| (d, 0.0)).collect() };
        for i in 0..40 {
            memo.put(format!("fr|w{i}"), wide(i));
        }
        let held: usize = memo.entries.iter().map(|(k, (_, m))| cost(k, m)).sum();
        assert_eq!(memo.bytes, held);
        assert!(held <= MEMO_BYTES, "{held}");
        assert!(memo.entries.len() < 20 && memo.entries.len() > 10);
        // The most recent are the ones kept.
        assert_eq!(memo.get("fr|w39").map(|m| m[0].0), Some(39));
        assert!(memo.get("fr|w0").is_none());
        // Put again under a key it holds: counted once.
        memo.put("fr|w39".into(), wide(7));
        let held: usize = memo.entries.iter().map(|(k, (_, m))| cost(k, m)).sum();
        assert_eq!(memo.bytes, held);
        assert_eq!(memo.get("fr|w39").map(|m| m[0].0), Some(7));
        // A result larger than the whole budget is not kept, and drops nothing.
        let before = memo.entries.len();
        let huge: Matches = (0..20_000).map(|d| (d, 0.0)).collect();
        memo.put("fr|huge".into(), huge);
        assert!(memo.get("fr|huge").is_none());
        assert_eq!(memo.entries.len(), before);
    }
}
