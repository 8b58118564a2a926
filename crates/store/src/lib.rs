//! The data layer. Tenant-owned tables are reachable only through repositories built from a
//! tenant (`Cities::for_tenant(&conn, &tenant)`): the entities are private to this crate, so a
//! query that forgets its tenant cannot be written elsewhere. The few cross-tenant operations
//! (config sync, outbox delivery, platform staff) say so in their names.
//!
//! Outside this crate, the entities cannot even be named, so this does not compile:
//!
//! ```compile_fail
//! use jsap_store::entities::mission;
//! ```
//!
//! while the scoped way does (the tenant is required to build the repository):
//!
//! ```no_run
//! # async fn demo(store: &jsap_store::Store, tenant: &jsap_tenancy::Tenant) -> Result<(), jsap_store::StoreError> {
//! let counts = jsap_store::Missions::for_tenant(store.conn(), tenant)
//!     .open_counts(chrono::Utc::now().date_naive())
//!     .await?;
//! # Ok(()) }
//! ```

mod entities;
mod error;
mod repos;
mod rls;

pub use error::StoreError;
pub use repos::access_tokens::{AccessTokens, TOKEN_PREFIX, TokenRecord};
pub use repos::accounts::{
    Account, Accounts, BlockState, Consent, Consents, DbSessions, Erased, Membership, Role,
    StoredSession, TokenPurpose, TokenUse, is_erased_address, random_token, token_digest,
};
pub use repos::audit::{
    AuditActor, AuditEntry, AuditLog, AuditPage, AuditTarget, JournalQuery, NewAuditEntry,
    StaffAuditLog,
};
pub use repos::catalogue::{
    Catalogue, Catalogues, VocabularyBuilds, bulk_reads, catalogue_lookups,
};
pub use repos::cities::{Cities, CityEdit, CityNames, CityRecord, NewCity};
pub use repos::digests::Digests;
pub use repos::exports::{ExportList, ExportNames, Exports};
pub use repos::favourites::{Favourites, SavedMission, SavedPage};
pub use repos::invitations::{
    Grant, INVITATION_TTL_DAYS, InvitationRecord, Invitations, NewInvitation,
};
pub use repos::members::OrganisationMembers;
pub use repos::mission_edits::{
    HistoryEntry, MissionEdits, MissionFields, MissionFilter, MissionRecord, MissionRow,
    MissionTerms, StepWrite,
};
pub use repos::missions::{MissionCounts, MissionDetail, MissionText, Missions, NewMission};
pub use repos::news::{NEWS_PER_PAGE, NewNewsPost, NewsPage, NewsPhoto, NewsPost, NewsPosts};
pub use repos::organisations::{
    NewOrganisation, OrganisationProfile, OrganisationRecord, Organisations,
};
pub use repos::outbox::{NewEmail, Outbox, OutboxDelivery, OutboxEmail, OutboxStatus};
pub use repos::overview::{Overview, TenantOverview};
pub use repos::pages::{NewPageVersion, PageVersion, PageVersions};
pub use repos::photos::{
    MissionPhotos, NewMissionPhoto, PHOTO_TYPES, PHOTOS_MAX, PhotoRecord, PhotoUpload,
};
pub use repos::profiles::{Profile, Profiles, Stay};
pub use repos::proposals::MissionProposals;
pub use repos::recommend::{CandidateFilter, CandidateMission, Recommendables};
pub use repos::reports::{Report, Reported, ReportedContent, Reports};
pub use repos::requests::{
    Action, Inbox, InboxItem, InboxOrder, InboxPage, InboxView, Language, NewRequest,
    OFFLINE_TRIAGE, OpenSurvey, RequestKind, RequestMessage, RequestRecord, RequestState,
    RequestTriage, Requests, Side, TransitionError, Urgency, configured_focal_points,
};
pub use repos::search::{
    Facets, MissionHit, MissionQuery, MissionSearch, SearchResults, SearchTab, SortOrder,
};
pub use repos::statistics::{
    Delays, Figures, MonthTally, Statistics, StatsPeriod, SurveyScores, Tally, WeekTally,
};
pub use repos::sync::{SyncReport, sync_tenant};
pub use repos::translations::{
    MissionTranslations, TranslationDraft, TranslationState, TranslationText,
};
pub use repos::users::{StaffAccounts, StaffUpsert, UserRecord};

pub use rls::Connection;

/// For tests that look at or change the database behind the app's back: statements that
/// cross tenants, as the store's cross-tenant repositories run them (on PostgreSQL, each in a
/// transaction with `app.all_tenants` on, for the row-level security policies).
#[cfg(feature = "test-support")]
pub trait AcrossTenants: Connection + Sized {
    fn across_tenants(&self) -> impl sea_orm::ConnectionTrait + '_ {
        rls::Scoped::all_tenants(self)
    }
}

#[cfg(feature = "test-support")]
impl<C: Connection> AcrossTenants for C {}

/// sea-orm's own types, for tests that read or break the database with raw SQL.
#[cfg(feature = "test-support")]
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait, TryGetable, Value,
};

use jsap_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database};
use std::time::Duration;

/// The `tracing` target of the events in which sqlx reports each connection taken from the
/// pool, with the seconds waited for it in the field `ACQUIRE_WAIT_FIELD`: at debug level, or
/// at warn level when the wait passed two seconds.
pub const ACQUIRE_TARGET: &str = "sqlx::pool::acquire";
/// The field of those events that holds the seconds waited (a float).
pub const ACQUIRE_WAIT_FIELD: &str = "acquired_after_secs";

