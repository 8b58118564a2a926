//! Response compression: gzip for text bodies when the client accepts it, done in memory
//! (bodies are small pages), skipped for bodies that are tiny, already encoded or not text.
//! Pages served from the page cache carry their gzip form, made once when cached.

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::{Compress, Compression, FlushCompress, Status};
use poem::http::{HeaderMap, HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bodies below this size go out as they are: gzip would save little or grow them.
const MIN_SIZE: usize = 860;

/// Whether `Accept-Encoding` allows gzip (a `q=0` refuses it).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

fn compressible(content_type: &str) -> bool {
    let ty = content_type.split(';').next().unwrap_or("").trim();
    ty.starts_with("text/")
        || matches!(
            ty,
            "application/json"
                | "application/javascript"
                | "application/xml"
                | "image/svg+xml"
                | "application/manifest+json"
        )
}

/// The level of pages compressed per response or kept briefly. zlib-rs's level 1 is its
/// "quick" strategy, a fifth larger pages (a search page: 4,642 bytes against 3,853 at
/// level 2); level 2 is as small as miniz's level 1 was, and still cheaper to make.
pub const FAST: u32 = 2;

/// Compressors kept for the next response. Making one allocates and zeroes about 300 KB of
/// tables (a sixth of a cold search page's work); a kept one is reset, which clears only its
/// hash heads. At most `most_kept()` wait here, whatever their level.
static COMPRESSORS: Mutex<Vec<(u32, Compress)>> = Mutex::new(Vec::new());

/// Two per core: compression runs on the runtime's threads (one per core), at two levels.
fn most_kept() -> usize {
    static KEPT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *KEPT.get_or_init(|| 2 * std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Compresses at `level` (1 fast .. 9 small).
pub fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let kept = {
        let mut pool = COMPRESSORS.lock().unwrap_or_else(|e| e.into_inner());
        pool.iter()
            .rposition(|(l, _)| *l == level)
            .map(|i| pool.swap_remove(i).1)
    };
    // Window of 2^15 bytes, as `GzEncoder` uses.
    let mut compressor = kept.unwrap_or_else(|| Compress::new_gzip(Compression::new(level), 15));
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    let finished = loop {
        let read = usize::try_from(compressor.total_in()).unwrap_or(data.len());
        match compressor.compress_vec(
            &data[read.min(data.len())..],
            &mut out,
            FlushCompress::Finish,
        ) {
            Ok(Status::StreamEnd) => break true,
            Ok(_) => out.reserve(out.capacity().max(1024)),
            Err(_) => break false,
        }
    };
    compressor.reset();
    let mut pool = COMPRESSORS.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() < most_kept() {
        pool.push((level, compressor));
    }
    drop(pool);
    if finished {
        out
    } else {
        fallback_gzip(data, level)
    }
}

/// The stream encoder, for the case the kept compressor failed (it does not on a `Vec`).
fn fallback_gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 3), Compression::new(level));
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// The middleware (`.around(compress::middleware)`).
pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let wants_gzip = accepts_gzip(req.headers());
    let mut resp = ep.call(req).await?.into_response();
    let text = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(compressible);
    // A download (an export) is streamed as it is written: never gathered to compress.
    let download = resp.headers().contains_key(header::CONTENT_DISPOSITION);
    if !text || download || resp.headers().contains_key(header::CONTENT_ENCODING) {
        return Ok(resp);
    }
    resp.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !wants_gzip {
        return Ok(resp);
    }
    let body = resp.take_body().into_bytes().await?;
    if body.len() < MIN_SIZE {
        resp.set_body(body);
        return Ok(resp);
    }
    resp.headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    // Per response: the fast level (about 3 times cheaper than the default, a few percent
    // larger). Cached pages are compressed once, at the best level.
    resp.set_body(gzip(&body, FAST));
    Ok(resp)
}

/// A rendered page with its gzip form (and its plain form, unless it is kept compressed
/// only: then the rare client without gzip gets it inflated).
pub struct CachedPage {
    html: Option<Bytes>,
    gzip: Bytes,
    expires: Instant,
    /// Set by the first reader after `expires`, who renders its successor (`PageCache`).
    renewing: AtomicBool,
}

