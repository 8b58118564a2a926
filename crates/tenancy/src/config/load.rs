//! Reading tenant files: one file, or a whole directory with every error reported at once.

use super::*;

pub(super) fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Reads and validates one tenant file.
pub fn load_file(path: &Path) -> Result<Tenant, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        field: "(file)".into(),
        reason: format!("cannot be read: {e}"),
    })?;
    let tenant: Tenant = toml::from_str(&text).map_err(|e| ConfigError {
        file: path.to_owned(),
        field: toml_error_field(&e, &text),
        reason: e.message().to_owned(),
    })?;
    tenant.validate(path)?;
    Ok(tenant)
}

/// The key a TOML error points at, read off the line its span starts on.
pub(super) fn toml_error_field(e: &toml::de::Error, text: &str) -> String {
    let Some(span) = e.span() else {
        return "(document)".into();
    };
    let line_start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) => key.trim().to_owned(),
        None => line.trim().trim_matches(['[', ']']).to_owned(),
    }
}

/// Reads every `*.toml` of a folder, sorted by file name. Returns all the errors, not just the first.
pub fn load_dir(dir: &Path) -> Result<Vec<Tenant>, Vec<ConfigError>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Err(vec![ConfigError {
                file: dir.to_owned(),
                field: "(folder)".into(),
                reason: format!("cannot be read: {e}"),
            }]);
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut tenants: Vec<(Tenant, &PathBuf)> = Vec::new();
    let mut errors = Vec::new();
    for path in &paths {
        match load_file(path) {
            Ok(t) => tenants.push((t, path)),
            Err(e) => errors.push(e),
        }
    }
    if tenants.is_empty() && errors.is_empty() {
        errors.push(ConfigError {
            file: dir.to_owned(),
            field: "(folder)".into(),
            reason: "holds no tenant file (*.toml)".into(),
        });
    }
    // Hosts must be unique across tenants, or a request could reach the wrong site.
    let mut seen: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    for (tenant, path) in &tenants {
        for host in tenant.hosts() {
            if let Some((other, _)) = seen.get(host) {
                errors.push(ConfigError {
                    file: (*path).clone(),
                    field: "canonical_domain/aliases/dev_hosts".into(),
                    reason: format!("host \"{host}\" is already used by tenant \"{other}\""),
                });
            } else {
                seen.insert(host.to_owned(), (tenant.code.to_string(), (*path).clone()));
            }
        }
    }
    if errors.is_empty() {
        Ok(tenants.into_iter().map(|(t, _)| t).collect())
    } else {
        Err(errors)
    }
}