/// Each SQLite connection's page cache, in KiB (SQLite's default is 2,000).
pub const SQLITE_CACHE_KIB: u32 = 512;

/// The database handle, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: sea_orm::DatabaseConnection,
    catalogues: std::sync::Arc<Catalogues>,
}

impl Store {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut options = ConnectOptions::new(url.to_owned());
        // Bounded waits: with PostgreSQL down a request answers "try again" within about two
        // seconds instead of queueing. (SQLite is a local file: its waits are for the one
        // writer, so a little longer.)
        options
            .connect_timeout(Duration::from_secs(2))
            .acquire_timeout(Duration::from_secs(2))
            .sqlx_logging(false);
        if url.starts_with("sqlite:") {
            options.acquire_timeout(Duration::from_secs(5));
            // One writer at a time is what SQLite allows; WAL lets readers go on meanwhile.
            options
                .max_connections(8)
                .min_connections(1)
                // Per connection, not once per pool: every pooled connection waits on a
                // locked database instead of failing, and syncs in WAL's cheaper mode.
                .map_sqlx_sqlite_opts(|o| {
                    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(5))
                        // Each connection keeps its own page cache, 2 MB by default: 16 MB
                        // for the pool, allocated in the process. The file is in the
                        // system's cache anyway, and catalogue loads read it once through.
                        .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                });
        } else {
            options.max_connections(32).min_connections(2);
        }
        // sqlx reports every connection taken from the pool with the time waited for it, as
        // a `tracing` event of target `ACQUIRE_TARGET` (the metrics count them).
        options
            .map_sqlx_sqlite_pool_opts(|o| o.acquire_time_level(log::LevelFilter::Debug))
            .map_sqlx_postgres_pool_opts(|o| o.acquire_time_level(log::LevelFilter::Debug));
        let db = Database::connect(options).await?;
        Ok(Self {
            db,
            catalogues: Default::default(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Writes a consistent copy of the embedded (SQLite) database to `path`, a new file, while
    /// it serves: `VACUUM INTO` reads in one transaction. `Corrupt` on PostgreSQL.
    pub async fn snapshot_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
            return Err(StoreError::Corrupt(
                "a snapshot copies the embedded SQLite database only".into(),
            ));
        }
        sea_orm::ConnectionTrait::execute_raw(
            &self.db,
            sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                "VACUUM INTO ?",
                [path.display().to_string().into()],
            ),
        )
        .await?;
        Ok(())
    }

    /// SQLite's verdict on the whole database file (`PRAGMA integrity_check`): `ok` when it
    /// is whole.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let row = sea_orm::ConnectionTrait::query_one_raw(
            &self.db,
            sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA integrity_check"),
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("no answer to the integrity check".into()))?;
        Ok(row.try_get_by_index::<String>(0)?)
    }

    /// The connection pool: (open connections, of which idle), for the metrics.
    pub fn pool_size(&self) -> (u32, u32) {
        match self.db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle() as u32)
            }
            _ => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle() as u32)
            }
        }
    }

    /// A cheap round trip, for readiness probes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// The tenant's mission catalogue, cached in this process and reloaded when the database
    /// holds a newer version.
    pub async fn catalogue(
        &self,
        tenant: &jsap_tenancy::Tenant,
    ) -> Result<std::sync::Arc<Catalogue>, StoreError> {
        self.catalogues.get(&self.db, tenant).await
    }

    /// Whether this process holds a catalogue of the tenant `code` (loaded by a search or at
    /// start).
    pub fn holds_catalogue(&self, code: &str) -> bool {
        self.catalogues.holds(code)
    }

    /// The limit on "did you mean" vocabularies built at once, over every tenant, and the
    /// most that ran at once.
    pub fn vocabulary_builds(&self) -> &VocabularyBuilds {
        self.catalogues.vocabulary_builds()
    }

    /// How many times this process read the tenants' catalogue versions (all tenants at once).
    pub fn catalogue_version_reads(&self) -> u64 {
        self.catalogues.version_reads()
    }

    pub fn conn(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "postgresql",
            sea_orm::DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// Begins a transaction. On SQLite it begins `IMMEDIATE`: a deferred transaction that
    /// reads and then writes fails at once with "database is locked" when another writer got
    /// there first, whatever the busy timeout; an immediate one waits its turn.
    pub async fn begin(&self) -> Result<sea_orm::DatabaseTransaction, StoreError> {
        let options = match self.db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            },
            _ => Default::default(),
        };
        Ok(sea_orm::TransactionTrait::begin_with_options(&self.db, options).await?)
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pooled SQLite connection has the smaller page cache, not only the first one.
    #[tokio::test]
    async fn each_sqlite_connection_keeps_a_small_page_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.expect("store");
        let pool = store.db.get_sqlite_connection_pool();
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = pool.acquire().await.expect("connection");
            let kib: i64 = sea_orm::sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(&mut *conn)
                .await
                .expect("pragma");
            assert_eq!(kib, -i64::from(SQLITE_CACHE_KIB));
            held.push(conn);
        }
        // Held at once, the three are distinct connections.
        assert!(pool.size() >= 3, "{}", pool.size());
    }
}
