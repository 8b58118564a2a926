//! `POST /api/v1/assistant/draft` (`Authorization: Bearer <personal access token>`): a
//! mission drafted from a message for partners' tools, as the editor's "write from a
//! message" does (`jsap_app::assistant`). Nothing is written: the caller reviews the draft
//! and creates the mission with `POST /api/v1/missions`.

use super::{Refused, TokenAuth, holder_account, internal};
use crate::AppState;
use crate::extract::CurrentTenant;
use crate::routes::api::api_error;
use jsap_app::assistant::{self as assist, DraftRefusal, MESSAGE_MAX};
use jsap_domain::Locale;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use std::sync::Arc;

#[derive(Object)]
struct DraftIn {
    /// The message as received (WhatsApp, email, notes), at most 10,000 characters.
    text: String,
    /// The language of the generated title and summary (`fr`, `en`, `ar`; default: the
    /// site's main language).
    locale: Option<String>,
}

#[derive(Object)]
struct ScoredOut {
    slug: String,
    /// 0 to 1.
    confidence: f64,
}

#[derive(Object)]
struct AmountOut {
    value: f64,
    /// ISO 4217 code, or `CFA` when the franc's zone is not said.
    currency: String,
}

#[derive(Object)]
struct DraftOut {
    title: String,
    summary: String,
    /// Best first.
    domains: Vec<ScoredOut>,
    /// Best first, at least three.
    mission_types: Vec<ScoredOut>,
    contribution_types: Vec<String>,
    /// A city slug of this site; absent when none is recognised.
    #[oai(skip_serializing_if_is_none)]
    city: Option<String>,
    remote: bool,
    /// ISO date; absent (with `ends_on`) when the message states no dates.
    #[oai(skip_serializing_if_is_none)]
    starts_on: Option<String>,
    /// ISO date; absent when the message states no end.
    #[oai(skip_serializing_if_is_none)]
    ends_on: Option<String>,
    amounts: Vec<AmountOut>,
}

fn scored(list: Vec<jsap_assistant::Scored>) -> Vec<ScoredOut> {
    list.into_iter()
        .map(|s| ScoredOut {
            slug: s.slug,
            confidence: s.confidence,
        })
        .collect()
}

pub struct AssistantApi;

#[OpenApi(prefix_path = "/v1")]
impl AssistantApi {
    /// Draft a mission from a message (nothing is saved).
    #[oai(path = "/assistant/draft", method = "post")]
    async fn draft(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        body: Json<DraftIn>,
    ) -> Result<Json<DraftOut>, Refused> {
        let account = holder_account(&state, &tenant, &auth).await?;
        let locale = match body.0.locale.as_deref() {
            None => tenant.0.default_locale,
            Some(raw) => match raw.parse::<Locale>().ok().filter(|l| tenant.0.offers(*l)) {
                Some(l) => l,
                None => {
                    return Err(Refused::Invalid(api_error(
                        "invalid_field",
                        Some("locale"),
                        "a language this site offers",
                    )));
                }
            },
        };
        let scope = super::scope(&state, &tenant.0);
        let outcome =
            assist::draft_mission(&scope, &state.assistant, &account, &body.0.text, locale)
                .await
                .map_err(internal)?;
        let draft = match outcome {
            Ok(d) => d,
            Err(DraftRefusal::NotAllowed) => {
                return Err(Refused::Forbidden(api_error(
                    "forbidden",
                    None,
                    "only those who write missions on this site draft them",
                )));
            }
            Err(DraftRefusal::Empty) => {
                return Err(Refused::Invalid(api_error(
                    "invalid_field",
                    Some("text"),
                    "required",
                )));
            }
            Err(DraftRefusal::TooLong) => {
                return Err(Refused::Invalid(api_error(
                    "invalid_field",
                    Some("text"),
                    format!("at most {MESSAGE_MAX} characters"),
                )));
            }
        };
        Ok(Json(DraftOut {
            title: draft.title,
            summary: draft.summary,
            domains: scored(draft.domains),
            mission_types: scored(draft.mission_types),
            contribution_types: draft.contribution_types,
            city: draft.city,
            remote: draft.remote,
            starts_on: draft.starts_on.map(|d| d.to_string()),
            ends_on: draft.ends_on.map(|d| d.to_string()),
            amounts: draft
                .amounts
                .into_iter()
                .map(|a| AmountOut {
                    value: a.value,
                    currency: a.currency,
                })
                .collect(),
        }))
    }
}
