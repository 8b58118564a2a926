//! The triage of requests as the handling side sees it: the inbox's sort and filters
//! (`?sujet=`, `?urgence=`, `?langue=`, `?tri=urgence`) and the labels of a request's
//! topic, urgency and language.

use super::*;
use jsap_store::{InboxOrder, InboxView, Language, RequestTriage, Urgency};

/// A request's triage, in words.
#[derive(Serialize)]
pub(super) struct TriageLabels {
    pub topic: String,
    /// `high`, `normal` or `low` (a badge's class).
    pub urgency: &'static str,
    pub urgency_label: String,
    pub language: String,
    /// The language code, when it is one of the platform's (`lang` of the suggested reply).
    pub lang: Option<&'static str>,
}

impl TriageLabels {
    pub(super) fn of(
        ctx: &Ctx,
        taxonomy: &jsap_domain::Taxonomy,
        triage: &RequestTriage,
    ) -> TriageLabels {
        TriageLabels {
            topic: domain_label(taxonomy, &triage.topic, ctx.locale).label,
            urgency: triage.urgency.as_str(),
            urgency_label: urgency_label(ctx, triage.urgency),
            language: language_label(ctx, triage.language),
            lang: (triage.language != Language::Other).then(|| triage.language.as_str()),
        }
    }
}

fn urgency_label(ctx: &Ctx, urgency: Urgency) -> String {
    ctx.t(&format!("request.urgency_{}", urgency.as_str()))
}

fn language_label(ctx: &Ctx, language: Language) -> String {
    ctx.t(&format!("request.language_{}", language.as_str()))
}

/// One choice of a filter's list.
#[derive(Serialize)]
pub(super) struct FilterChoice {
    value: String,
    label: String,
    selected: bool,
}

/// The sort and filter form of a handling inbox.
#[derive(Serialize)]
pub(super) struct TriageForm {
    topics: Vec<FilterChoice>,
    urgencies: Vec<FilterChoice>,
    languages: Vec<FilterChoice>,
    orders: Vec<FilterChoice>,
    /// Whether any filter or the urgency order is on (a "show all" link).
    active: bool,
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The view the inbox's parameters ask for, or the message for a value that does not exist.
/// The member's own inbox takes only the state: triage is for the handling side.
pub(super) fn view_of(
    ctx: &Ctx,
    params: &InboxParams,
    inbox: Inbox,
    state: Option<RequestState>,
) -> Result<InboxView, String> {
    let mut view = InboxView {
        state,
        ..InboxView::default()
    };
    if inbox == Inbox::Member {
        return Ok(view);
    }
    let refused = || ctx.t("request.err_triage_filter");
    if let Some(topic) = given(&params.sujet) {
        if ctx.tenant.taxonomy().domain(topic).is_none() {
            return Err(refused());
        }
        view.topic = Some(topic.to_owned());
    }
    if let Some(raw) = given(&params.urgence) {
        view.urgency = Some(Urgency::parse(raw).ok_or_else(refused)?);
    }
    if let Some(raw) = given(&params.langue) {
        view.language = Some(Language::parse(raw).ok_or_else(refused)?);
    }
    view.order = match given(&params.tri) {
        None | Some("recent") => InboxOrder::Recent,
        Some("urgence") => InboxOrder::Urgency,
        Some(_) => return Err(refused()),
    };
    Ok(view)
}

/// The query pairs that keep `view`'s triage filters and order in a link.
pub(super) fn pairs(view: &InboxView) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if let Some(topic) = &view.topic {
        pairs.push(("sujet", topic.clone()));
    }
    if let Some(u) = view.urgency {
        pairs.push(("urgence", u.as_str().to_owned()));
    }
    if let Some(l) = view.language {
        pairs.push(("langue", l.as_str().to_owned()));
    }
    if view.order == InboxOrder::Urgency {
        pairs.push(("tri", "urgence".to_owned()));
    }
    pairs
}

/// The form's lists, with `view`'s choices selected.
pub(super) fn form(ctx: &Ctx, view: &InboxView) -> TriageForm {
    let option = |value: &str, label: String, selected: bool| FilterChoice {
        value: value.to_owned(),
        label,
        selected,
    };
    let taxonomy = ctx.tenant.taxonomy();
    let topics = std::iter::once(option(
        "",
        ctx.t("request.triage_any_topic"),
        view.topic.is_none(),
    ))
    .chain(taxonomy.domains.iter().map(|d| {
        option(
            &d.slug,
            d.labels.get(ctx.locale).to_owned(),
            view.topic.as_deref() == Some(d.slug.as_str()),
        )
    }))
    .collect();
    let any = |none: bool| option("", ctx.t("request.triage_any"), none);
    let urgencies = std::iter::once(any(view.urgency.is_none()))
        .chain(
            Urgency::ALL
                .into_iter()
                .rev()
                .map(|u| option(u.as_str(), urgency_label(ctx, u), view.urgency == Some(u))),
        )
        .collect();
    let languages = std::iter::once(any(view.language.is_none()))
        .chain(
            Language::ALL
                .into_iter()
                .map(|l| option(l.as_str(), language_label(ctx, l), view.language == Some(l))),
        )
        .collect();
    let orders = vec![
        option(
            "recent",
            ctx.t("request.triage_sort_recent"),
            view.order == InboxOrder::Recent,
        ),
        option(
            "urgence",
            ctx.t("request.triage_sort_urgency"),
            view.order == InboxOrder::Urgency,
        ),
    ];
    TriageForm {
        topics,
        urgencies,
        languages,
        orders,
        active: !pairs(view).is_empty(),
    }
}
