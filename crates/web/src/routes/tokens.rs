//! Personal access tokens (`/{locale}/compte/jetons`): a member names and creates one (shown
//! once, right after), sees the ones they hold (name, first characters, created, last used)
//! and revokes them.

use crate::AppError;
use crate::kit::PathId;
use crate::kit::{Checked, Ctx, Errors, FormView, see_other};
use crate::roles::RequireMember;
use crate::views::format_date;
use jsap_app::tokens::{self, NAME_MAX, TokenRefusal};
use jsap_domain::TokenId;
use jsap_store::AccessTokens;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

async fn page(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    status: StatusCode,
    form: FormView,
    created: Option<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let account = member.account();
    let date =
        |at: chrono::DateTime<chrono::Utc>| format_date(ctx.tenant.local_date(at), ctx.locale);
    let rows: Vec<TokenRow> = AccessTokens::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .of_user(account.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: date(t.created_at),
            last_used: t.last_used_at.map(date),
            revoked: t.revoked_at.map(date),
        })
        .collect();
    ctx.page(req, "/compte/jetons", "account/tokens.html", status, |c| {
        c.insert("tokens", &rows);
        c.insert("form", &form);
        c.insert("created_token", &created);
        c.insert("notice", &notice);
        c.insert("verified", &account.email_verified);
        c.insert("token_name_max", &NAME_MAX);
        c.insert(
            "api_base",
            &format!("{}/api/v1", ctx.tenant.canonical_url()),
        );
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokensParams {
    done: Option<String>,
}

/// `GET /{locale}/compte/jetons`.
#[handler]
pub async fn tokens_page(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Query(params): Query<TokensParams>,
) -> Result<Response, AppError> {
    let notice = crate::kit::notice(&ctx, params.done.as_deref(), &NOTICES);
    page(
        &ctx,
        req,
        &member,
        StatusCode::OK,
        FormView::default(),
        None,
        notice,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

/// `POST /{locale}/compte/jetons`: creates a token and shows it, once.
#[handler]
pub async fn create_token(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Checked(form): Checked<TokenForm>,
) -> Result<Response, AppError> {
    let refusal = match tokens::create(&ctx.scope(), member.account(), &form.name).await? {
        Ok((token, _)) => {
            return page(
                &ctx,
                req,
                &member,
                StatusCode::CREATED,
                FormView::default(),
                Some(token),
                Some(ctx.t("tokens.done_created")),
            )
            .await;
        }
        Err(refusal) => refusal,
    };
    let mut errors = Errors::new();
    errors.insert(
        "name",
        ctx.t(match refusal {
            TokenRefusal::Unverified => "tokens.err_unverified",
            TokenRefusal::Name => "tokens.err_name",
            TokenRefusal::TooMany => "tokens.err_many",
        }),
    );
    let mut view = FormView {
        errors,
        ..FormView::default()
    };
    view.values
        .insert("name", form.name.trim().chars().take(NAME_MAX).collect());
    page(
        &ctx,
        req,
        &member,
        StatusCode::UNPROCESSABLE_ENTITY,
        view,
        None,
        None,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct Nothing {}

/// `POST /{locale}/compte/jetons/{id}/revoquer`.
#[handler]
pub async fn revoke_token(
    ctx: Ctx,
    PathId(id): PathId<TokenId>,
    member: RequireMember,
    Checked(_): Checked<Nothing>,
) -> Result<Response, AppError> {
    if !tokens::revoke(&ctx.scope(), member.account(), id).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other(format!(
        "/{}/compte/jetons?done=revoked",
        ctx.locale
    )))
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 1] = [("revoked", "tokens.done_revoked")];
