use crate::Tenant;
use std::collections::HashMap;
use std::sync::Arc;

/// What a host name resolves to.
#[derive(Debug, Clone)]
pub enum HostMatch {
    /// The canonical domain or a development host: serve the tenant.
    Serve(Arc<Tenant>),
    /// A secondary domain (`www.`, alias): redirect permanently to the canonical domain.
    Redirect(Arc<Tenant>),
}

/// Host name -> tenant, built once from the tenant files.
#[derive(Debug, Clone, Default)]
pub struct TenantRegistry {
    hosts: HashMap<String, HostMatch>,
    tenants: Vec<Arc<Tenant>>,
}

impl TenantRegistry {
    pub fn new(tenants: Vec<Tenant>) -> Self {
        let mut registry = Self::default();
        for tenant in tenants {
            let tenant = Arc::new(tenant);
            registry.hosts.insert(
                tenant.canonical_domain.clone(),
                HostMatch::Serve(tenant.clone()),
            );
            for host in &tenant.dev_hosts {
                registry
                    .hosts
                    .insert(host.clone(), HostMatch::Serve(tenant.clone()));
            }
            for host in &tenant.aliases {
                registry
                    .hosts
                    .insert(host.clone(), HostMatch::Redirect(tenant.clone()));
            }
            registry.tenants.push(tenant);
        }
        registry
    }

    /// Looks up a raw `Host` header value. Unknown hosts give `None`: fail closed.
    pub fn resolve(&self, raw_host: &str) -> Option<&HostMatch> {
        self.hosts.get(&normalize_host(raw_host))
    }

    pub fn get(&self, code: &str) -> Option<&Arc<Tenant>> {
        self.tenants.iter().find(|t| t.code.as_str() == code)
    }

    pub fn tenants(&self) -> &[Arc<Tenant>] {
        &self.tenants
    }

    pub fn countries(&self) -> impl Iterator<Item = &Arc<Tenant>> {
        self.tenants.iter().filter(|t| !t.is_portal())
    }
}

/// Lowercases a host, drops the port and a trailing dot. IPv6 literals keep their brackets.
pub fn normalize_host(raw: &str) -> String {
    let raw = raw.trim();
    let without_port = if raw.starts_with('[') {
        match raw.find(']') {
            Some(end) => &raw[..=end],
            None => raw,
        }
    } else {
        match raw.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => raw,
        }
    };
    without_port.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(
            normalize_host("JesuisauCameroun.com."),
            "jesuisaucameroun.com"
        );
        assert_eq!(normalize_host("cm.localhost:8080"), "cm.localhost");
        assert_eq!(normalize_host("[::1]:8080"), "[::1]");
        assert_eq!(normalize_host(" localhost "), "localhost");
    }

    #[test]
    fn project_registry_serves_canonical_redirects_aliases_and_refuses_strangers() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
        let registry =
            TenantRegistry::new(crate::load_dir(&dir).unwrap_or_else(|e| panic!("{e:?}")));
        assert!(
            matches!(registry.resolve("JESUISAUCAMEROUN.COM:443"), Some(HostMatch::Serve(t)) if t.code.as_str() == "cm")
        );
        assert!(
            matches!(registry.resolve("www.jesuisaucameroun.com"), Some(HostMatch::Redirect(t)) if t.code.as_str() == "cm")
        );
        assert!(
            matches!(registry.resolve("sn.localhost:8080"), Some(HostMatch::Serve(t)) if t.code.as_str() == "sn")
        );
        assert!(
            matches!(registry.resolve("localhost"), Some(HostMatch::Serve(t)) if t.is_portal())
        );
        assert!(registry.resolve("evil.example.com").is_none());
        assert!(registry.resolve("jesuisaucameroun.com.evil.com").is_none());
    }
}
