//! The member's profile (`/{locale}/compte/profil`), stays (`POST /compte/sejours`, `POST
//! /compte/sejours/{id}/supprimer`: one small form each, no script needed), email
//! preferences (`/compte/emails`, where every email footer links) and what the account page
//! shows of them (the next stay and the missions during it).
//!
//! Field errors re-render the form (422). A value no form of ours can send (a city or a
//! taxonomy slug of another tenant, a malformed id) is a 400 and writes nothing.

use crate::kit::{Checked, Ctx, Done, Errors, INVALID_FORM, Pairs, all, one, see_other};
use crate::roles::RequireMember;
use crate::routes::accounts::{NAME_MAX, check_name};
use crate::views::Choice;
use crate::views::MissionCard;
use crate::{AppError, AppState};
use chrono::NaiveDate;
use jsap_domain::Locale;
use jsap_store::{CityRecord, MissionQuery, Profile, Profiles, Stay};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::Serialize;
use std::collections::BTreeMap;

mod emails;
mod export;
mod for_you;
mod stays;
pub use emails::*;
pub use export::*;
pub use for_you::*;
pub use stays::*;

pub const COUNTRY_MAX: usize = 80;
pub const SKILLS_MAX: usize = 20;
pub const LANGUAGES_MAX: usize = 10;
pub const TAG_MAX: usize = 40;
/// Cities one stay may list.
pub const MAX_STAY_CITIES: usize = 50;
/// Missions shown on the account page for the next stay.
const NEXT_STAY_MISSIONS: u64 = 6;

/// The profiles (and stays) of this tenant.
fn profiles(ctx: &Ctx) -> Profiles<'_, impl jsap_store::Connection> {
    Profiles::for_tenant(ctx.state.store.conn(), &ctx.tenant)
}

/// The signed-in member's profile.
async fn own_profile(ctx: &Ctx, member: &RequireMember) -> Result<Profile, AppError> {
    Ok(profiles(ctx).get(member.account().id).await?)
}

/// What a form shows back: values (lists included) and errors.
#[derive(Default, Serialize)]
struct ProfileForm {
    values: BTreeMap<&'static str, String>,
    lists: BTreeMap<&'static str, Vec<String>>,
    errors: Errors,
}

fn tags(
    ctx: &Ctx,
    raw: &str,
    field: &'static str,
    max_items: usize,
    errors: &mut Errors,
) -> Vec<String> {
    let too_many = |errors: &mut Errors| {
        errors.insert(
            field,
            ctx.t("profile.err_tags_many")
                .replace("%{max}", &max_items.to_string()),
        );
    };
    // Bounded before any work: no list longer than this can be valid (each item at most
    // TAG_MAX characters of at most 4 bytes, plus a separator and spaces).
    if raw.len() > max_items * (TAG_MAX * 4 + 4) {
        too_many(errors);
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    let mut items: Vec<String> = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if seen.insert(item.to_ascii_lowercase()) {
            if items.len() == max_items {
                too_many(errors);
                return items;
            }
            items.push(item.to_owned());
        }
    }
    if items.iter().any(|i| i.chars().count() > TAG_MAX) {
        errors.insert(
            field,
            ctx.t("profile.err_tag_long")
                .replace("%{max}", &TAG_MAX.to_string()),
        );
    }
    items
}

/// `+`, digits and spaces (and the usual `-`, `.`, parentheses), 6 to 15 digits.
pub fn phone_ok(raw: &str) -> bool {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let body = raw.strip_prefix('+').unwrap_or(raw);
    raw.chars().count() <= 32
        && (6..=15).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
}

#[derive(Serialize)]
struct StayView {
    id: i64,
    starts_on: String,
    ends_on: String,
    cities: String,
}

