//! Reading a tenant's catalogue from the database.

use super::*;

impl Catalogue {
    /// Reads the tenant's catalogue from the database.
    pub(crate) async fn load<C: crate::Connection>(
        conn: &C,
        tenant: &Tenant,
        version: i64,
    ) -> Result<Self, StoreError> {
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
        // The languages of each mission's texts (the unique index on tenant, mission and
        // locale answers this without reading the texts).
        let mut sql = Sql::new(backend);
        sql.push("SELECT mission_id, locale FROM mission_texts WHERE tenant_id = ")
            .param(scope.id());
        let mut locales: HashMap<i64, u8> = HashMap::new();
        for row in conn.query_all_raw(sql.statement()).await? {
            let locale: String = get(&row, "locale")?;
            if let Some((_, bit)) = LOCALE_BITS.iter().find(|(code, _)| *code == locale) {
                *locales.entry(get(&row, "mission_id")?).or_default() |= bit;
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
            missions.push(Entry {
                id,
                slug: get::<String>(&row, "slug")?.into_boxed_str(),
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
                skills: get::<String>(&row, "skills")?
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Box::from)
                    .collect(),
                locales: locales.remove(&id).unwrap_or_default(),
            });
        }
        let search_key = match backend {
            sea_orm::DbBackend::Postgres => None,
            _ => Some(search_key(conn, scope.id()).await?),
        };
        Ok(Self {
            matches: Mutex::default(),
            vocabularies: Mutex::default(),
            search_key,
            cities,
            labels,
            organisations: Organisations::for_tenant(conn, tenant).list().await?,
            scope,
            version,
            missions,
        })
    }
}
