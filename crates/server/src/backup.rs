//! `backup DIR` and `restore DIR` for the embedded setup: a consistent copy of the SQLite
//! database taken while the server runs (`VACUUM INTO`, one read transaction: every write
//! committed before it, none after), then the uploads and the secret key; and putting such a
//! copy back. PostgreSQL and an S3 bucket are backed up with their own tools
//! (`docs/operations.md`).

use crate::Config;
use anyhow::{Context, bail, ensure};
use jsap_store::Store;
use std::path::{Path, PathBuf};

const DATABASE: &str = "jesuisaupays.db";
const UPLOADS: &str = "uploads";
const SECRET_KEY: &str = "secret_key";
const MANIFEST: &str = "backup.json";

/// What a backup holds, written beside it as `backup.json`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    created_at: chrono::DateTime<chrono::Utc>,
    version: String,
    database_bytes: u64,
    upload_files: u64,
    upload_bytes: u64,
}

fn embedded_only(config: &Config, what: &str) -> anyhow::Result<()> {
    ensure!(
        config.uses_embedded_database(),
        "{what} copies the embedded SQLite database; with DATABASE_URL set, back up \
         PostgreSQL with pg_dump and the bucket with its own tools (docs/operations.md)"
    );
    Ok(())
}

/// Copies the embedded database, the uploads and the secret key into `dir` (new or empty),
/// while the server may be serving.
pub async fn backup(config: &Config, dir: &Path) -> anyhow::Result<()> {
    embedded_only(config, "backup")?;
    let source = config.data_dir.join(DATABASE);
    ensure!(
        source.is_file(),
        "{}: no database to back up (is DATA_DIR right?)",
        source.display()
    );
    if dir.exists() {
        ensure!(
            dir.read_dir()?.next().is_none(),
            "{}: not empty; back up into a new folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let target = std::fs::canonicalize(dir)?.join(DATABASE);
    let store = Store::connect(&config.effective_database_url()).await?;
    store
        .snapshot_to(&target)
        .await
        .context("copying the database")?;
    // After the database: every upload it names is already written (an upload removed in
    // between is the only thing that can be missing).
    let (upload_files, upload_bytes) =
        copy_tree(&config.data_dir.join(UPLOADS), &dir.join(UPLOADS))?;
    let key = config.data_dir.join(SECRET_KEY);
    if key.is_file() {
        std::fs::copy(&key, dir.join(SECRET_KEY))?;
    }
    let manifest = Manifest {
        created_at: chrono::Utc::now(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database_bytes: std::fs::metadata(&target)?.len(),
        upload_files,
        upload_bytes,
    };
    std::fs::write(dir.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    println!(
        "backup written to {}: database {} bytes, {} uploads ({} bytes)",
        dir.display(),
        manifest.database_bytes,
        manifest.upload_files,
        manifest.upload_bytes
    );
    Ok(())
}

/// Puts the backup in `dir` back into `DATA_DIR` (the server stopped). An existing database
/// is replaced only with `force`; what it replaces is kept beside it, renamed.
pub async fn restore(config: &Config, dir: &Path, force: bool) -> anyhow::Result<()> {
    embedded_only(config, "restore")?;
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(dir.join(MANIFEST))
            .with_context(|| format!("{}: not a backup (no {MANIFEST})", dir.display()))?,
    )
    .with_context(|| format!("{}: unreadable {MANIFEST}", dir.display()))?;
    let copy = dir.join(DATABASE);
    ensure!(copy.is_file(), "{}: missing", copy.display());
    let data = &config.data_dir;
    let current = data.join(DATABASE);
    if current.exists() && !force {
        bail!(
            "{} holds a database: stop the server, then restore with --force (the current \
             files are kept, renamed *.before-restore-<time>)",
            current.display()
        );
    }
    std::fs::create_dir_all(data)?;
    // Checked on a staged copy (opening a database writes to it; the backup stays as it is).
    let staged = data.join(format!("{DATABASE}.restoring"));
    std::fs::copy(&copy, &staged)?;
    if let Err(e) = check_database(&staged).await {
        remove_database(&staged)?;
        return Err(e);
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    // What is replaced is kept: the database with its WAL files (committed writes may still
    // be in them), and the uploads.
    for (name, suffix) in [
        (DATABASE, ""),
        (DATABASE, "-wal"),
        (DATABASE, "-shm"),
        (UPLOADS, ""),
    ] {
        let path = data.join(format!("{name}{suffix}"));
        if path.exists() {
            let kept = data.join(format!("{name}.before-restore-{stamp}{suffix}"));
            std::fs::rename(&path, kept)?;
        }
    }
    std::fs::rename(&staged, &current)?;
    copy_tree(&dir.join(UPLOADS), &data.join(UPLOADS))?;
    if dir.join(SECRET_KEY).is_file() {
        std::fs::copy(dir.join(SECRET_KEY), data.join(SECRET_KEY))?;
    }
    println!(
        "restored the backup of {} into {}: start the server (it migrates an older copy)",
        manifest.created_at,
        data.display()
    );
    Ok(())
}

/// Refuses a copy SQLite does not find whole.
async fn check_database(path: &Path) -> anyhow::Result<()> {
    let store = Store::connect(&format!("sqlite://{}?mode=rw", path.display()))
        .await
        .with_context(|| format!("{}: not a database", path.display()))?;
    let verdict = store.integrity_check().await;
    store.close().await?;
    let verdict = verdict.with_context(|| format!("{}: not a database", path.display()))?;
    ensure!(verdict == "ok", "{}: damaged ({verdict})", path.display());
    Ok(())
}

/// Removes a database file and its WAL files, those that exist.
fn remove_database(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(file)?;
        }
    }
    Ok(())
}

/// Copies the files under `from` into `to` (missing `from`: nothing); object stores' staging
/// files (a `#` in the name: not yet renamed into place) are left out. Files and bytes copied.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    if !from.is_dir() {
        return Ok((0, 0));
    }
    let mut stack: Vec<PathBuf> = vec![from.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let relative = folder.strip_prefix(from)?;
        std::fs::create_dir_all(to.join(relative))?;
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && !entry.file_name().to_string_lossy().contains('#') {
                bytes += std::fs::copy(&path, to.join(path.strip_prefix(from)?))?;
                files += 1;
            }
        }
    }
    Ok((files, bytes))
}
