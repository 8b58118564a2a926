//! The country operator's exports (`/{locale}/espace/pays/export/{list}.{csv,xlsx}`): every
//! mission, organisation, request and member of the tenant, streamed batch by batch (a task
//! reads `BATCH` rows at a time and hands the written bytes to the response through a small
//! channel), so 100,000 rows never sit in memory. Recorded in the journal. The staff export
//! the journal of every site in one file (`/{locale}/admin/journal/export/journal.{csv,xlsx}`).

use crate::AppError;
use crate::export_formats::{ExportWriter, Format};
use crate::kit::Ctx;
use crate::roles::{Console, RequireStaff};
use jsap_store::{ExportList, Exports};
use jsap_tenancy::Tenant;
use poem::http::header;
use poem::web::Path;
use poem::{Body, Response, handler};
use std::sync::Arc;

/// Rows read and written at a time.
const BATCH: u64 = 500;
/// Batches written ahead of the client at most.
const AHEAD: usize = 4;

type Chunk = Result<bytes::Bytes, std::io::Error>;

#[handler]
pub async fn download(
    Console(ctx, operator): Console,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (name, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let list = ExportList::parse(name).ok_or(AppError::NotFound)?;
    let format = Format::parse(ext).ok_or(AppError::NotFound)?;
    jsap_app::downloads::start(&ctx.scope(), operator.user.account(), &file)
        .await?
        .map_err(|_| AppError::Forbidden)?;
    let tenant = ctx.tenant.clone();
    let filename = format!("{}-{}-{}.{ext}", list.as_str(), tenant.code, tenant.today());
    let job = Job {
        header: header(&ctx, list, false),
        tenants: vec![tenant],
        with_site: false,
        list,
        format,
    };
    Ok(respond(&ctx, job, &filename))
}

/// `GET /{locale}/admin/journal/export/journal.{csv,xlsx}` (portal, staff): the journal of
/// every site in one file, its first column the site's code.
#[handler]
pub async fn staff_journal(
    ctx: Ctx,
    staff: RequireStaff,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let ext = file.strip_prefix("journal.").ok_or(AppError::NotFound)?;
    let format = Format::parse(ext).ok_or(AppError::NotFound)?;
    jsap_app::downloads::start_staff(&ctx.scope(), staff.user.account(), &file)
        .await?
        .map_err(|_| AppError::Forbidden)?;
    let list = ExportList::Journal;
    let filename = format!("journal-{}.{ext}", ctx.tenant.today());
    let job = Job {
        header: header(&ctx, list, true),
        tenants: ctx.state.registry.tenants().to_vec(),
        with_site: true,
        list,
        format,
    };
    Ok(respond(&ctx, job, &filename))
}

/// The column titles of `list` in the page's language (the site first when `with_site`).
fn header(ctx: &Ctx, list: ExportList, with_site: bool) -> Vec<String> {
    let site = with_site.then(|| ctx.t("export.col_site"));
    site.into_iter()
        .chain(
            list.columns()
                .iter()
                .map(|c| ctx.t(&format!("export.col_{c}"))),
        )
        .collect()
}

/// What one download writes: `list` of each of `tenants` in turn.
struct Job {
    header: Vec<String>,
    tenants: Vec<Arc<Tenant>>,
    /// Each row starts with its tenant's code.
    with_site: bool,
    list: ExportList,
    format: Format,
}

/// Streams `job` as the attachment `filename`: a task reads the rows batch by batch and hands
/// the written bytes to the response through a small channel.
fn respond(ctx: &Ctx, job: Job, filename: &str) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(AHEAD);
    let (store, locale) = (ctx.state.store.clone(), ctx.locale);
    let format = job.format;
    tokio::spawn(async move {
        let mut writer = ExportWriter::new(job.format);
        if tx.send(Ok(writer.start(&job.header).into())).await.is_err() {
            return;
        }
        for tenant in &job.tenants {
            let site = job.with_site.then(|| tenant.code.to_string());
            match write_tenant(&store, tenant, &job, locale, site, &mut writer, &tx).await {
                Ok(true) => {}
                // The client went away: stop reading.
                Ok(false) => return,
                Err(e) => {
                    tracing::error!(tenant.code = %tenant.code, error = %e, "export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            }
        }
        let _ = tx.send(Ok(writer.finish().into())).await;
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Response::builder()
        .content_type(format.content_type())
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_bytes_stream(stream))
}

/// Writes `job.list` of `tenant` to `tx`, batch by batch (each row after `site` when given);
/// `false` when the client went away.
async fn write_tenant(
    store: &jsap_store::Store,
    tenant: &Tenant,
    job: &Job,
    locale: jsap_domain::Locale,
    site: Option<String>,
    writer: &mut ExportWriter,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<bool, jsap_store::StoreError> {
    let exports = Exports::for_tenant(store.conn(), tenant);
    let names = exports.names().await?;
    let mut after = 0;
    loop {
        let (mut rows, last) = exports
            .batch(job.list, &names, locale.as_str(), after, BATCH)
            .await?;
        let Some(last) = last else {
            return Ok(true);
        };
        after = last;
        if let Some(site) = &site {
            for row in &mut rows {
                row.insert(0, site.clone());
            }
        }
        if tx.send(Ok(writer.rows(&rows).into())).await.is_err() {
            return Ok(false);
        }
    }
}