fn stay_view(stay: &Stay, cities: &[CityRecord], locale: Locale) -> StayView {
    StayView {
        id: stay.id,
        starts_on: jsap_adapters::dates::format_date(stay.starts_on, locale),
        ends_on: jsap_adapters::dates::format_date(stay.ends_on, locale),
        cities: stay
            .city_ids
            .iter()
            .filter_map(|id| cities.iter().find(|c| c.id == *id))
            .map(|c| c.name_in(locale))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 4] = [
    ("saved", "profile.done_saved"),
    ("stay_added", "profile.done_stay_added"),
    ("stay_removed", "profile.done_stay_removed"),
    ("emails_saved", "profile.done_emails_saved"),
];

fn profile_values(account_name: &str, p: &Profile) -> ProfileForm {
    ProfileForm {
        values: BTreeMap::from([
            ("display_name", account_name.to_owned()),
            ("country", p.country_of_residence.clone()),
            (
                "home_city",
                match (p.home_city_id, p.home_city_other.is_empty()) {
                    (Some(id), _) => id.to_string(),
                    (None, false) => "other".to_owned(),
                    (None, true) => String::new(),
                },
            ),
            ("home_city_other", p.home_city_other.clone()),
            ("skills", p.skills.join(", ")),
            ("languages", p.languages.join(", ")),
            ("phone", p.phone.clone()),
            ("remote_ok", if p.remote_ok { "yes" } else { "" }.to_owned()),
            ("findable", if p.findable { "yes" } else { "" }.to_owned()),
        ]),
        lists: BTreeMap::from([
            ("domain", p.domains.clone()),
            ("contribution", p.contributions.clone()),
        ]),
        errors: Errors::new(),
    }
}

async fn profile_page(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    status: StatusCode,
    form: ProfileForm,
    stay_form: ProfileForm,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let account = member.account();
    let cities = ctx.cities().await?;
    let stays: Vec<StayView> = Profiles::for_tenant(conn, &ctx.tenant)
        .stays(account.id)
        .await?
        .iter()
        .map(|s| stay_view(s, &cities, ctx.locale))
        .collect();
    let taxonomy = ctx.tenant.taxonomy();
    let chosen = |name: &str, value: &str| {
        form.lists
            .get(name)
            .is_some_and(|l| l.iter().any(|v| v == value))
    };
    let domains: Vec<Choice> = taxonomy
        .domains
        .iter()
        .map(|d| Choice {
            value: d.slug.clone(),
            label: d.labels.get(ctx.locale).to_owned(),
            checked: chosen("domain", &d.slug),
        })
        .collect();
    let contributions: Vec<Choice> = taxonomy
        .contribution_types
        .iter()
        .map(|c| Choice {
            value: c.slug.clone(),
            label: c.labels.get(ctx.locale).to_owned(),
            checked: chosen("contribution", &c.slug),
        })
        .collect();
    let stay_cities: Vec<Choice> = cities
        .iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: c.name_in(ctx.locale).to_owned(),
            checked: stay_form
                .lists
                .get("city")
                .is_some_and(|l| l.contains(&c.id.to_string())),
        })
        .collect();
    let home_cities: Vec<Choice> = cities
        .iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: c.name_in(ctx.locale).to_owned(),
            checked: form.values.get("home_city") == Some(&c.id.to_string()),
        })
        .collect();
    let terms = account
        .terms_accepted_at
        .map(|d| d.format("%Y-%m-%d").to_string());
    ctx.page(req, "/compte/profil", "account/profile.html", status, |c| {
        c.insert("form", &form);
        c.insert("stay_form", &stay_form);
        c.insert("stays", &stays);
        c.insert("domains", &domains);
        c.insert("contributions", &contributions);
        c.insert("stay_cities", &stay_cities);
        c.insert("home_cities", &home_cities);
        c.insert("terms_accepted_on", &terms);
        c.insert("notice", &notice);
        c.insert("skills_max", &SKILLS_MAX);
        c.insert("languages_max", &LANGUAGES_MAX);
        c.insert("tag_max", &TAG_MAX);
        c.insert("country_max", &COUNTRY_MAX);
        c.insert("today", &ctx.tenant.today().to_string());
    })
}

#[handler]
pub async fn profile_form(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let account = member.account();
    let profile = own_profile(&ctx, &member).await?;
    let form = profile_values(&account.display_name, &profile);
    let notice = done.notice(&ctx, &NOTICES);
    profile_page(
        &ctx,
        req,
        &member,
        StatusCode::OK,
        form,
        ProfileForm::default(),
        notice,
    )
    .await
}

