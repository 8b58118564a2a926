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

    /// The words of this catalogue's missions in `locale`: their texts in that language, the
    /// tenant's city names and the taxonomy's labels. `None` while another search builds
    /// them: that search goes without a suggestion rather than wait (or build them again).
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
