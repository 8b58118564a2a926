//! "Did you mean" over a catalogue: the vocabulary of its missions in one language, read once
//! per catalogue version (at the first search that finds nothing), and a suggestion offered
//! only when it finds something with the same filters.

use super::Catalogue;
use super::{MissionQuery, Sql, get};
use crate::StoreError;
use jsap_domain::spelling::Vocabulary;
use jsap_domain::{Locale, Taxonomy};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The vocabularies this process builds at once, across every site: each build reads all of
/// its site's texts and keeps a core busy, so a fresh server whose forty sites each see a
/// first search that finds nothing builds them a few at a time, not forty at once. Shared by
/// the catalogues of one `Catalogues` (one per store).
#[derive(Debug)]
pub struct VocabularyBuilds {
    limit: usize,
    running: AtomicUsize,
    /// The most builds that ever ran at once.
    peak: AtomicUsize,
}

impl Default for VocabularyBuilds {
    /// Half the cores, at least one: the other half keeps serving pages.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new((cores / 2).max(1))
    }
}

impl VocabularyBuilds {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// How many builds may run at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The most builds that ever ran at once in this store.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// A slot to build in, or `None` when `limit` builds are running.
    fn take(&self) -> Option<BuildSlot<'_>> {
        let before = self
            .running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .ok()?;
        self.peak.fetch_max(before + 1, Ordering::Relaxed);
        Some(BuildSlot(self))
    }
}

/// A running build: gives its slot back when dropped, whether the build ended well or not.
struct BuildSlot<'a>(&'a VocabularyBuilds);

impl Drop for BuildSlot<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Catalogue {
    /// A spelling of `q`'s text that finds missions with `q`'s filters, when `q` finds none
    /// and a word of it is close to a word of the site's missions in `q`'s language.
    pub async fn suggest<C: crate::Connection>(
        &self,
        conn: &C,
        q: &MissionQuery,
    ) -> Result<Option<String>, StoreError> {
        if q.text.trim().is_empty() {
            return Ok(None);
        }
        let conn = &crate::rls::Scoped::tenant(conn, self.scope.id());
        let Some(vocabulary) = self.vocabulary(conn, q.locale).await? else {
            return Ok(None);
        };
        let Some(text) = vocabulary.suggest(&q.text) else {
            return Ok(None);
        };
        let mut again = q.clone();
        again.text.clone_from(&text);
        again.page = 1;
        again.per_page = 1;
        again.with_facets = false;
        let found = self.search(&again).total;
        Ok((found > 0).then_some(text))
    }

    /// Builds the "did you mean" vocabulary of each of `locales` that is not built yet: at
    /// start, so that no site builds its own under traffic. Returns how many are held.
    pub async fn warm_vocabularies<C: crate::Connection>(
        &self,
        conn: &C,
        locales: &[Locale],
    ) -> Result<usize, StoreError> {
        let conn = &crate::rls::Scoped::tenant(conn, self.scope.id());
        let mut held = 0;
        for locale in locales {
            if self.vocabulary(conn, *locale).await?.is_some() {
                held += 1;
            }
        }
        Ok(held)
    }

    /// Whether this catalogue holds its vocabulary in `locale`.
    pub fn holds_vocabulary(&self, locale: Locale) -> bool {
        self.vocabularies().contains_key(&locale)
    }

    /// The words of this catalogue's missions in `locale`: their texts in that language, the
    /// tenant's city names and the taxonomy's labels. `None` while another search builds
    /// them, or while the process runs as many builds as it allows (`VocabularyBuilds`): that
    /// search goes without a suggestion rather than wait (or build them again).
    async fn vocabulary<C: ConnectionTrait>(
        &self,
        conn: &C,
        locale: Locale,
    ) -> Result<Option<Arc<Vocabulary>>, StoreError> {
        if let Some(found) = self.vocabularies().get(&locale) {
            return Ok(Some(found.clone()));
        }
        let Ok(_building) = self.building.try_lock() else {
            return Ok(None);
        };
        if let Some(found) = self.vocabularies().get(&locale) {
            return Ok(Some(found.clone()));
        }
        let Some(_slot) = self.builds.take() else {
            return Ok(None);
        };
        let _counted = super::cache::BulkRead;
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push(
            "SELECT mission_id, title, summary, description FROM mission_texts WHERE tenant_id = ",
        )
        .param(self.scope.id())
        .push(" AND locale = ")
        .param(locale.as_str());
        let mut texts: Vec<String> = Vec::new();
        for row in conn.query_all_raw(sql.statement()).await? {
            let id: i64 = get(&row, "mission_id")?;
            // Only what the site shows: the catalogue's (published) missions.
            if self.missions.binary_search_by_key(&id, |e| e.id).is_err() {
                continue;
            }
            for column in ["title", "summary", "description"] {
                texts.push(get(&row, column)?);
            }
        }
        texts.extend(self.cities.iter().map(|c| c.name_in(locale).to_owned()));
        let taxonomy = Taxonomy::builtin();
        texts.extend(
            taxonomy
                .domains
                .iter()
                .map(|d| d.labels.get(locale).to_owned()),
        );
        texts.extend(
            taxonomy
                .mission_types
                .iter()
                .map(|t| t.labels.get(locale).to_owned()),
        );
        let built = Arc::new(Vocabulary::build(texts.iter().map(String::as_str), locale));
        self.vocabularies().insert(locale, built.clone());
        Ok(Some(built))
    }

    fn vocabularies(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<Locale, Arc<Vocabulary>>> {
        self.vocabularies.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::VocabularyBuilds;

    #[test]
    fn a_slot_is_taken_up_to_the_limit_and_given_back_when_dropped() {
        let builds = VocabularyBuilds::new(2);
        let first = builds.take().expect("a first slot");
        let second = builds.take().expect("a second slot");
        assert!(builds.take().is_none(), "a third build while two run");
        drop(first);
        let third = builds.take().expect("the slot given back");
        assert_eq!(builds.peak(), 2);
        drop((second, third));
        assert!(builds.take().is_some());
        assert_eq!(builds.peak(), 2);
        assert!(VocabularyBuilds::default().limit() >= 1);
    }
}
