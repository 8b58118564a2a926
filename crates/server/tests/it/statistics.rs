//! The country operator's statistics: figures computed from requests, messages, surveys,
//! missions, profiles and stays written in the test (through the store, with chosen times),
//! read back from the store and over HTTP; the period filter changes them, a bad date is a 400
//! saying why, and Senegal's operator sees none of Cameroon's figures.

use crate::helpers::{Options, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use chrono::{DateTime, Duration, Utc};
use jsap_store::{
    Action, Cities, MissionFields, MissionTerms, MissionText, Missions, NewMission,
    NewOrganisation, NewRequest, OrganisationProfile, Organisations, Profile, Profiles,
    RequestKind, Requests, Role, Side, Statistics, StatsPeriod,
};

async fn city(app: &TestApp, code: &str, slug: &str) -> i64 {
    Cities::for_tenant(app.services.store.conn(), &tenant(app, code))
        .by_slug(slug)
        .await
        .expect("cities")
        .expect("city")
        .id
}

async fn organisation(app: &TestApp, code: &str, city: i64, slug: &str) -> i64 {
    Organisations::for_tenant(app.services.store.conn(), &tenant(app, code))
        .insert(NewOrganisation {
            slug: slug.into(),
            verified: true,
            profile: OrganisationProfile {
                city_id: city,
                kind: "association".into(),
                name: format!("Association {slug}"),
                description: "Une association".into(),
                ..Default::default()
            },
        })
        .await
        .expect("organisation")
}

async fn mission(app: &TestApp, code: &str, org: i64, city: i64, slug: &str) {
    let today = tenant(app, code).today();
    Missions::for_tenant(app.services.store.conn(), &tenant(app, code))
        .insert_all(vec![NewMission {
            slug: slug.into(),
            published: true,
            photos: vec![],
            fields: MissionFields {
                organisation_id: org,
                city_id: city,
                featured: false,
                capacity: None,
                contact_name: String::new(),
                skills: vec![],
                texts: vec![MissionText {
                    locale: "fr".into(),
                    title: format!("Mission {slug}"),
                    summary: "Résumé".into(),
                    description: "Description".into(),
                }],
                terms: MissionTerms {
                    domain: "education-enfance".into(),
                    mission_type: "soutien-scolaire-ateliers".into(),
                    contribution_types: vec!["competences".into()],
                    remote: false,
                    urgent: false,
                    flexible: false,
                    starts_on: today + Duration::days(30),
                    ends_on: today + Duration::days(60),
                },
            },
        }])
        .await
        .expect("mission");
}

/// A member with `country` as their country of residence.
async fn member(app: &TestApp, code: &str, email: &str, country: &str) -> i64 {
    let id = account(app, code, email, &[]).await;
    let profile = Profile {
        country_of_residence: country.into(),
        ..Profile::default()
    };
    Profiles::for_tenant(app.services.store.conn(), &tenant(app, code))
        .save(id, &profile)
        .await
        .expect("profile");
    id
}

/// A request sent at `at`; answered by `answer` (who, how long after) and closed by `close`
/// (the action, how long after), both optional.
struct Sent {
    code: &'static str,
    member: i64,
    organisation: Option<i64>,
    city: i64,
    at: DateTime<Utc>,
    answer: Option<(i64, Duration)>,
    close: Option<(Action, Duration)>,
    score: Option<i32>,
}

async fn send(app: &TestApp, s: Sent) {
    let t = tenant(app, s.code);
    let requests = Requests::for_tenant(app.services.store.conn(), &t);
    let kind = match s.organisation {
        Some(_) => RequestKind::Mission,
        None => RequestKind::Project,
    };
    let request = requests
        .create(
            NewRequest {
                kind,
                member_user_id: s.member,
                mission_id: None,
                organisation_id: s.organisation,
                city_id: s.city,
                locale: "fr".into(),
                title: "Une demande".into(),
                body: "Bonjour".into(),
                offer: "Du temps".into(),
                contribution: None,
                available_from: None,
                available_to: None,
                domain: None,
            },
            s.at,
            14,
        )
        .await
        .expect("request");
    // The member's own messages are no answer.
    requests
        .add_message(
            &request,
            s.member,
            Side::Member,
            "Précision",
            s.at + Duration::minutes(5),
        )
        .await
        .expect("member message");
    if let Some((author, after)) = s.answer {
        requests
            .add_message(
                &request,
                author,
                Side::Organisation,
                "Réponse",
                s.at + after,
            )
            .await
            .expect("answer");
    }
    if let Some((action, after)) = s.close {
        if action == Action::Complete {
            let accepted = requests
                .apply(
                    &request,
                    Action::Accept,
                    Side::Organisation,
                    s.at + after / 2,
                )
                .await
                .expect("accept");
            assert!(accepted.is_ok());
        }
        let side = match action {
            Action::Withdraw => Side::Member,
            _ => Side::Organisation,
        };
        let closed = requests
            .apply(&request, action, side, s.at + after)
            .await
            .expect("close");
        assert!(closed.is_ok(), "{closed:?}");
    }
    if let Some(score) = s.score {
        let token = requests
            .create_survey(&request, Utc::now(), Duration::days(30))
            .await
            .expect("survey");
        assert!(
            requests
                .answer_survey(&token, score, "", Utc::now())
                .await
                .expect("answer survey")
        );
    }
}

/// Cameroon: two answered and closed requests to an organisation in Douala 10 days ago, a
/// project to Yaoundé 200 days ago never answered, two missions, members from France (written
/// twice differently) and Belgium, a stay 40 days ago. Senegal: one request, a member in Italy.
async fn seed(app: &TestApp) {
    let (douala, yaounde, dakar) = (
        city(app, "cm", "douala").await,
        city(app, "cm", "yaounde").await,
        city(app, "sn", "dakar").await,
    );
    let entraide = organisation(app, "cm", douala, "entraide-douala").await;
    let sn_org = organisation(app, "sn", dakar, "asso-dakar").await;
    mission(app, "cm", entraide, douala, "mentorat").await;
    mission(app, "cm", entraide, douala, "lecture").await;
    mission(app, "sn", sn_org, dakar, "dakar").await;
    let handler = account(
        app,
        "cm",
        "asso@example.org",
        &[(Role::OrganisationAdmin, None, Some(entraide))],
    )
    .await;
    let awa = member(app, "cm", "awa@example.org", "France").await;
    let binta = member(app, "cm", "binta@example.org", " france ").await;
    member(app, "cm", "moussa@example.org", "Belgique").await;
    let today = tenant(app, "cm").today();
    Profiles::for_tenant(app.services.store.conn(), &tenant(app, "cm"))
        .add_stay(
            awa,
            today - Duration::days(40),
            today - Duration::days(35),
            &[douala],
        )
        .await
        .expect("stay");
    let ten_days_ago = Utc::now() - Duration::days(10);
    let sent = |member, organisation, city, at| Sent {
        code: "cm",
        member,
        organisation,
        city,
        at,
        answer: None,
        close: None,
        score: None,
    };
    send(
        app,
        Sent {
            answer: Some((handler, Duration::hours(2))),
            close: Some((Action::Complete, Duration::days(3))),
            score: Some(4),
            ..sent(awa, Some(entraide), douala, ten_days_ago)
        },
    )
    .await;
    send(
        app,
        Sent {
            answer: Some((handler, Duration::hours(6))),
            close: Some((Action::Decline, Duration::days(1))),
            score: Some(5),
            ..sent(binta, Some(entraide), douala, ten_days_ago)
        },
    )
    .await;
    send(
        app,
        sent(binta, None, yaounde, Utc::now() - Duration::days(200)),
    )
    .await;

    let ibrahima = member(app, "sn", "ibrahima@example.org", "Italie").await;
    send(
        app,
        Sent {
            code: "sn",
            score: Some(1),
            ..sent(ibrahima, Some(sn_org), dakar, ten_days_ago)
        },
    )
    .await;
}

#[tokio::test]
async fn the_store_computes_each_figure_of_the_period_from_this_tenant_only() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    seed(&app).await;
    let cm = tenant(&app, "cm");
    let today = cm.today();
    let stats = Statistics::for_tenant(app.services.store.conn(), &cm);
    let year = StatsPeriod {
        from: Some(today - Duration::days(364)),
        to: Some(today),
    };
    let f = stats.figures(year, "fr").await.expect("figures");

    assert_eq!(f.missions, 2);
    assert_eq!(f.missions_by_domain[0].key, "education-enfance");
    assert_eq!(f.missions_by_city[0].key, "Douala");
    assert_eq!(f.missions_by_state[0].key, "published");
    assert_eq!(f.requests, 3);
    assert!(
        (52..=54).contains(&f.requests_by_week.len()),
        "every week of the year"
    );
    assert_eq!(f.requests_by_week.iter().map(|w| w.count).sum::<u64>(), 3);
    assert!(
        f.requests_by_week
            .windows(2)
            .all(|w| w[1].monday - w[0].monday == Duration::days(7))
    );

    let org = &f.delays_by_organisation[0];
    assert_eq!(org.name.as_deref(), Some("Association entraide-douala"));
    assert_eq!((org.requests, org.answered, org.resolved), (2, 2, 2));
    assert_eq!(
        org.first_response,
        Some(Duration::hours(4)),
        "median of 2 h and 6 h"
    );
    assert_eq!(
        org.resolution,
        Some(Duration::days(2)),
        "median of 3 days and 1 day"
    );
    let focal = &f.delays_by_organisation[1];
    assert_eq!(focal.name, None, "a project goes to no organisation");
    assert_eq!(
        (focal.requests, focal.answered, focal.first_response),
        (1, 0, None)
    );
    let cities: Vec<_> = f.delays_by_city.iter().map(|d| d.name.clone()).collect();
    assert_eq!(cities, [Some("Douala".into()), Some("Yaoundé".into())]);

    assert_eq!(f.surveys.answers, 2);
    assert_eq!(f.surveys.mean, Some(4.5));
    assert_eq!(f.surveys.by_score, [0, 0, 0, 1, 1]);
    // awa, binta, moussa and the organisation's account; France written two ways is one.
    assert_eq!(f.members, 4);
    let france = f.members_by_country.iter().find(|t| t.key == "France");
    assert_eq!(france.map(|t| t.count), Some(2));
    assert!(f.members_by_country.iter().any(|t| t.key.is_empty()));
    assert!(
        (12..=13).contains(&f.stays_by_month.len()),
        "every month of the period"
    );
    assert_eq!(f.stays_by_month.iter().map(|m| m.count).max(), Some(1));

    // The last 30 days: no more of the project sent 200 days ago.
    let month = StatsPeriod {
        from: Some(today - Duration::days(29)),
        to: Some(today),
    };
    let f = stats.figures(month, "fr").await.expect("figures");
    assert_eq!(f.requests, 2);
    assert_eq!(f.delays_by_city.len(), 1);
    // An old period: nothing at all.
    let old = StatsPeriod {
        from: Some(today - Duration::days(3000)),
        to: Some(today - Duration::days(2000)),
    };
    let f = stats.figures(old, "fr").await.expect("figures");
    assert_eq!(
        (f.missions, f.requests, f.members, f.surveys.answers),
        (0, 0, 0, 0)
    );
    assert!(f.stays_by_month.is_empty() && f.missions_by_domain.is_empty());

    // Senegal: its one request, member and score; nothing of Cameroon.
    let sn = Statistics::for_tenant(app.services.store.conn(), &tenant(&app, "sn"));
    let f = sn
        .figures(StatsPeriod::default(), "fr")
        .await
        .expect("figures");
    assert_eq!((f.missions, f.requests, f.members), (1, 1, 1));
    assert_eq!(f.surveys.by_score, [1, 0, 0, 0, 0]);
    assert_eq!(f.members_by_country[0].key, "Italie");
    assert_eq!(f.delays_by_organisation.len(), 1);
    assert_eq!(
        f.delays_by_organisation[0].name.as_deref(),
        Some("Association asso-dakar")
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn operators_read_their_statistics_filter_the_period_and_see_no_other_tenant() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    seed(&app).await;
    for (code, email) in [
        ("cm", "operateur@example.org"),
        ("sn", "operateur-sn@example.org"),
    ] {
        account(&app, code, email, &[(Role::CountryOperator, None, None)]).await;
    }
    let mut cm = signed_in(&app, CM, "operateur@example.org").await;
    let console = cm.get("/fr/espace/pays").await;
    assert!(
        console
            .body
            .contains("href=\"/fr/espace/pays/statistiques\"")
    );

    let page = cm.get("/fr/espace/pays/statistiques").await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(
        body.contains("aria-current=\"page\">12 derniers mois"),
        "the default"
    );
    assert!(body.contains("2 mission(s) créée(s)"), "{body}");
    assert!(body.contains("3 demande(s) reçue(s)"));
    assert!(body.contains("<th scope=\"row\">Association entraide-douala</th><td>2</td><td>2</td><td>4 h</td><td>2</td><td>2 j</td>"));
    assert!(body.contains("Points focaux (sans organisation)"));
    assert!(body.contains("Note moyenne : 4,5 / 5 sur 2 réponse(s)"));
    assert!(body.contains("<th scope=\"row\">France</th><td>2</td>"));
    assert!(body.contains("<th scope=\"row\">Belgique</th><td>1</td>"));
    assert!(body.contains("Semaine du"));
    assert!(body.contains("role=\"img\" aria-labelledby=\"requests_by_week-title\""));
    assert!(!body.contains("<script"), "no chart script");
    for other in ["Italie", "asso-dakar", "Dakar"] {
        assert!(
            !body.contains(other),
            "Senegal's {other} on Cameroon's page"
        );
    }

    // The last 30 days: the project of 200 days ago is gone.
    let month = cm.get("/fr/espace/pays/statistiques?period=30d").await;
    assert!(month.body.contains("2 demande(s) reçue(s)"));
    assert!(!month.body.contains("Points focaux (sans organisation)"));
    // Dates of long ago: nothing, said so.
    let today = tenant(&app, "cm").today();
    let old = format!(
        "/fr/espace/pays/statistiques?from={}&to={}",
        today - Duration::days(3000),
        today - Duration::days(2000)
    );
    let old = cm.get(&old).await;
    assert_eq!(old.status, 200);
    assert!(old.body.contains("0 demande(s) reçue(s)"));
    assert!(
        old.body
            .contains("Pas encore de données pour cette période")
    );
    assert!(!old.body.contains("<svg"));

    // Bad filters: 400, the form shown back with what is wrong.
    for (query, says) in [
        ("from=2026-13-01", "La date de début n"),
        ("from=31/01/2026", "utilisez le format aaaa-mm-jj"),
        (
            "from=2026-03-01&to=2026-02-01",
            "La date de fin doit être après",
        ),
        ("from=1900-01-01", "Choisissez une date entre le"),
        ("period=hier", "Cette période n"),
    ] {
        let bad = cm
            .get(&format!("/fr/espace/pays/statistiques?{query}"))
            .await;
        assert_eq!(bad.status, 400, "{query}");
        assert!(bad.body.contains(says), "{query}: {}", bad.body);
        assert!(bad.body.contains("role=\"alert\""), "{query}");
        assert!(!bad.body.contains("<svg"), "{query}");
    }

    // Senegal's operator: their own figures, none of Cameroon's.
    let mut sn = signed_in(&app, SN, "operateur-sn@example.org").await;
    let page = sn.get("/fr/espace/pays/statistiques?period=all").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("1 demande(s) reçue(s)"));
    assert!(
        page.body
            .contains("<th scope=\"row\">Italie</th><td>1</td>")
    );
    assert!(page.body.contains("Note moyenne : 1 / 5 sur 1 réponse(s)"));
    for other in ["entraide", "Douala", "Yaoundé", "France", "Belgique", "4,5"] {
        assert!(
            !page.body.contains(other),
            "Cameroon's {other} on Senegal's page"
        );
    }
    // And in English, with the English labels.
    let en = sn.get("/en/espace/pays/statistiques").await;
    assert!(en.body.contains("Requests per week") && en.body.contains("Mean score: 1 / 5"));
    app.stop().await.expect("stop");
}
