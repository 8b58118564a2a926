//! Memory the C library's allocator holds for nothing, given back to the system.
//!
//! The server allocates through mimalloc, which returns freed memory by itself. SQLite
//! allocates through the C library's `malloc`, in the arena of each of its connection
//! threads, and glibc keeps what a bulk read freed: after the 40 catalogues of the benchmark
//! were loaded, 26 MB of the server's 221 MB resident were such free memory. After bulk reads
//! (`jsap_store::bulk_reads`), at most once per period, `malloc_trim(0)` gives it back.

use std::time::Duration;

/// The C library's arenas the process may have. glibc gives each thread that calls `malloc`
/// an arena of its own, up to eight per core: SQLite allocates in each connection's thread, a
/// catalogue load there leaves its rows' freed memory in that thread's arena until the next
/// trim, and eight connections loading one after the other held 20-30 MB at once (the peak of
/// the 100,000-mission benchmark: 210 MB resident, 184 MB with two arenas). Rust's own
/// allocations go through mimalloc and are not affected.
pub const C_ARENAS: i32 = 2;

/// Limits the C library's arenas to `C_ARENAS`; call it before threads start. False where it
/// could not (or where the C library is not glibc).
pub fn limit_c_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    {
        // SAFETY: mallopt takes two integers and sets one of glibc's tunables.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, C_ARENAS) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Decides when to trim: when bulk reads happened since the last trim.
#[derive(Debug, Default)]
pub struct Trimmer {
    trimmed_at: u64,
}

impl Trimmer {
    /// Whether to trim now, `reads` being the bulk reads so far; remembers that it did.
    pub fn due(&mut self, reads: u64) -> bool {
        if reads == self.trimmed_at {
            return false;
        }
        self.trimmed_at = reads;
        true
    }
}

/// Gives the C allocator's free memory back to the system; true when some was given back.
/// Does nothing (false) where the C library is not glibc.
pub fn trim() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    {
        // SAFETY: malloc_trim takes no pointer and walks glibc's own arenas under their locks
        // (MT-Safe in its manual).
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Checks every `period` for bulk reads since the last trim, and trims (off the runtime's
/// threads: it takes the arenas' locks).
pub fn spawn_trimmer(period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut trimmer = Trimmer::default();
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if trimmer.due(jsap_store::bulk_reads()) {
                let released = tokio::task::spawn_blocking(trim).await.unwrap_or(false);
                tracing::debug!(released, "C allocator trimmed after bulk reads");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_once_after_each_batch_of_reads() {
        let mut t = Trimmer::default();
        assert!(!t.due(0), "nothing read yet");
        assert!(t.due(3));
        assert!(!t.due(3), "no read since");
        assert!(t.due(4));
    }

    /// The number of arenas glibc's `malloc_info` reports.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    fn c_arenas() -> usize {
        let mut buf: *mut libc::c_char = std::ptr::null_mut();
        let mut len: libc::size_t = 0;
        // SAFETY: open_memstream allocates `buf` (freed below, after fclose); malloc_info
        // writes its XML report into the stream.
        let xml = unsafe {
            let stream = libc::open_memstream(&mut buf, &mut len);
            assert!(!stream.is_null(), "a memory stream");
            assert_eq!(libc::malloc_info(0, stream), 0, "malloc_info");
            libc::fclose(stream);
            let xml = String::from_utf8_lossy(std::slice::from_raw_parts(buf.cast::<u8>(), len))
                .into_owned();
            libc::free(buf.cast());
            xml
        };
        xml.matches("<heap nr=").count()
    }

    /// Threads that allocate through the C library share the arenas there are, at most
    /// `C_ARENAS`, once limited (glibc would otherwise give each of them one).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    #[allow(unsafe_code)]
    fn threads_share_the_limited_c_arenas() {
        // Other tests' threads may have made arenas before this one limits them.
        let before = c_arenas();
        assert!(limit_c_arenas());
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    // SAFETY: one malloc, freed once, while all eight threads hold theirs.
                    unsafe {
                        let block = libc::malloc(64 * 1024);
                        barrier.wait();
                        libc::free(block);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("an allocating thread");
        }
        let arenas = c_arenas();
        assert!(
            arenas <= before.max(C_ARENAS as usize),
            "{arenas} arenas for 8 threads ({before} before)"
        );
    }

    /// Memory freed in the middle of a thread's arena stays with the process until trimmed.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    #[allow(unsafe_code)]
    fn trimming_gives_back_memory_freed_in_an_arena() {
        std::thread::spawn(|| {
            // SAFETY: plain malloc/free pairs; every pointer is freed once.
            unsafe {
                let blocks: Vec<*mut libc::c_void> =
                    (0..20_000).map(|_| libc::malloc(1024)).collect();
                for (i, b) in blocks.iter().enumerate() {
                    if i % 100 != 99 {
                        libc::free(*b);
                    }
                }
                assert!(trim(), "19.8 MB freed between kept blocks");
                for (i, b) in blocks.iter().enumerate() {
                    if i % 100 == 99 {
                        libc::free(*b);
                    }
                }
            }
        })
        .join()
        .expect("the allocating thread");
    }

    /// `unsafe_code` is denied, not forbidden, for the two calls above: any other `unsafe` or
    /// exemption in the workspace's Rust sources fails here.
    #[test]
    fn no_other_unsafe_code_in_the_workspace() {
        fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        rust_files(&root.join("crates"), &mut files);
        rust_files(&root.join("migrations"), &mut files);
        assert!(
            files.len() > 100,
            "the workspace's sources: {}",
            files.len()
        );
        let exempt = std::path::Path::new("crates/server/src/memory.rs");
        let words = [
            "unsafe {",
            "unsafe fn",
            "unsafe impl",
            "unsafe extern",
            "unsafe_code)",
        ];
        let offending: Vec<String> = files
            .iter()
            .filter(|f| !f.ends_with(exempt))
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                words.iter().any(|w| text.contains(w))
            })
            .map(|f| f.display().to_string())
            .collect();
        assert!(offending.is_empty(), "unsafe code in {offending:?}");
        let here = std::fs::read_to_string(root.join(exempt)).expect("memory.rs");
        assert_eq!(
            here.matches("unsafe {").count(),
            7,
            "the trim, the arena limit, their tests' three blocks and the two mentions in \
             this test"
        );
    }
}
