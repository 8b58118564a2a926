//! A poem hello-world: the throughput ceiling the benchmarks compare the site against.
//! `cargo run --release -p jsap-web --example hello -- 127.0.0.1:18081`

use poem::listener::TcpListener;
use poem::{Route, Server, get, handler};

#[handler]
fn hello() -> &'static str {
    "hello"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_owned());
    Server::new(TcpListener::bind(addr))
        .run(Route::new().at("/", get(hello)))
        .await
}
