//! The catalogue of each tenant, loaded once per version and shared: the version read from the database, its bump in the writing transaction, and the per-tenant slots that load it once while callers keep serving the one they hold.

use super::*;

/// This process's catalogue lookups answered from memory, and those that loaded a newer
/// version (each a counter of its own, so neither ever goes down). Read by the metrics.
static HITS: AtomicU64 = AtomicU64::new(0);
static LOADS: AtomicU64 = AtomicU64::new(0);

/// How many catalogue lookups this process answered from memory, and how many loaded a newer
/// version, since it started (failed lookups count in neither).
pub fn catalogue_lookups() -> (u64, u64) {
    (HITS.load(Ordering::Relaxed), LOADS.load(Ordering::Relaxed))
}

/// How many times this process read a tenant's missions in bulk (a catalogue load or a "did
/// you mean" vocabulary) since it started. The server gives the C allocator's free memory
/// back to the system after them: SQLite allocates what such a read needs through it.
static BULK_READS: AtomicU64 = AtomicU64::new(0);

/// See `BULK_READS`.
pub fn bulk_reads() -> u64 {
    BULK_READS.load(Ordering::Relaxed)
}

/// Counts a bulk read when dropped: at the end of the read, whether it succeeded or not.
pub(super) struct BulkRead;

impl Drop for BulkRead {
    fn drop(&mut self) {
        BULK_READS.fetch_add(1, Ordering::Relaxed);
    }
}

/// The catalogue version of a tenant as the database has it.
pub(crate) async fn current_version<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<i64, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT catalogue_version AS v FROM tenants WHERE code = ")
        .param(tenant_id);
    Ok(match conn.query_one_raw(sql.statement()).await? {
        Some(row) => get::<i64>(&row, "v")?,
        None => 0,
    })
}

/// Marks the tenant's catalogue as changed. Call it in the transaction of the write.
pub(crate) async fn bump_version<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE code = ")
        .param(tenant_id);
    conn.execute_raw(sql.statement()).await?;
    LOCAL_WRITES.fetch_add(1, Ordering::Release);
    Ok(())
}

/// Catalogue writes made by this process (any tenant): a change makes the next read check
/// the database version at once.
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

/// How long the versions read are trusted without asking the database again, when this
/// process wrote nothing since: the delay after which another replica's write is seen.
pub(super) const RECHECK: Duration = Duration::from_millis(100);

/// How long a caller that holds a catalogue waits for another caller's load before serving
/// the one it holds.
pub(super) const LOAD_WAIT: Duration = Duration::from_secs(1);

/// Every tenant's catalogue version as the database had it at the last read.
#[derive(Default)]
struct Poll {
    /// When the versions were last read (or a read claimed), and `LOCAL_WRITES` then.
    at: Option<(Instant, u64)>,
    versions: HashMap<String, i64>,
}

/// Every tenant's catalogue version, in one statement: the check costs the same for one
/// tenant or forty. It reads the registry of tenants (code and version), not a tenant's
/// rows, and says that it crosses tenants.
async fn all_versions<C: crate::Connection>(conn: &C) -> Result<Vec<(String, i64)>, StoreError> {
    let conn = crate::rls::Scoped::all_tenants(conn);
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT code, catalogue_version AS v FROM tenants");
    conn.query_all_raw(sql.statement())
        .await?
        .iter()
        .map(|row| Ok((get::<String>(row, "code")?, get::<i64>(row, "v")?)))
        .collect()
}

/// One tenant's catalogue: the one served, and the lock that lets one caller at a time build
/// a new one while the others keep serving it. The plain mutex is held for no I/O at all.
#[derive(Default)]
pub(super) struct Slot {
    catalogue: Mutex<Option<Arc<Catalogue>>>,
    loading: tokio::sync::Mutex<()>,
}

impl Slot {
    fn catalogue(&self) -> std::sync::MutexGuard<'_, Option<Arc<Catalogue>>> {
        self.catalogue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The catalogues of this process, one per tenant, loaded on first use and reloaded when the
/// database holds a newer version. The versions of every tenant are read together, at most
/// every `RECHECK` (100 ms) for the whole process, by one caller while the others serve the
/// catalogues at hand, and at once after a write through this process. No lock is held across
/// a database call: while the database cannot be reached, or while another caller loads a
/// newer catalogue, the last good catalogue is served.
#[derive(Default)]
pub struct Catalogues {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    poll: Mutex<Poll>,
    /// How many times the versions were read.
    reads: AtomicU64,
    /// The limit on "did you mean" vocabularies built at once, over every tenant.
    builds: Arc<VocabularyBuilds>,
}

impl std::fmt::Debug for Catalogues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenants = self.slots.lock().map_or(0, |s| s.len());
        f.debug_struct("Catalogues")
            .field("tenants", &tenants)
            .finish()
    }
}

