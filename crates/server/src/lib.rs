//! The `jesuisaupays` application: configuration, wiring of every adapter, route and job in
//! one place (`startup.rs`), the CLI commands and the demo data.

pub mod assistant_cli;
pub mod backup;
pub mod commands;
pub mod config;
pub mod memory;
pub mod recommend_cli;
pub mod seed;
pub mod startup;
pub mod telemetry;

pub use config::Config;
pub use startup::{Application, Services};
