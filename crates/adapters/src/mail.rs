//! Mail delivery: `.eml` files in `DATA_DIR/outbox/` (embedded default) or SMTP (`SMTP_URL`),
//! and the email templates (one folder per email, subject/text/HTML per locale).

use crate::Themes;
use jsap_domain::Locale;
use jsap_store::{NewEmail, OutboxEmail};
use jsap_tenancy::Tenant;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("cannot build message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("smtp: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("file transport: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("template: {0}")]
    Template(String),
}

#[derive(Clone)]
pub enum Mailer {
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
    Smtp(Arc<AsyncSmtpTransport<Tokio1Executor>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

impl Mailer {
    pub fn files(dir: &Path) -> Result<Self, MailError> {
        std::fs::create_dir_all(dir)?;
        Ok(Mailer::Files {
            transport: AsyncFileTransport::new(dir),
            dir: dir.to_owned(),
        })
    }

    /// `smtp://host:port` (plain, for local sinks), `smtp://...?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host` (implicit TLS).
    pub fn smtp(url: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Mailer::Smtp(Arc::new(transport)))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Mailer::Files { .. } => "files",
            Mailer::Smtp(_) => "smtp",
        }
    }

    pub async fn send(&self, email: &OutboxEmail) -> Result<(), MailError> {
        let from = Mailbox::new(Some(email.from_name.clone()), email.from_address.parse()?);
        let message = Message::builder()
            .from(from)
            .to(Mailbox::new(None, email.to.parse()?))
            .subject(email.subject.clone())
            .message_id(Some(format!(
                "<outbox-{}-{}@{}>",
                email.tenant_code,
                email.id,
                domain_of(&email.from_address)
            )))
            .multipart(MultiPart::alternative_plain_html(
                email.text_body.clone(),
                email.html_body.clone(),
            ))?;
        match self {
            Mailer::Files { transport, .. } => {
                transport.send(message).await?;
            }
            Mailer::Smtp(transport) => {
                transport.send(message).await?;
            }
        }
        Ok(())
    }
}

fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("localhost", |(_, d)| d)
}

/// Renders the email folders of the theme chain for a tenant and a locale.
#[derive(Clone)]
pub struct EmailTemplates {
    themes: Arc<Themes>,
}

impl EmailTemplates {
    pub fn new(themes: Arc<Themes>) -> Self {
        Self { themes }
    }

    /// Renders `emails/<name>/<locale>/{subject.txt,text.txt,html.html}` with the tenant's
    /// branding in the context (`site_name`, `site_url`, `locale`, `dir`).
    pub fn render(
        &self,
        tenant: &Tenant,
        locale: Locale,
        name: &str,
        to: &str,
        mut context: tera::Context,
    ) -> Result<NewEmail, MailError> {
        let locale = if tenant.offers(locale) {
            locale
        } else {
            tenant.default_locale
        };
        context.insert("site_name", tenant.site_name.get(locale));
        context.insert("site_url", &tenant.canonical_url());
        context.insert("locale", locale.as_str());
        context.insert("dir", locale.dir());
        let render = |part: &str| {
            self.themes
                .render(
                    &tenant.theme,
                    &format!("emails/{name}/{locale}/{part}"),
                    &context,
                )
                .map_err(|e| MailError::Template(e.to_string()))
        };
        Ok(NewEmail {
            kind: name.to_owned(),
            to: to.to_owned(),
            subject: render("subject.txt")?.trim().to_owned(),
            text_body: render("text.txt")?,
            html_body: render("html.html")?,
        })
    }
}