impl Catalogues {
    pub async fn get<C: crate::Connection>(
        &self,
        conn: &C,
        tenant: &Tenant,
    ) -> Result<Arc<Catalogue>, StoreError> {
        let mut loaded = false;
        let found = self.lookup(conn, tenant, &mut loaded).await;
        if found.is_ok() {
            let counter = if loaded { &LOADS } else { &HITS };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Whether this process holds a catalogue of the tenant `code` (of any version).
    pub fn holds(&self, code: &str) -> bool {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .get(code)
            .is_some_and(|slot| slot.catalogue().is_some())
    }

    /// The limit on vocabulary builds at once that these catalogues share.
    pub fn vocabulary_builds(&self) -> &VocabularyBuilds {
        &self.builds
    }

    /// How many times this process read the catalogue versions.
    pub fn version_reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    fn poll(&self) -> std::sync::MutexGuard<'_, Poll> {
        self.poll.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tenant's catalogue version to serve. Known versions younger than `RECHECK` are
    /// trusted; when they are due by time alone, the first caller reads them again and the
    /// callers arriving meanwhile that hold a catalogue keep the versions at hand (one read
    /// per process at a time, not one per request). After a write through this process, or
    /// for a tenant not read yet, the caller reads.
    async fn version<C: crate::Connection>(
        &self,
        conn: &C,
        code: &str,
        serving: bool,
    ) -> Result<i64, StoreError> {
        let local = LOCAL_WRITES.load(Ordering::Acquire);
        {
            let mut poll = self.poll();
            if let Some((at, seen)) = poll.at
                && seen == local
                && let Some(&known) = poll.versions.get(code)
            {
                if at.elapsed() < RECHECK {
                    return Ok(known);
                }
                if serving {
                    // Not asked again before RECHECK, even when this read fails: a dead
                    // database is not hammered.
                    poll.at = Some((Instant::now(), local));
                }
            }
        }
        self.reads.fetch_add(1, Ordering::Relaxed);
        let read = all_versions(conn).await?;
        let mut poll = self.poll();
        for (tenant, version) in read {
            // Versions only grow: a read that ends after a newer one keeps the newer.
            let known = poll.versions.entry(tenant).or_default();
            *known = (*known).max(version);
        }
        if poll.at.is_none_or(|(_, seen)| seen <= local) {
            poll.at = Some((Instant::now(), local));
        }
        Ok(poll.versions.get(code).copied().unwrap_or(0))
    }

    /// `get`, setting `loaded` when it loaded a newer version.
    async fn lookup<C: crate::Connection>(
        &self,
        conn: &C,
        tenant: &Tenant,
        loaded: &mut bool,
    ) -> Result<Arc<Catalogue>, StoreError> {
        let code = tenant.code.as_str();
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(code.to_owned()).or_default().clone()
        };
        let last = slot.catalogue().clone();
        let version = match self.version(conn, code, last.is_some()).await {
            Ok(version) => version,
            Err(error) => {
                let Some(last) = last else { return Err(error) };
                tracing::warn!(tenant.code = %code, %error, "catalogue version unreadable: serving the last one");
                return Ok(last);
            }
        };
        if let Some(catalogue) = last.as_ref()
            && catalogue.version >= version
        {
            return Ok(catalogue.clone());
        }
        // A newer version: one caller loads it. The others wait for that load (it may be the
        // version they need), but no longer than `LOAD_WAIT` when they have one to serve.
        let _loading = match &last {
            None => slot.loading.lock().await,
            Some(last) => match tokio::time::timeout(LOAD_WAIT, slot.loading.lock()).await {
                Ok(guard) => guard,
                Err(_) => return Ok(last.clone()),
            },
        };
        if let Some(catalogue) = slot.catalogue().as_ref()
            && catalogue.version >= version
        {
            return Ok(catalogue.clone());
        }
        let started = Instant::now();
        let conn = &crate::rls::Scoped::tenant(conn, code);
        match Catalogue::load(conn, tenant, version, self.builds.clone()).await {
            Ok(fresh) => {
                let (postings, terms) = fresh.text.size();
                tracing::debug!(
                    tenant.code = %code,
                    missions = fresh.missions.len(),
                    terms,
                    postings,
                    ms = started.elapsed().as_millis() as u64,
                    "catalogue loaded"
                );
                *loaded = true;
                let fresh = Arc::new(fresh);
                *slot.catalogue() = Some(fresh.clone());
                Ok(fresh)
            }
            Err(error) => match last {
                Some(last) => {
                    tracing::warn!(tenant.code = %code, %error, "catalogue not reloaded: serving the last one");
                    Ok(last)
                }
                None => Err(error),
            },
        }
    }
}
