//! `GET /{locale}/compte/export`: the member downloads everything the site holds about them.

use super::*;

#[handler]
pub async fn export(ctx: Ctx, member: RequireMember) -> Result<Response, AppError> {
    let data = jsap_app::export::member_data(&ctx.scope(), member.account()).await?;
    let body = serde_json::to_vec_pretty(&data)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("export: {e}")))?;
    let filename = format!(
        "{}-{}-{}.json",
        ctx.t("profile.export_file"),
        ctx.tenant.code,
        ctx.tenant.today()
    );
    Ok(Response::builder()
        .status(StatusCode::OK)
        .content_type("application/json; charset=utf-8")
        .header(
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        )
        .header("Cache-Control", "no-store")
        .body(body))
}
