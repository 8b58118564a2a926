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

/// How long a checked version is trusted without asking the database again, when this
/// process wrote nothing since: the delay after which another replica's write is seen.
pub(super) const RECHECK: Duration = Duration::from_millis(100);

/// How long a caller that holds a catalogue waits for another caller's load before serving
/// the one it holds.
pub(super) const LOAD_WAIT: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(super) struct SlotState {
    catalogue: Option<Arc<Catalogue>>,
    /// When the version was last read, and `LOCAL_WRITES` then.
    checked: Option<(Instant, u64)>,
}

/// One tenant's catalogue. The state is behind a plain mutex held for no I/O at all; `loading`
/// lets one caller at a time build a new catalogue while the others keep the last one.
#[derive(Default)]
pub(super) struct Slot {
    state: Mutex<SlotState>,
    loading: tokio::sync::Mutex<()>,
}

impl Slot {
    fn state(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The catalogues of this process, one per tenant, loaded on first use and reloaded when the
/// database holds a newer version. The version is read at most every `RECHECK` (100 ms), and
/// at once after a write through this process. No lock is held across a database call: while
/// the database cannot be reached, or while another caller loads a newer catalogue, the last
/// good catalogue is served.
#[derive(Default)]
pub struct Catalogues {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
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
        let conn = &crate::rls::Scoped::tenant(conn, tenant.code.as_str());
        let mut loaded = false;
        let found = self.lookup(conn, tenant, &mut loaded).await;
        if found.is_ok() {
            let counter = if loaded { &LOADS } else { &HITS };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        found
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
        let local = LOCAL_WRITES.load(Ordering::Acquire);
        let last = {
            let mut state = slot.state();
            if let (Some(catalogue), Some((at, seen))) = (state.catalogue.as_ref(), state.checked)
                && seen == local
            {
                if at.elapsed() < RECHECK {
                    return Ok(catalogue.clone());
                }
                // Due by time alone: this caller checks, and the callers arriving meanwhile
                // serve this catalogue (a version check per tenant at a time, not one per
                // concurrent request). After a write through this process every caller checks.
                state.checked = Some((Instant::now(), local));
            }
            state.catalogue.clone()
        };
        let version = match current_version(conn, code).await {
            Ok(version) => version,
            Err(error) => {
                let Some(last) = last else { return Err(error) };
                tracing::warn!(tenant.code = %code, %error, "catalogue version unreadable: serving the last one");
                // Not asked again before RECHECK: a dead database is not hammered.
                slot.state().checked = Some((Instant::now(), local));
                return Ok(last);
            }
        };
        {
            let mut state = slot.state();
            state.checked = Some((Instant::now(), local));
            if let Some(catalogue) = state.catalogue.as_ref()
                && catalogue.version >= version
            {
                return Ok(catalogue.clone());
            }
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
        if let Some(catalogue) = slot.state().catalogue.as_ref()
            && catalogue.version >= version
        {
            return Ok(catalogue.clone());
        }
        let started = Instant::now();
        match Catalogue::load(conn, tenant, version).await {
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
                slot.state().catalogue = Some(fresh.clone());
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
