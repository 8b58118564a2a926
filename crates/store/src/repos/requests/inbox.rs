//! The inboxes and unread counts of a user, and the accounts a request reaches.

use super::*;
use jsap_domain::roles::Permissions;

/// What an account handles requests for, from its permissions: organisations, cities, the
/// whole country.
fn handled(permissions: &Permissions) -> Handled {
    Handled {
        orgs: permissions
            .organisations()
            .into_iter()
            .map(|(id, _)| id)
            .collect(),
        cities: permissions.focal_cities(),
        operator: permissions.is_operator(),
    }
}

impl Inbox {
    /// Whether an account with `permissions` has this inbox (every account has its own; the
    /// others go with organisations, cities, the country).
    pub fn open_to(self, permissions: &Permissions) -> bool {
        let handled = handled(permissions);
        match self {
            Inbox::Country => handled.operator,
            Inbox::Member => true,
            Inbox::Organisation => !handled.orgs.is_empty(),
            Inbox::FocalPoint => !handled.cities.is_empty(),
        }
    }
}

impl<'a, C: crate::Connection> Requests<'a, C> {
    /// The requests of an inbox, or `None` when the user has no such inbox.
    fn inbox_query(
        &self,
        user_id: i64,
        permissions: &Permissions,
        inbox: Inbox,
    ) -> Option<sea_orm::Select<request::Entity>> {
        if !inbox.open_to(permissions) {
            return None;
        }
        let handled = handled(permissions);
        let query = self.rows();
        Some(match inbox {
            Inbox::Country => query,
            Inbox::Member => query.filter(request::Column::MemberUserId.eq(user_id)),
            Inbox::Organisation => {
                query.filter(request::Column::OrganisationId.is_in(handled.orgs))
            }
            Inbox::FocalPoint => query.filter(request::Column::CityId.is_in(handled.cities)),
        })
    }