impl CachedPage {
    fn new(html: Option<Bytes>, gzip: Bytes, ttl: Duration) -> Self {
        Self {
            html,
            gzip,
            expires: Instant::now() + ttl,
            renewing: AtomicBool::new(false),
        }
    }

    /// Whether a reader at `now` gets this page: while it is live, and after it expired (for
    /// `STALE_FOR`) to every reader but the first, who renders its successor.
    fn live_or_renewed_by_another(&self, now: Instant) -> bool {
        self.expires > now
            || (self.expires + STALE_FOR > now && self.renewing.swap(true, Ordering::Relaxed))
    }

    /// The response for a client with these request headers.
    pub fn response(&self, request: &HeaderMap) -> Response {
        let gzip = accepts_gzip(request);
        let body = if gzip {
            self.gzip.clone()
        } else {
            self.html
                .clone()
                .unwrap_or_else(|| Bytes::from(gunzip(&self.gzip)))
        };
        let mut response = Response::builder().body(body);
        let headers = response.headers_mut();
        // Room for these and for what the outer layers add (security headers, `Vary: Host`,
        // the request id) without growing the map; the names and values are not parsed.
        headers.reserve(12);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }
}

fn gunzip(packed: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(packed.len() * 4);
    // Our own gzip: it inflates.
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(packed), &mut out);
    out
}

/// Rendered pages kept in this process for a short time (each replica renders its own).
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<HashMap<String, Arc<CachedPage>>>,
}

/// This process's page cache reads that found a live page (0) and that did not (1). Read by
/// the metrics.
static LOOKUPS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// How many page cache reads found a live page, and how many did not, since start.
pub(crate) fn page_cache_lookups() -> (u64, u64) {
    (
        LOOKUPS[0].load(Ordering::Relaxed),
        LOOKUPS[1].load(Ordering::Relaxed),
    )
}

/// How long an expired page may still be served while one request renders its successor.
/// Past it (the rendering failed), every request renders.
const STALE_FOR: Duration = Duration::from_secs(60);

impl PageCache {
    /// The page under `key` while it is live. Once expired, the first reader gets none (it
    /// renders the page and puts it) and the others the expired one meanwhile, so that an
    /// expiry under load makes one rendering, not one per request in flight.
    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.get_at(key, Instant::now())
    }

    fn get_at(&self, key: &str, now: Instant) -> Option<Arc<CachedPage>> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let found = pages
            .get(key)
            .filter(|p| p.live_or_renewed_by_another(now))
            .cloned();
        LOOKUPS[usize::from(found.is_none())].fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Drops every page whose key starts with `prefix` (a change they show was written).
    pub fn forget_prefix(&self, prefix: &str) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.retain(|key, _| !key.starts_with(prefix));
    }

    /// Caches `html` under `key` for `ttl`, dropping expired pages on the way.
    pub fn put(&self, key: String, html: String, ttl: Duration) -> Arc<CachedPage> {
        let packed = Bytes::from(gzip(html.as_bytes(), 9));
        let page = Arc::new(CachedPage::new(Some(Bytes::from(html)), packed, ttl));
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        pages.retain(|_, p| p.expires + STALE_FOR > now);
        pages.insert(key, page.clone());
        page
    }
}

/// Rendered pages of many distinct addresses (search pages): at most `capacity`, the least
/// recently used dropped first, each for a short time, kept compressed only (a search page is
/// about 8 KB compressed). Keys name everything the page depends on.
pub struct PageMemo {
    capacity: usize,
    inner: Mutex<MemoPages>,
}

#[derive(Default)]
struct MemoPages {
    pages: HashMap<String, (u64, Arc<CachedPage>)>,
    tick: u64,
}

impl Default for PageMemo {
    fn default() -> Self {
        Self::with_capacity(512)
    }
}