#[handler]
pub async fn save_profile(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let profiles = profiles(&ctx);
    let account = member.account();
    let current = profiles.get(account.id).await?;
    // Values only a tampered form sends: 400, nothing written.
    let taxonomy = tenant.taxonomy();
    let domains: Vec<String> = all(&pairs, "domain")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let contributions: Vec<String> = all(&pairs, "contribution")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if domains.iter().any(|d| taxonomy.domain(d).is_none())
        || contributions
            .iter()
            .any(|c| taxonomy.contribution_type(c).is_none())
    {
        return Err(INVALID_FORM);
    }
    let home_city_id = match one(&pairs, "home_city").trim() {
        "" | "other" => None,
        id => match id.parse::<i64>() {
            Ok(id) if profiles.cities_exist(&[id]).await? => Some(id),
            _ => return Err(INVALID_FORM),
        },
    };
    let mut errors = Errors::new();
    let name = check_name(&ctx, one(&pairs, "display_name"), &mut errors);
    let country = one(&pairs, "country").trim().to_owned();
    if country.chars().count() > COUNTRY_MAX {
        errors.insert(
            "country",
            ctx.t("profile.err_text_long")
                .replace("%{max}", &COUNTRY_MAX.to_string()),
        );
    }
    let other = if one(&pairs, "home_city") == "other" {
        one(&pairs, "home_city_other").trim().to_owned()
    } else {
        String::new()
    };
    if other.chars().count() > NAME_MAX {
        errors.insert(
            "home_city_other",
            ctx.t("profile.err_text_long")
                .replace("%{max}", &NAME_MAX.to_string()),
        );
    }
    let skills = tags(
        &ctx,
        one(&pairs, "skills"),
        "skills",
        SKILLS_MAX,
        &mut errors,
    );
    let languages = tags(
        &ctx,
        one(&pairs, "languages"),
        "languages",
        LANGUAGES_MAX,
        &mut errors,
    );
    let phone = one(&pairs, "phone").trim().to_owned();
    if !phone.is_empty() && !phone_ok(&phone) {
        errors.insert("phone", ctx.t("profile.err_phone"));
    }
    if !errors.is_empty() {
        let form = ProfileForm {
            values: BTreeMap::from([
                (
                    "display_name",
                    one(&pairs, "display_name").trim().to_owned(),
                ),
                ("country", country),
                ("home_city", one(&pairs, "home_city").to_owned()),
                ("home_city_other", one(&pairs, "home_city_other").to_owned()),
                ("skills", one(&pairs, "skills").to_owned()),
                ("languages", one(&pairs, "languages").to_owned()),
                ("phone", phone),
                ("remote_ok", one(&pairs, "remote_ok").to_owned()),
                ("findable", one(&pairs, "findable").to_owned()),
            ]),
            lists: BTreeMap::from([("domain", domains), ("contribution", contributions)]),
            errors,
        };
        return profile_page(
            &ctx,
            req,
            &member,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            ProfileForm::default(),
            None,
        )
        .await;
    }
    let profile = Profile {
        country_of_residence: country,
        home_city_id,
        home_city_other: other,
        skills,
        languages,
        domains,
        contributions,
        phone,
        remote_ok: !one(&pairs, "remote_ok").is_empty(),
        findable: !one(&pairs, "findable").is_empty(),
        ..current
    };
    jsap_app::profiles::save(&state.store, tenant, account, &name, &profile).await?;
    Ok(see_other(format!(
        "/{}/compte/profil?done=saved",
        ctx.locale
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_checked_loosely() {
        for ok in ["+237 6 99 12 34 56", "0699123456", "+33 (0)6 12-34-56-78"] {
            assert!(phone_ok(ok), "{ok}");
        }
        for bad in [
            "12345",
            "+",
            "abc 123456",
            "+237 699 12 34 56 78 90 12",
            "06+99",
        ] {
            assert!(!phone_ok(bad), "{bad}");
        }
    }

    #[test]
    fn stay_dates_must_be_ordered_short_and_not_over() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let today = d("2026-11-29");
        assert_eq!(
            check_stay_dates(d("2026-12-20"), d("2027-01-10"), today),
            None
        );
        assert_eq!(
            check_stay_dates(d("2026-11-01"), d("2026-12-01"), today),
            None
        );
        assert_eq!(
            check_stay_dates(d("2027-01-10"), d("2026-12-20"), today),
            Some("profile.err_stay_order")
        );
        assert_eq!(
            check_stay_dates(d("2026-12-01"), d("2029-01-01"), today),
            Some("profile.err_stay_long")
        );
        assert_eq!(
            check_stay_dates(d("2026-01-01"), d("2026-02-01"), today),
            Some("profile.err_stay_past")
        );
    }
}
