//! Reading a tenant's catalogue from the database.

use super::*;
use jsap_domain::search::Analyzer;

impl Catalogue {
    /// Reads the tenant's catalogue from the database. Its "did you mean" vocabularies will
    /// be built within `builds`' limit.
    pub(crate) async fn load<C: crate::Connection>(
        conn: &C,
        tenant: &Tenant,
        version: i64,
        builds: Arc<VocabularyBuilds>,
    ) -> Result<Self, StoreError> {
        let _counted = cache::BulkRead;
        let scope = Scope::of(tenant);
        let backend = conn.get_database_backend();
        let mut labels = Labels::default();

        let mut sql = Sql::new(backend);
        sql.push("SELECT mission_id, contribution FROM mission_contributions WHERE tenant_id = ")
            .param(scope.id())
            .push(" ORDER BY mission_id, contribution");
        let mut contributions: HashMap<i64, Vec<u16>> = HashMap::new();
        for row in conn.query_all_raw(sql.statement()).await? {
            let contribution: String = get(&row, "contribution")?;
            let list = contributions.entry(get(&row, "mission_id")?).or_default();
            let value = labels.id(&contribution)?;
            if !list.contains(&value) {
                list.push(value);
            }
        }
        let cities = Cities::for_tenant(conn, tenant).list().await?;
        let city_index: HashMap<i64, u16> = cities
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, u16::try_from(i).unwrap_or(NO_CITY)))
            .collect();

        let mut sql = Sql::new(backend);
        sql.push(
            "SELECT id, slug, city_id, organisation_id, domain, mission_type, remote, urgent, featured, \
             flexible, starts_on, ends_on, published_at, skills FROM missions WHERE tenant_id = ",
        )
        .param(scope.id())
        // Only the missions of verified organisations are public.
        .push(
            " AND status = 'published' AND hidden_at IS NULL AND organisation_id IN \
             (SELECT id FROM organisations WHERE tenant_id = ",
        )
        .param(scope.id())
        .push(" AND verified = ")
        .param(true)
        .push(" AND hidden_at IS NULL) ORDER BY id");
        let rows = conn.query_all_raw(sql.statement()).await?;
        let mut missions = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = get(&row, "id")?;
            let domain: String = get(&row, "domain")?;
            let mission_type: String = get(&row, "mission_type")?;
            let published_at: Option<chrono::DateTime<chrono::Utc>> = get(&row, "published_at")?;
            let city_id: i64 = get(&row, "city_id")?;
            let skills: String = get(&row, "skills")?;
            missions.push(Entry {
                id,
                city_id,
                city: city_index.get(&city_id).copied().unwrap_or(NO_CITY),
                organisation_id: get(&row, "organisation_id")?,
                domain: labels.id(&domain)?,
                mission_type: labels.id(&mission_type)?,
                contributions: contributions.remove(&id).unwrap_or_default().into(),
                remote: get(&row, "remote")?,
                urgent: get(&row, "urgent")?,
                featured: get(&row, "featured")?,
                flexible: get(&row, "flexible")?,
                starts_on: get(&row, "starts_on")?,
                ends_on: get(&row, "ends_on")?,
                published_at: published_at.map_or(0, |t| t.timestamp_millis()),
                locales: 0,
                strings: Strings::new(
                    &get::<String>(&row, "slug")?,
                    skills.split(',').map(str::trim),
                )?,
            });
        }
        let text = read_texts(conn, scope.id(), &mut missions, &cities, &labels).await?;
        Ok(Self {
            matches: Mutex::default(),
            vocabularies: Mutex::default(),
            building: tokio::sync::Mutex::default(),
            builds,
            text,
            cities,
            labels,
            organisations: Organisations::for_tenant(conn, tenant).list().await?,
            scope,
            version,
            missions,
        })
    }
}

/// Reads the texts of the published `missions` into them (titles and summaries, the languages
/// they have) and indexes their words as the database index has them (`mission_text`, then
/// analysed: `search::mission_body` gives the same terms).
async fn read_texts<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    missions: &mut [Entry],
    cities: &[CityRecord],
    labels: &Labels,
) -> Result<text::TextIndex, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(
        "SELECT mission_id, locale, title, summary, description FROM mission_texts \
         WHERE tenant_id = ",
    )
    .param(tenant_id)
    .push(" ORDER BY mission_id, id");
    let mut index = text::TextIndex::default();
    let mut analyzers: HashMap<Locale, Analyzer> = HashMap::new();
    let mut texts: Vec<Vec<(Locale, String, String)>> = vec![Vec::new(); missions.len()];
    for row in conn.query_all_raw(sql.statement()).await? {
        let id: i64 = get(&row, "mission_id")?;
        let Ok(doc) = missions.binary_search_by_key(&id, |e| e.id) else {
            continue; // not published
        };
        let code: String = get(&row, "locale")?;
        let Ok(locale) = code.parse::<Locale>() else {
            continue;
        };
        let e = &mut missions[doc];
        if let Some((_, bit)) = LOCALE_BITS.iter().find(|(c, _)| *c == code) {
            e.locales |= bit;
        }
        let title: String = get(&row, "title")?;
        let summary: String = get(&row, "summary")?;
        let description: String = get(&row, "description")?;
        let city = cities
            .get(usize::from(e.city))
            .map_or("", |c| c.name_in(locale));
        let skills = e.strings.skills().collect::<Vec<_>>().join(" ");
        let text = mission_text(
            locale,
            &[&title, &summary, &description, &skills, city],
            labels.name(e.domain),
            labels.name(e.mission_type),
        );
        let body = analyzers
            .entry(locale)
            .or_insert_with(|| Analyzer::new(locale))
            .body(&text);
        let doc32 = u32::try_from(doc)
            .map_err(|_| StoreError::Corrupt("more than 4 billion missions".to_owned()))?;
        // In order: the texts are read by mission, and missions are ordered by id.
        index.add(missions.len(), doc32, locale, &body);
        texts[doc].push((locale, title, summary));
    }
    index.finish();
    for (e, t) in missions.iter_mut().zip(texts) {
        e.strings = e.strings.with_texts(&t)?;
    }
    Ok(index)
}
