//! Stays: the dates a member is in the country, added, checked and removed by their owner.

use super::*;

pub(super) fn date(
    ctx: &Ctx,
    raw: &str,
    field: &'static str,
    errors: &mut Errors,
) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.insert(field, ctx.t("profile.err_date_required"));
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.insert(field, ctx.t("profile.err_date_invalid"));
            None
        }
    }
}

/// Checks a stay's dates: an end before the start, a stay over two years, or one already
/// over are field errors.
pub fn check_stay_dates(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
) -> Option<&'static str> {
    use jsap_domain::stays::{StayDates, StayProblem};
    match StayDates::new(starts_on, ends_on, today) {
        Ok(_) => None,
        Err(StayProblem::EndsBeforeStart) => Some("profile.err_stay_order"),
        Err(StayProblem::TooLong) => Some("profile.err_stay_long"),
        Err(StayProblem::AlreadyOver) => Some("profile.err_stay_past"),
    }
}

#[handler]
pub async fn add_stay(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let mut city_ids = Vec::new();
    for raw_id in all(&pairs, "city") {
        match raw_id.parse::<i64>() {
            Ok(id) => city_ids.push(id),
            Err(_) => return Err(INVALID_FORM),
        }
    }
    city_ids.sort_unstable();
    city_ids.dedup();
    // The form offers the tenant's cities (14 at most today): more is a forged form.
    if city_ids.len() > MAX_STAY_CITIES || !profiles(&ctx).cities_exist(&city_ids).await? {
        return Err(INVALID_FORM);
    }
    let mut errors = Errors::new();
    let starts_on = date(&ctx, one(&pairs, "starts_on"), "starts_on", &mut errors);
    let ends_on = date(&ctx, one(&pairs, "ends_on"), "ends_on", &mut errors);
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && let Some(key) = check_stay_dates(s, e, ctx.tenant.today())
    {
        errors.insert("ends_on", ctx.t(key));
    }
    if city_ids.is_empty() {
        errors.insert("city", ctx.t("profile.err_stay_cities"));
    }
    let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
        return stay_errors(&ctx, req, &member, &pairs, errors).await;
    };
    if !errors.is_empty() {
        return stay_errors(&ctx, req, &member, &pairs, errors).await;
    }
    profiles(&ctx)
        .add_stay(member.account().id, starts_on, ends_on, &city_ids)
        .await?;
    Ok(see_other(format!(
        "/{}/compte/profil?done=stay_added#sejours",
        ctx.locale
    )))
}

pub(super) async fn stay_errors(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    pairs: &Pairs,
    errors: Errors,
) -> Result<Response, AppError> {
    let profile = own_profile(ctx, member).await?;
    let stay_form = ProfileForm {
        values: BTreeMap::from([
            ("starts_on", one(pairs, "starts_on").trim().to_owned()),
            ("ends_on", one(pairs, "ends_on").trim().to_owned()),
        ]),
        lists: BTreeMap::from([(
            "city",
            all(pairs, "city").into_iter().map(str::to_owned).collect(),
        )]),
        errors,
    };
    profile_page(
        ctx,
        req,
        member,
        StatusCode::UNPROCESSABLE_ENTITY,
        profile_values(&member.account().display_name, &profile),
        stay_form,
        None,
    )
    .await
}

#[handler]
pub async fn remove_stay(
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    member: RequireMember,
    Checked(_): Checked<Pairs>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Profiles::for_tenant(state.store.conn(), tenant)
        .delete_stay(member.account().id, id)
        .await?;
    Ok(see_other(format!(
        "/{}/compte/profil?done=stay_removed#sejours",
        ctx.locale
    )))
}
