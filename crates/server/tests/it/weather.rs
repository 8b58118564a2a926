//! The home page shows the main city's weather from an Open-Meteo-shaped provider (a fake
//! one here), and simply shows none when the provider cannot be reached.

use crate::helpers::{Options, TestApp};
use poem::listener::TcpAcceptor;
use poem::web::Query;
use poem::{Route, Server, get, handler};
use std::collections::HashMap;
use std::time::Duration;

#[handler]
fn forecast(Query(params): Query<HashMap<String, String>>) -> poem::Response {
    assert_eq!(
        params.get("current").map(String::as_str),
        Some("temperature_2m")
    );
    // Yaoundé (3.8667, 11.5167) is warm; elsewhere a little cooler.
    let lat: f64 = params
        .get("latitude")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let t = if (lat - 3.8667).abs() < 0.01 {
        27.6
    } else {
        21.2
    };
    poem::Response::builder()
        .content_type("application/json")
        .body(format!("{{\"latitude\":{lat},\"current\":{{\"time\":\"2026-12-01T12:00\",\"temperature_2m\":{t}}}}}"))
}

async fn fake_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let acceptor = TcpAcceptor::from_tokio(listener).expect("acceptor");
    tokio::spawn(
        Server::new_with_acceptor(acceptor).run(Route::new().at("/v1/forecast", get(forecast))),
    );
    format!("http://{addr}")
}

#[tokio::test]
async fn the_home_page_shows_the_main_city_weather() {
    let url = fake_provider().await;
    let app = TestApp::spawn_with(Options {
        demo: false,
        weather_url: Some(url),
        ..Default::default()
    })
    .await;
    let mut body = String::new();
    for _ in 0..50 {
        body = app.page("jesuisaucameroun.com", "/fr/").await.1;
        if body.contains("class=\"weather\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        body.contains("<p class=\"weather\">Yaoundé 28 °C</p>"),
        "{body}"
    );
    let dakar = app.page("jesuisausenegal.com", "/fr/").await.1;
    assert!(dakar.contains("<p class=\"weather\">Dakar 21 °C</p>"));
}

#[tokio::test]
async fn without_a_reachable_provider_the_weather_is_simply_absent() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let app = TestApp::spawn_with(Options {
        demo: false,
        weather_url: Some(url),
        ..Default::default()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = app.page("jesuisaucameroun.com", "/fr/").await;
    assert_eq!(status, 200);
    assert!(!body.contains("class=\"weather\""));
    assert!(body.contains("Je suis au Cameroun"));
}
