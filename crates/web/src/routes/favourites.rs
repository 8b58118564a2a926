//! Favourites: a member saves a mission from its page (the heart), finds what they saved at
//! `/{locale}/compte/favoris` (newest first, 20 a page, the closed ones marked) and removes
//! any. A visitor's heart leads to the log-in page and back to the mission.

use crate::AppError;
use crate::kit::{Checked, Ctx, see_other};
use crate::roles::RequireMember;
use crate::views::{Pager, format_date};
use jsap_app::favourites::{self, FavouriteRefusal};
use jsap_domain::MissionId;
use jsap_store::Favourites;
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

/// Saved missions a page.
const PER_PAGE: u64 = 20;

/// The confirmation of each `?done=` code (the list and the mission page).
pub(crate) const NOTICES: [(&str, &str); 2] = [
    ("saved", "favourites.done_saved"),
    ("removed", "favourites.done_removed"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FavouriteForm {
    /// `save` or `remove`.
    action: String,
    /// `list` when sent from the list (back there), else back to the mission.
    from: String,
    /// A card's heart: the page it is on (a path of this site in the same language), where
    /// the member goes back to, at the card.
    back: String,
}

/// `back` when it is a local path (`kit::is_local_path`) of a page in `locale`, with no
/// `//` or `\\` anywhere, at most 2,000 bytes; without its fragment.
fn local_back(back: &str, locale: jsap_domain::Locale) -> Option<&str> {
    let back = back.split('#').next().unwrap_or("");
    let ours = back.starts_with(&format!("/{locale}/")) || back == format!("/{locale}");
    let plain = !back.contains("//") && !back.contains('\\') && back.len() <= 2000;
    (ours && plain && crate::kit::is_local_path(back)).then_some(back)
}

/// Marks the cards the signed-in member of the page saved and shows their hearts (a
/// visitor's cards show none): one query for the page.
pub(crate) async fn mark_cards(
    ctx: &Ctx,
    cards: &mut [crate::views::MissionCard],
) -> Result<(), AppError> {
    let Some(member) = ctx.member else {
        return Ok(());
    };
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let saved = Favourites::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .saved_among(member, &ids)
        .await?;
    for card in cards {
        card.heart = true;
        card.saved = saved.contains(&card.id);
    }
    Ok(())
}

/// `POST /{locale}/missions/{id-slug}/favori`: saves or removes the mission, then back to
/// where the member was, with a confirmation.
#[handler]
pub async fn toggle(
    ctx: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
    member: RequireMember,
    Checked(form): Checked<FavouriteForm>,
) -> Result<Response, AppError> {
    let id = MissionId(crate::views::mission_id(&id_slug)?);
    let scope = ctx.scope();
    let done = match form.action.as_str() {
        "save" => match favourites::save(&scope, member.account(), id, ctx.locale).await? {
            Ok(_) => "saved",
            Err(FavouriteRefusal::NotFound) => return Err(AppError::NotFound),
        },
        "remove" => {
            favourites::remove(&scope, member.account(), id).await?;
            "removed"
        }
        _ => return Err(AppError::BadRequest { code: "action" }),
    };
    Ok(see_other(if form.from == "list" {
        format!("/{}/compte/favoris?done={done}", ctx.locale)
    } else if let Some(back) = local_back(&form.back, ctx.locale) {
        format!("{back}#m-{}", id.get())
    } else {
        format!("/{}/missions/{id_slug}?done={done}#favori", ctx.locale)
    }))
}

/// `GET /{locale}/missions/{id-slug}/favori`: where a visitor lands after logging in from
/// the heart; back to the mission (where the heart now works).
#[handler]
pub async fn after_login(
    ctx: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    crate::views::mission_id(&id_slug)?;
    Ok(see_other(format!(
        "/{}/missions/{id_slug}#favori",
        ctx.locale
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    page: Option<u64>,
    done: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id_slug: String,
    title: String,
    /// Its page, while the mission is open.
    url: Option<String>,
    city: String,
    dates: String,
    saved_on: String,
}

/// `GET /{locale}/compte/favoris[?page=N]`.
#[handler]
pub async fn list(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    // Far past any member's list: a 404 without reading an absurd offset.
    let page = params.page.unwrap_or(1).clamp(1, 100_000);
    let saved = Favourites::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .of_member(member.account().id, ctx.locale.as_str(), page, PER_PAGE)
        .await?;
    let pager = Pager::new(page, saved.total, PER_PAGE);
    if page > pager.pages {
        return Err(AppError::NotFound);
    }
    let cities = ctx.cities().await?;
    let locale = ctx.locale;
    let rows: Vec<Row> = saved
        .missions
        .into_iter()
        .map(|m| {
            let id_slug = format!("{}-{}", m.mission_id, m.slug);
            let dates = if m.flexible && m.remote {
                ctx.t("card.remote_anytime")
            } else if m.flexible {
                ctx.t("editor.flexible_dates")
            } else {
                ctx.t("card.dates")
                    .replace("%{from}", &format_date(m.starts_on, locale))
                    .replace("%{to}", &format_date(m.ends_on, locale))
            };
            Row {
                url: m.open.then(|| format!("/{locale}/missions/{id_slug}")),
                id_slug,
                title: m.title,
                city: if m.remote {
                    ctx.t("card.remote")
                } else {
                    cities
                        .iter()
                        .find(|c| c.id == m.city_id)
                        .map(|c| c.name_in(locale).to_owned())
                        .unwrap_or_default()
                },
                dates,
                saved_on: format_date(ctx.tenant.local_date(m.saved_at), locale),
            }
        })
        .collect();
    let notice = crate::kit::notice(&ctx, params.done.as_deref(), &NOTICES);
    let total = saved.total;
    ctx.page(
        req,
        "/compte/favoris",
        "account/favourites.html",
        StatusCode::OK,
        |c| {
            put!(c, rows, notice, total);
            pager.insert(c, |p| format!("/{locale}/compte/favoris?page={p}"));
        },
    )
}

#[cfg(test)]
mod tests {
    use super::local_back;
    use jsap_domain::Locale;

    #[test]
    fn a_card_heart_goes_back_only_to_a_page_of_this_site_in_its_language() {
        let fr = Locale::Fr;
        assert_eq!(
            local_back("/fr/missions?city=douala#m-3", fr),
            Some("/fr/missions?city=douala")
        );
        assert_eq!(
            local_back("/fr/villes/douala", fr),
            Some("/fr/villes/douala")
        );
        for refused in [
            "",
            "https://evil.example/fr/",
            "//evil.example/fr/missions",
            "/fr//evil.example",
            "/fr/\\evil",
            "/en/missions",
            "fr/missions",
            "/fr/missions\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(local_back(refused, fr), None, "{refused}");
        }
    }
}