    /// The requests of an inbox the user has not read.
    pub(super) async fn inbox_unread_ids(
        &self,
        user_id: i64,
        query: &sea_orm::Select<request::Entity>,
    ) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<i64> = query
            .clone()
            .select_only()
            .column(request::Column::Id)
            .into_tuple()
            .all(&self.conn)
            .await?;
        self.unread_among(user_id, &ids).await
    }

    /// The number of unread requests of an inbox (a tab's badge), or `None` without it.
    pub async fn inbox_unread(
        &self,
        user_id: i64,
        permissions: &Permissions,
        inbox: Inbox,
    ) -> Result<Option<u64>, StoreError> {
        let Some(query) = self.inbox_query(user_id, permissions, inbox) else {
            return Ok(None);
        };
        Ok(Some(
            self.inbox_unread_ids(user_id, &query).await?.len() as u64
        ))
    }

    /// Of these requests, those with something `user_id` has not read: never opened, or a
    /// message from someone else since the last reading.
    pub(super) async fn unread_among(
        &self,
        user_id: i64,
        ids: &[i64],
    ) -> Result<HashSet<i64>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let mut unread = HashSet::new();
        for chunk in ids.chunks(500) {
            let reads: HashMap<i64, DateTime<Utc>> = self
                .scope
                .all::<read::Entity>()
                .filter(read::Column::UserId.eq(user_id))
                .filter(read::Column::RequestId.is_in(chunk.to_vec()))
                .all(&self.conn)
                .await?
                .into_iter()
                .map(|r| (r.request_id, r.last_read_at))
                .collect();
            let latest: Vec<(i64, Option<DateTime<Utc>>)> = self
                .scope
                .all::<message::Entity>()
                .select_only()
                .column(message::Column::RequestId)
                .column_as(Expr::col(message::Column::CreatedAt).max(), "latest")
                .filter(message::Column::AuthorUserId.ne(user_id))
                .filter(message::Column::RequestId.is_in(chunk.to_vec()))
                .group_by(message::Column::RequestId)
                .into_tuple()
                .all(&self.conn)
                .await?;
            let latest: HashMap<i64, DateTime<Utc>> = latest
                .into_iter()
                .filter_map(|(id, at)| Some((id, at?)))
                .collect();
            for id in chunk {
                match reads.get(id) {
                    None => {
                        unread.insert(*id);
                    }
                    Some(read_at) => {
                        if latest.get(id).is_some_and(|at| at > read_at) {
                            unread.insert(*id);
                        }
                    }
                }
            }
        }
        Ok(unread)
    }

    /// One page of an inbox as `view` selects and orders it, with the number of unread
    /// requests of the whole inbox.
    pub async fn inbox(
        &self,
        user_id: i64,
        permissions: &Permissions,
        inbox: Inbox,
        view: &InboxView,
        page: u64,
        per_page: u64,
    ) -> Result<InboxPage, StoreError> {
        let Some(query) = self.inbox_query(user_id, permissions, inbox) else {
            return Ok(InboxPage {
                items: Vec::new(),
                total: 0,
                unread: 0,
            });
        };
        let unread = self.inbox_unread_ids(user_id, &query).await?;
        let query = view.apply(query);
        let total = query.clone().count(&self.conn).await?;
        let rows = query
            .offset(page.saturating_sub(1) * per_page)
            .limit(per_page)
            .all(&self.conn)
            .await?;
        Ok(InboxPage {
            items: rows
                .into_iter()
                .map(|m| InboxItem {
                    unread: unread.contains(&m.id),
                    request: m.into(),
                })
                .collect(),
            total,
            unread: unread.len() as u64,
        })
    }

    /// Unread requests over every inbox of the user (the header badge), in one query: the
    /// user's requests, their organisations' and their cities' (from `permissions`), never
    /// opened by the user or with a message from someone else since their last reading.
    pub async fn unread_count(
        &self,
        user_id: i64,
        permissions: &Permissions,
    ) -> Result<u64, StoreError> {
        let tenant = self.scope.id();
        let handled = handled(permissions);
        // Each branch of the union walks its own index: (tenant, member), (tenant,
        // organisation), (tenant, city); then primary keys.
        let mut sql = Sql::new(self.conn.get_database_backend());
        sql.push("SELECT COUNT(*) AS n FROM ( SELECT q.id FROM requests q WHERE q.tenant_id = ")
            .param(tenant)
            .push(" AND q.member_user_id = ")
            .param(user_id);
        for (column, ids) in [
            ("organisation_id", &handled.orgs),
            ("city_id", &handled.cities),
        ] {
            if ids.is_empty() {
                continue;
            }
            sql.push(" UNION SELECT q.id FROM requests q WHERE q.tenant_id = ")
                .param(tenant)
                .push(&format!(" AND q.{column} IN ("));
            for (n, id) in ids.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.param(*id);
            }
            sql.push(")");
        }
        sql.push(
            " ) ids JOIN requests r ON r.id = ids.id \
             LEFT JOIN request_reads rr ON rr.tenant_id = r.tenant_id AND rr.request_id = r.id \
             AND rr.user_id = ",
        )
        .param(user_id)
        .push(" WHERE r.tenant_id = ")
        .param(tenant)
        .push(
            " AND (rr.user_id IS NULL OR EXISTS (SELECT 1 FROM request_messages rm \
             WHERE rm.tenant_id = r.tenant_id AND rm.request_id = r.id AND rm.author_user_id <> ",
        )
        .param(user_id)
        .push(" AND rm.created_at > rr.last_read_at))");
        let n: i64 = match self.conn.query_one_raw(sql.statement()).await? {
            Some(row) => get(&row, "n")?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The accounts holding one of `roles` (for that city or organisation when given), by id.
    pub(super) async fn accounts_with(
        &self,
        roles: &[Role],
        city_id: Option<i64>,
        organisation_id: Option<i64>,
    ) -> Result<Vec<Account>, StoreError> {
        let mut query = self
            .scope
            .all::<membership::Entity>()
            .filter(membership::Column::Role.is_in(roles.iter().map(|r| r.as_str())));
        if let Some(city) = city_id {
            query = query.filter(membership::Column::CityId.eq(city));
        }
        if let Some(org) = organisation_id {
            query = query.filter(membership::Column::OrganisationId.eq(org));
        }
        let ids: Vec<i64> = query
            .all(&self.conn)
            .await?
            .iter()
            .map(|m| m.user_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .scope
            .all::<user::Entity>()
            .filter(user::Column::Id.is_in(ids))
            .order_by_asc(user::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Account::from)
            .collect())
    }

    /// The members of an organisation (admins and editors).
    pub async fn organisation_members(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<Account>, StoreError> {
        self.accounts_with(
            &[Role::OrganisationAdmin, Role::OrganisationEditor],
            None,
            Some(organisation_id),
        )
        .await
    }

    /// The focal points (accounts) of a city.
    pub async fn focal_points(&self, city_id: i64) -> Result<Vec<Account>, StoreError> {
        self.accounts_with(&[Role::FocalPoint], Some(city_id), None)
            .await
    }

    /// The country operators of the tenant.
    pub async fn operators(&self) -> Result<Vec<Account>, StoreError> {
        self.accounts_with(&[Role::CountryOperator], None, None)
            .await
    }
}
