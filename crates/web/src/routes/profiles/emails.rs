//! Email preferences (where every email footer links) and the next stay shown on the account page.

use super::*;

#[handler]
pub async fn emails_form(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let profile = own_profile(&ctx, &member).await?;
    let notice = done.notice(&ctx, &NOTICES);
    ctx.page(
        req,
        "/compte/emails",
        "account/emails.html",
        StatusCode::OK,
        |c| {
            c.insert("campaigns", &profile.email_campaigns);
            c.insert("reminders", &profile.email_reminders);
            c.insert("missions", &profile.email_missions);
            c.insert("notice", &notice);
        },
    )
}

#[handler]
pub async fn save_emails(
    ctx: Ctx,
    member: RequireMember,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let choices = jsap_app::profiles::EmailChoices {
        campaigns: !one(&pairs, "campaigns").is_empty(),
        reminders: !one(&pairs, "reminders").is_empty(),
        missions: !one(&pairs, "missions").is_empty(),
    };
    jsap_app::profiles::set_email_preferences(&ctx.scope(), member.account(), choices, ctx.locale)
        .await?;
    Ok(see_other(format!(
        "/{}/compte/emails?done=emails_saved",
        ctx.locale
    )))
}

// ----- the missions of a stay: the account page's next stay and "Mes séjours" -----

/// A stay and the missions open during it in its cities.
#[derive(Serialize)]
pub struct StayMissions {
    stay: StayView,
    missions: Vec<MissionCard>,
    total: u64,
    search_url: String,
}

/// The missions of `stay` (from today when it is under way), at most `limit` of them.
async fn stay_missions(
    state: &AppState,
    tenant: &jsap_tenancy::Tenant,
    locale: Locale,
    stay: &Stay,
    limit: u64,
) -> Result<StayMissions, AppError> {
    let today = tenant.today();
    let mut q = MissionQuery::new(locale, today);
    q.stay = Some((stay.starts_on.max(today), stay.ends_on));
    q.city_ids = stay.city_ids.clone();
    q.per_page = limit;
    // The listing's catalogue holds the tenant's cities too.
    let (total, missions, lookup) = crate::routes::pages::listing(state, tenant, q).await?;
    let cities = lookup.catalogue.cities();
    let mut pairs = vec![
        ("from", stay.starts_on.max(today).to_string()),
        ("to", stay.ends_on.to_string()),
    ];
    for id in &stay.city_ids {
        if let Some(c) = cities.iter().find(|c| c.id == *id) {
            pairs.push(("city", c.slug.clone()));
        }
    }
    Ok(StayMissions {
        stay: stay_view(stay, cities, locale),
        missions,
        total,
        search_url: format!("/{locale}/missions?{}", crate::params::encode(&pairs)),
    })
}

/// The next (or current) stay and its missions, for the account page.
pub async fn next_stay(
    state: &AppState,
    tenant: &jsap_tenancy::Tenant,
    locale: Locale,
    user_id: i64,
) -> Result<Option<StayMissions>, AppError> {
    let Some(stay) = Profiles::for_tenant(state.store.conn(), tenant)
        .next_stay(user_id, tenant.today())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(
        stay_missions(state, tenant, locale, &stay, NEXT_STAY_MISSIONS).await?,
    ))
}

/// `GET /{locale}/compte/sejours`: every stay not over yet, each with what fits it.
#[handler]
pub async fn stays_page(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let today = tenant.today();
    let mut stays = Vec::new();
    for stay in Profiles::for_tenant(state.store.conn(), tenant)
        .stays(member.account().id)
        .await?
        .into_iter()
        .filter(|s| s.ends_on >= today)
    {
        stays.push(stay_missions(state, tenant, ctx.locale, &stay, NEXT_STAY_MISSIONS).await?);
    }
    ctx.page(
        req,
        "/compte/sejours",
        "account/stays.html",
        StatusCode::OK,
        |c| {
            c.insert("stays", &stays);
        },
    )
}
