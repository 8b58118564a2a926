//! Tenants are config: one `tenants/<code>.toml` per country site (and one for the portal).
//! This crate parses and validates those files and maps host names to tenants.

mod config;
mod registry;

pub use config::{
    CityConfig, ConfigError, EmailConfig, FocalPointConfig, Localized, TaxonomyConfig, Tenant,
    TenantKind, load_dir, load_file,
};
pub use registry::{HostMatch, TenantRegistry, normalize_host};
