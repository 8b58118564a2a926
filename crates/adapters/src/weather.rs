//! Current weather of a tenant's main city, from an Open-Meteo-shaped API
//! (`GET {base}/v1/forecast?latitude=..&longitude=..&current=temperature_2m`). A job refreshes
//! it into the cache; pages only read the cache, so a slow or unreachable provider never slows
//! a page: the weather is simply absent.

use crate::Cache;
use std::time::Duration;

/// How long a reading is shown; the job refreshes well before.
pub const WEATHER_TTL: Duration = Duration::from_secs(3 * 3600);

#[derive(Clone, Debug)]
pub struct WeatherProvider {
    base_url: String,
    client: reqwest::Client,
}

#[derive(serde::Deserialize)]
struct Forecast {
    current: Current,
}

#[derive(serde::Deserialize)]
struct Current {
    temperature_2m: f64,
}

pub fn cache_key(tenant_code: &str) -> String {
    format!("weather:{tenant_code}")
}

impl WeatherProvider {
    pub fn new(base_url: &str) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .build()?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client,
        })
    }

    /// The current temperature in °C, rounded.
    pub async fn temperature(&self, latitude: f64, longitude: f64) -> Result<i64, String> {
        let url = format!(
            "{}/v1/forecast?latitude={latitude:.4}&longitude={longitude:.4}&current=temperature_2m",
            self.base_url
        );
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("provider answered {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        let forecast: Forecast = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if !forecast.current.temperature_2m.is_finite() {
            return Err("temperature is not a number".into());
        }
        Ok(forecast.current.temperature_2m.round() as i64)
    }

    /// Fetches and caches the temperature for a tenant; on failure the cached value is left to
    /// expire, so the weather disappears rather than lies.
    pub async fn refresh(
        &self,
        cache: &Cache,
        tenant_code: &str,
        latitude: f64,
        longitude: f64,
    ) -> Result<i64, String> {
        let celsius = self.temperature(latitude, longitude).await?;
        cache
            .set(&cache_key(tenant_code), &celsius.to_string(), WEATHER_TTL)
            .await
            .map_err(|e| e.to_string())?;
        Ok(celsius)
    }
}

/// The cached temperature of a tenant's main city, if any.
pub async fn cached_temperature(cache: &Cache, tenant_code: &str) -> Option<i64> {
    cache
        .get(&cache_key(tenant_code))
        .await
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
}
