//! A poem hello-world: the throughput ceiling the benchmarks compare the site against.
//! `cargo run --release -p jsap-web --example hello -- 127.0.0.1:18081`
//!
//! `/` answers "hello"; `/page` answers as many bytes as the home page sends (3,670 bytes of
//! gzip body, `PAGE_BYTES`) with the same response headers, from memory: the ceiling for a
//! page of that size, whatever the application does.

use poem::listener::TcpListener;
use poem::{EndpointExt, Response, Route, Server, get, handler};

/// The size of the home page's gzip body on the benchmark's generated sites (2026-12-04).
const PAGE_BYTES: usize = 3_670;

#[handler]
fn hello() -> &'static str {
    "hello"
}

/// Bytes that do not repeat (a linear congruential sequence), like a compressed page.
fn page_body() -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..PAGE_BYTES)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

#[handler]
fn page(body: poem::web::Data<&bytes::Bytes>) -> Response {
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-cache")
        .header("vary", "Accept-Encoding")
        .header("vary", "Host")
        .header("content-encoding", "gzip")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "strict-origin-when-cross-origin")
        .header("content-security-policy", jsap_web::CONTENT_SECURITY_POLICY)
        .header("x-frame-options", "DENY")
        .header("x-request-id", "34092b2f-e417-4be3-8fef-7e4e9d16b70a")
        .body(body.0.clone())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_owned());
    let body = bytes::Bytes::from(page_body());
    Server::new(TcpListener::bind(addr))
        .run(
            Route::new()
                .at("/", get(hello))
                .at("/page", get(page))
                .with(poem::middleware::AddData::new(body)),
        )
        .await
}