impl PageMemo {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoPages> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The page under `key` while it is live; once expired, as `PageCache::get`: the first
    /// reader gets none and renders its successor, the others get the expired page meanwhile
    /// (a key names everything its page shows, so the expired page is still right).
    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.get_at(key, Instant::now())
    }

    fn get_at(&self, key: &str, now: Instant) -> Option<Arc<CachedPage>> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let found = inner
            .pages
            .get_mut(key)
            .filter(|(_, p)| p.live_or_renewed_by_another(now))
            .map(|(used, p)| {
                *used = tick;
                p.clone()
            });
        LOOKUPS[usize::from(found.is_none())].fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `html` under `key` for `ttl` (compressed at the fast level: most pages are
    /// asked for once), dropping the least recently used page when full.
    pub fn put(&self, key: String, html: &str, ttl: Duration) -> Arc<CachedPage> {
        let packed = Bytes::from(gzip(html.as_bytes(), FAST));
        let page = Arc::new(CachedPage::new(None, packed, ttl));
        let mut inner = self.lock();
        if inner.pages.len() >= self.capacity
            && !inner.pages.contains_key(&key)
            && let Some(oldest) = inner
                .pages
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
        {
            inner.pages.remove(&oldest);
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.pages.insert(key, (tick, page.clone()));
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).expect("header value"),
        );
        h
    }

    #[test]
    fn gzip_is_negotiated_from_accept_encoding() {
        assert!(accepts_gzip(&headers("gzip, deflate, br")));
        assert!(accepts_gzip(&headers("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&headers("*")));
        assert!(!accepts_gzip(&headers("gzip;q=0")));
        assert!(!accepts_gzip(&headers("br, identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn gzip_round_trips() {
        let text = "Aujourd'hui, 60 bonnes actions vous attendent ! ".repeat(40);
        let packed = gzip(text.as_bytes(), 1);
        assert!(packed.len() < text.len() / 5);
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut out)
            .expect("valid gzip");
        assert_eq!(out, text);
    }

    /// A kept compressor starts each body afresh: bodies compressed one after the other, at
    /// two levels and from several threads at once, each decompress to themselves alone.
    #[test]
    fn kept_compressors_start_clean() {
        let unpack = |packed: &[u8]| {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(packed), &mut out)
                .expect("valid gzip");
            out
        };
        let threads: Vec<_> = (0..6)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..40 {
                        let text = format!("<p>page {t}-{i}</p>").repeat(200 + i);
                        let level = if i % 3 == 0 { 9 } else { FAST };
                        let packed = gzip(text.as_bytes(), level);
                        assert!(packed.len() < text.len() / 10);
                        assert_eq!(unpack(&packed), text);
                    }
                    // A body too large for the first output buffer (incompressible bytes).
                    let mut x = 7u32;
                    let noise: String = (0..50_000)
                        .map(|_| {
                            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                            char::from(b'a' + u8::try_from(x >> 27).unwrap_or(0) % 26)
                        })
                        .collect();
                    assert_eq!(unpack(&gzip(noise.as_bytes(), FAST)), noise);
                })
            })
            .collect();
        for t in threads {
            t.join().expect("no thread panicked");
        }
        assert!(COMPRESSORS.lock().expect("pool").len() <= most_kept());
    }

    #[test]
    fn cached_pages_expire() {
        let cache = PageCache::default();
        cache.put("a".into(), "<p>a</p>".into(), Duration::from_secs(60));
        cache.put("b".into(), "<p>b</p>".into(), Duration::ZERO);
        assert!(cache.get("a").is_some());
        assert!(cache.get("b").is_none());
        assert!(cache.get("c").is_none());
    }

    #[test]
    fn an_expired_page_is_rendered_by_one_reader_while_the_others_get_it() {
        let cache = PageCache::default();
        let key = "page:home:cm:fr";
        cache.put(key.into(), "<p>old</p>".into(), Duration::ZERO);
        let now = Instant::now() + Duration::from_millis(1);
        assert!(cache.get_at(key, now).is_none(), "the first reader renders");
        for _ in 0..3 {
            let stale = cache.get_at(key, now).expect("the expired page meanwhile");
            assert_eq!(stale.html.as_deref(), Some(&b"<p>old</p>"[..]));
        }
        cache.put(key.into(), "<p>new</p>".into(), Duration::from_secs(30));
        let fresh = cache.get_at(key, now).expect("live");
        assert_eq!(fresh.html.as_deref(), Some(&b"<p>new</p>"[..]));
        // Past the grace (its rendering failed), every reader renders.
        cache.put(key.into(), "<p>old</p>".into(), Duration::ZERO);
        let later = Instant::now() + STALE_FOR + Duration::from_millis(1);
        assert!(cache.get_at(key, later).is_none());
        assert!(cache.get_at(key, later).is_none());
    }

    #[test]
    fn pages_are_forgotten_by_prefix() {
        let cache = PageCache::default();
        cache.put(
            "page:home:cm:fr:-".into(),
            "a".into(),
            Duration::from_secs(60),
        );
        cache.put(
            "page:home:sn:fr:-".into(),
            "b".into(),
            Duration::from_secs(60),
        );
        cache.forget_prefix("page:home:cm:");
        assert!(cache.get("page:home:cm:fr:-").is_none());
        assert!(cache.get("page:home:sn:fr:-").is_some());
    }

    #[test]
    fn the_memo_drops_the_least_recently_used_page_and_inflates_for_plain_clients() {
        let memo = PageMemo::with_capacity(2);
        let ttl = Duration::from_secs(60);
        memo.put("a".into(), "<p>a</p>", ttl);
        memo.put("b".into(), "<p>b</p>", ttl);
        assert!(memo.get("a").is_some(), "a is now the most recently used");
        memo.put("c".into(), "<p>c</p>", ttl);
        assert!(memo.get("b").is_none(), "b was the least recently used");
        assert!(memo.get("a").is_some());
        memo.put("old".into(), "<p>old</p>", Duration::ZERO);
        assert!(memo.get("old").is_none(), "expired");
        assert!(memo.get("c").is_none(), "c made room for it");

        let page = memo.get("a").expect("kept");
        let packed = page.response(&headers("gzip"));
        assert_eq!(
            packed.headers().get(header::CONTENT_ENCODING),
            Some(&HeaderValue::from_static("gzip"))
        );
        let plain = page.response(&HeaderMap::new());
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let body = futures_body(plain);
        assert_eq!(body, "<p>a</p>");
    }

    #[test]
    fn an_expired_memoised_page_is_rendered_by_one_reader_while_the_others_get_it() {
        let memo = PageMemo::with_capacity(4);
        memo.put("cm:fr:7:q=eau".into(), "<p>old</p>", Duration::ZERO);
        memo.put("sn:fr:7:q=eau".into(), "<p>sn</p>", Duration::ZERO);
        let now = Instant::now() + Duration::from_millis(1);
        assert!(
            memo.get_at("cm:fr:7:q=eau", now).is_none(),
            "the first reader renders"
        );
        for _ in 0..3 {
            let stale = memo.get_at("cm:fr:7:q=eau", now).expect("the expired page");
            assert_eq!(
                futures_body(stale.response(&HeaderMap::new())),
                "<p>old</p>"
            );
        }
        // Another key's expiry is its own: its first reader renders too.
        assert!(memo.get_at("sn:fr:7:q=eau", now).is_none());
        memo.put(
            "cm:fr:7:q=eau".into(),
            "<p>new</p>",
            Duration::from_secs(30),
        );
        let fresh = memo.get_at("cm:fr:7:q=eau", now).expect("live");
        assert_eq!(
            futures_body(fresh.response(&HeaderMap::new())),
            "<p>new</p>"
        );
        // Past the grace (its rendering failed), every reader renders.
        memo.put("cm:fr:7:q=eau".into(), "<p>old</p>", Duration::ZERO);
        let later = Instant::now() + STALE_FOR + Duration::from_millis(1);
        assert!(memo.get_at("cm:fr:7:q=eau", later).is_none());
        assert!(memo.get_at("cm:fr:7:q=eau", later).is_none());
    }

    fn futures_body(resp: Response) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(resp.into_body().into_string()).expect("text")
    }
}
