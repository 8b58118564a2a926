//! The country operator's exports (`/{locale}/espace/pays/export/{list}.{csv,xlsx}`): every
//! mission, organisation, request and member of the tenant, streamed batch by batch (a task
//! reads `BATCH` rows at a time and hands the written bytes to the response through a small
//! channel), so 100,000 rows never sit in memory. Recorded in the journal.

use crate::AppError;
use crate::export_formats::{ExportWriter, Format};
use crate::kit::Ctx;
use crate::roles::RequireCountryOperator;
use jsap_store::{ExportList, Exports};
use poem::http::header;
use poem::web::Path;
use poem::{Body, Response, handler};

/// Rows read and written at a time.
const BATCH: u64 = 500;
/// Batches written ahead of the client at most.
const AHEAD: usize = 4;

type Chunk = Result<bytes::Bytes, std::io::Error>;

#[handler]
pub async fn download(
    ctx: Ctx,
    operator: RequireCountryOperator,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (name, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let list = ExportList::parse(name).ok_or(AppError::NotFound)?;
    let format = Format::parse(ext).ok_or(AppError::NotFound)?;
    jsap_app::downloads::start(&ctx.scope(), operator.user.account(), &file)
        .await?
        .map_err(|_| AppError::Forbidden)?;
    let header: Vec<String> = list
        .columns()
        .iter()
        .map(|c| ctx.t(&format!("export.col_{c}")))
        .collect();
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(AHEAD);
    let (store, tenant, locale) = (ctx.state.store.clone(), ctx.tenant.clone(), ctx.locale);
    let filename = format!("{}-{}-{}.{ext}", list.as_str(), tenant.code, tenant.today());
    tokio::spawn(async move {
        let failed = |e: jsap_store::StoreError| {
            tracing::error!(tenant.code = %tenant.code, error = %e, "export failed");
            Err(std::io::Error::other("export failed"))
        };
        let mut writer = ExportWriter::new(format);
        if tx.send(Ok(writer.start(&header).into())).await.is_err() {
            return;
        }
        let exports = Exports::for_tenant(store.conn(), &tenant);
        let names = match exports.names().await {
            Ok(names) => names,
            Err(e) => {
                let _ = tx.send(failed(e)).await;
                return;
            }
        };
        let mut after = 0;
        loop {
            match exports
                .batch(list, &names, locale.as_str(), after, BATCH)
                .await
            {
                Ok((rows, Some(last))) => {
                    after = last;
                    // The client went away: stop reading.
                    if tx.send(Ok(writer.rows(&rows).into())).await.is_err() {
                        return;
                    }
                }
                Ok((_, None)) => break,
                Err(e) => {
                    let _ = tx.send(failed(e)).await;
                    return;
                }
            }
        }
        let _ = tx.send(Ok(writer.finish().into())).await;
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(Response::builder()
        .content_type(format.content_type())
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_bytes_stream(stream)))
}
