//! Writing, reviewing, closing and expiring missions, called without HTTP on a real SQLite
//! database.

mod common;

use chrono::NaiveDate;
use jsap_app::FixedClock;
use jsap_app::missions::{self, Edit, MissionRefusal};
use jsap_app::organisations::{self, Decision, Draft};
use jsap_domain::Locale;
use jsap_domain::missions::{CloseReason, MissionInput, MissionStatus, MissionStep, TextInput};
use jsap_store::{
    Account, Accounts, Catalogues, MissionEdits, MissionFilter, MissionQuery, Missions,
    OrganisationRecord, Role, SearchResults,
};
use jsap_tenancy::Tenant;

fn input(city_id: Option<i64>) -> MissionInput {
    MissionInput {
        texts: vec![TextInput {
            locale: Locale::Fr,
            title: "Ateliers de lecture à Bonabéri".into(),
            summary: String::new(),
            description: "Animer des ateliers de lecture pour les enfants du quartier.\nDeux après-midi par semaine.".into(),
        }],
        city_id,
        remote: false,
        domain: "education-enfance".into(),
        mission_type: "soutien-scolaire-ateliers".into(),
        contribution_types: vec!["benevolat".into(), "competences".into()],
        flexible: false,
        starts_on: NaiveDate::from_ymd_opt(2027, 7, 1),
        ends_on: NaiveDate::from_ymd_opt(2027, 8, 31),
        skills: vec!["pédagogie".into()],
        capacity: Some(4),
        contact_name: "Awa Ndiaye".into(),
    }
}

struct Cast {
    admin: Account,
    focal: Account,
    other_focal: Account,
    stranger: Account,
    organisation: OrganisationRecord,
    douala: i64,
    yaounde: i64,
}

async fn cast(world: &common::World, clock: &FixedClock) -> Cast {
    let cm = &world.cm;
    let scope = world.scope(cm, clock);
    let douala = world.city(cm, "douala").await;
    let yaounde = world.city(cm, "yaounde").await;
    let member = world.account(cm, "awa@example.org", "Awa", &[]).await;
    let focal = world
        .account(
            cm,
            "pf@example.org",
            "PF Douala",
            &[(Role::FocalPoint, Some(douala))],
        )
        .await;
    let other_focal = world
        .account(
            cm,
            "pf.yde@example.org",
            "PF Yaoundé",
            &[(Role::FocalPoint, Some(yaounde))],
        )
        .await;
    let stranger = world.account(cm, "x@example.org", "X", &[]).await;
    let (organisation, admin) = organisations::register(
        &scope,
        &member,
        Draft {
            city_id: douala,
            kind: "association".into(),
            name: "Lire à Bonabéri".into(),
            description: "Bibliothèque de quartier.".into(),
            website: String::new(),
            public_email: String::new(),
            phone: String::new(),
            facilities: vec![],
        },
    )
    .await
    .expect("register");
    Cast {
        admin,
        focal,
        other_focal,
        stranger,
        organisation,
        douala,
        yaounde,
    }
}

fn edit(c: &Cast, input: MissionInput) -> Edit {
    Edit {
        organisation_id: c.organisation.id,
        input,
        urgent: true,
        featured: true,
    }
}

async fn search(world: &common::World, tenant: &Tenant, words: &str) -> SearchResults {
    let catalogues = Catalogues::default();
    let catalogue = catalogues
        .get(world.store.conn(), tenant)
        .await
        .expect("catalogue");
    let mut q = MissionQuery::new(Locale::Fr, NaiveDate::from_ymd_opt(2027, 6, 1).expect("d"));
    q.text = words.to_owned();
    catalogue.search(&q)
}

#[tokio::test]
async fn a_mission_goes_from_draft_to_published_through_its_city_reviewer_only() {
    let world = common::world().await;
    let clock = FixedClock("2027-06-01T09:00:00Z".parse().expect("now"));
    let c = cast(&world, &clock).await;
    let scope = world.scope(&world.cm, &clock);

    // A stranger may not write for the organisation; the admin may, without the flags.
    assert_eq!(
        missions::create(&scope, &c.stranger, edit(&c, input(None)))
            .await
            .expect("create")
            .err(),
        Some(MissionRefusal::NotAllowed)
    );
    let draft = missions::create(&scope, &c.admin, edit(&c, input(None)))
        .await
        .expect("create")
        .expect("allowed");
    assert_eq!(draft.status, MissionStatus::Draft);
    assert_eq!(
        draft.fields.city_id, c.douala,
        "the organisation's city by default"
    );
    assert!(
        !draft.fields.terms.urgent && !draft.fields.featured,
        "only reviewers set the flags"
    );
    assert_eq!(draft.slug, "ateliers-de-lecture-a-bonaberi");
    assert_eq!(
        draft.fields.texts[0].summary,
        "Animer des ateliers de lecture pour les enfants du quartier.",
        "a summary from the description's first line"
    );
    assert_eq!(
        draft.fields.terms.contribution_types,
        ["benevolat", "competences"]
    );

    // Invalid fields are named; nothing is written.
    let mut bad = input(None);
    bad.mission_type = "reboisement-espaces-verts".into();
    match missions::create(&scope, &c.admin, edit(&c, bad))
        .await
        .expect("create")
    {
        Err(MissionRefusal::Invalid(fields)) => assert_eq!(fields[0].0, "mission_type"),
        other => panic!("expected invalid, got {other:?}"),
    }

    // Publishing a draft is not a step; reviewing before submission is refused.
    assert_eq!(
        missions::review(
            &scope,
            &c.focal,
            jsap_domain::MissionId(draft.id),
            MissionStep::Publish,
            ""
        )
        .await
        .expect("review")
        .err(),
        Some(MissionRefusal::WrongState)
    );
    // Every editor step is refused to an account that is not an editor of the mission.
    assert_eq!(
        missions::submit(&scope, &c.stranger, jsap_domain::MissionId(draft.id))
            .await
            .expect("s")
            .err(),
        Some(MissionRefusal::NotAllowed)
    );
    assert_eq!(
        missions::close(
            &scope,
            &c.stranger,
            jsap_domain::MissionId(draft.id),
            CloseReason::Cancelled
        )
        .await
        .expect("c")
        .err(),
        Some(MissionRefusal::NotAllowed)
    );
    assert_eq!(
        missions::duplicate(&scope, &c.stranger, jsap_domain::MissionId(draft.id))
            .await
            .expect("d")
            .err(),
        Some(MissionRefusal::NotAllowed)
    );
    assert_eq!(
        missions::update(
            &scope,
            &c.other_focal,
            jsap_domain::MissionId(draft.id),
            edit(&c, input(None))
        )
        .await
        .expect("u")
        .err(),
        Some(MissionRefusal::NotAllowed),
        "another city's focal point does not write for Douala"
    );
    // Closing is for published missions only.
    assert_eq!(
        missions::close(
            &scope,
            &c.admin,
            jsap_domain::MissionId(draft.id),
            CloseReason::Cancelled
        )
        .await
        .expect("c")
        .err(),
        Some(MissionRefusal::WrongState)
    );
    let submitted = missions::submit(&scope, &c.admin, jsap_domain::MissionId(draft.id))
        .await
        .expect("submit")
        .expect("submitted");
    assert_eq!(submitted.status, MissionStatus::Submitted);
    assert_eq!(
        world.queued(&world.cm, "mission_submitted").await,
        1,
        "to the Douala focal point"
    );
    let queue = MissionEdits::for_tenant(world.store.conn(), &world.cm)
        .queue(
            &MissionFilter {
                cities: Some(vec![c.douala]),
                ..MissionFilter::default()
            },
            "fr",
            50,
        )
        .await
        .expect("queue");
    assert_eq!(queue.1, 1);
    assert_eq!(queue.0[0].id, draft.id);

    // Another city's focal point, the admin and a stranger are no reviewers.
    for outsider in [&c.other_focal, &c.admin, &c.stranger] {
        assert_eq!(
            missions::review(
                &scope,
                outsider,
                jsap_domain::MissionId(draft.id),
                MissionStep::Publish,
                ""
            )
            .await
            .expect("review")
            .err(),
            Some(MissionRefusal::NotAllowed)
        );
    }
    // Changes and refusals need a comment.
    assert_eq!(
        missions::review(
            &scope,
            &c.focal,
            jsap_domain::MissionId(draft.id),
            MissionStep::RequestChanges,
            "  "
        )
        .await
        .expect("review")
        .err(),
        Some(MissionRefusal::CommentRequired)
    );
    // The organisation is pending: it may prepare, not publish.
    assert_eq!(
        missions::review(
            &scope,
            &c.focal,
            jsap_domain::MissionId(draft.id),
            MissionStep::Publish,
            ""
        )
        .await
        .expect("review")
        .err(),
        Some(MissionRefusal::OrganisationNotVerified)
    );
    let changes = missions::review(
        &scope,
        &c.focal,
        jsap_domain::MissionId(draft.id),
        MissionStep::RequestChanges,
        "Précisez les horaires.",
    )
    .await
    .expect("review")
    .expect("changes");
    assert_eq!(changes.status, MissionStatus::ChangesRequested);
    assert_eq!(changes.review_comment, "Précisez les horaires.");
    assert_eq!(world.queued(&world.cm, "mission_reviewed").await, 1);
    assert!(search(&world, &world.cm, "lecture").await.items.is_empty());

    missions::submit(&scope, &c.admin, jsap_domain::MissionId(draft.id))
        .await
        .expect("submit")
        .expect("again");
    organisations::review(
        &scope,
        &c.focal,
        jsap_domain::OrganisationId(c.organisation.id),
        Decision::Verify,
    )
    .await
    .expect("verify")
    .expect("verified");
    let published = missions::review(
        &scope,
        &c.focal,
        jsap_domain::MissionId(draft.id),
        MissionStep::Publish,
        "",
    )
    .await
    .expect("review")
    .expect("published");
    assert_eq!(published.status, MissionStatus::Published);
    assert!(published.validated && published.published_at.is_some());
    // A second reviewer deciding at the same time loses.
    assert_eq!(
        missions::review(
            &scope,
            &c.focal,
            jsap_domain::MissionId(draft.id),
            MissionStep::Refuse,
            "Trop tard"
        )
        .await
        .expect("review")
        .err(),
        Some(MissionRefusal::WrongState)
    );
    let found = search(&world, &world.cm, "lecture").await;
    assert_eq!(
        found.items.iter().map(|h| h.id).collect::<Vec<_>>(),
        [draft.id]
    );
    let detail = Missions::for_tenant(world.store.conn(), &world.cm)
        .published(draft.id, "fr")
        .await
        .expect("read")
        .expect("public");
    assert!(detail.validated);
    assert_eq!(detail.contact_name, "Awa Ndiaye");

    // The second tenant sees none of it and cannot act on it.
    let sn_scope = world.scope(&world.sn, &clock);
    let sn_operator = world
        .account(
            &world.sn,
            "op@example.sn",
            "Op",
            &[(Role::CountryOperator, None)],
        )
        .await;
    assert!(search(&world, &world.sn, "lecture").await.items.is_empty());
    for result in [
        missions::close(
            &sn_scope,
            &sn_operator,
            jsap_domain::MissionId(draft.id),
            CloseReason::Filled,
        )
        .await
        .expect("close")
        .err(),
        missions::review(
            &sn_scope,
            &sn_operator,
            jsap_domain::MissionId(draft.id),
            MissionStep::Refuse,
            "non",
        )
        .await
        .expect("review")
        .err(),
        missions::duplicate(&sn_scope, &sn_operator, jsap_domain::MissionId(draft.id))
            .await
            .expect("duplicate")
            .err(),
    ] {
        assert_eq!(result, Some(MissionRefusal::NotFound));
    }
    assert_eq!(
        MissionEdits::for_tenant(world.store.conn(), &world.sn)
            .list(&MissionFilter::default(), "fr", 0, 50)
            .await
            .expect("list")
            .1,
        0
    );

    // History: who did what, oldest first.
    let history = MissionEdits::for_tenant(world.store.conn(), &world.cm)
        .history(draft.id)
        .await
        .expect("history");
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        ["create", "submit", "changes", "submit", "publish"]
    );
    assert_eq!(history[2].detail, "Précisez les horaires.");
    assert_eq!(history[4].account_id, Some(c.focal.id));
}

#[tokio::test]
async fn editing_a_published_mission_keeps_it_public_unless_its_city_dates_or_contributions_change()
{
    let world = common::world().await;
    let clock = FixedClock("2027-06-01T09:00:00Z".parse().expect("now"));
    let c = cast(&world, &clock).await;
    let scope = world.scope(&world.cm, &clock);
    organisations::review(
        &scope,
        &c.focal,
        jsap_domain::OrganisationId(c.organisation.id),
        Decision::Verify,
    )
    .await
    .expect("verify")
    .expect("verified");
    // The focal point writes for their city, with the flags.
    let m = missions::create(&scope, &c.focal, edit(&c, input(None)))
        .await
        .expect("create")
        .expect("a focal point writes for their city");
    assert!(m.fields.terms.urgent && m.fields.featured);
    missions::submit(&scope, &c.focal, jsap_domain::MissionId(m.id))
        .await
        .expect("s")
        .expect("s");
    missions::review(
        &scope,
        &c.focal,
        jsap_domain::MissionId(m.id),
        MissionStep::Publish,
        "",
    )
    .await
    .expect("r")
    .expect("r");

    // New texts: still published, the flags kept although the admin cannot set them.
    let mut texts = input(None);
    texts.texts[0].title = "Ateliers de lecture et d'écriture".into();
    let mut e = edit(&c, texts.clone());
    e.urgent = false;
    let saved = missions::update(&scope, &c.admin, jsap_domain::MissionId(m.id), e)
        .await
        .expect("update")
        .expect("saved");
    assert!(!saved.back_to_review);
    assert_eq!(saved.mission.status, MissionStatus::Published);
    assert!(
        saved.mission.fields.terms.urgent,
        "an editor cannot remove a reviewer's flag"
    );
    assert_eq!(search(&world, &world.cm, "ecriture").await.items.len(), 1);
    assert!(
        search(&world, &world.cm, "bonaberi").await.items.is_empty(),
        "the old title left the index"
    );

    // Another city: back to review, out of search, its reviewers told.
    let before = world.queued(&world.cm, "mission_submitted").await;
    let mut moved = texts.clone();
    moved.city_id = Some(c.yaounde);
    let saved = missions::update(
        &scope,
        &c.admin,
        jsap_domain::MissionId(m.id),
        edit(&c, moved),
    )
    .await
    .expect("update")
    .expect("saved");
    assert!(saved.back_to_review);
    assert_eq!(saved.mission.status, MissionStatus::Submitted);
    assert!(search(&world, &world.cm, "ecriture").await.items.is_empty());
    assert!(world.queued(&world.cm, "mission_submitted").await > before);
    let history = MissionEdits::for_tenant(world.store.conn(), &world.cm)
        .history(m.id)
        .await
        .expect("history");
    let last: Vec<(&str, &str)> = history
        .iter()
        .rev()
        .take(2)
        .map(|h| (h.action.as_str(), h.detail.as_str()))
        .collect();
    assert_eq!(last, [("resubmit", ""), ("edit", "city")]);

    // Now in Yaoundé: the Yaoundé focal point publishes; the admin closes it as filled.
    missions::review(
        &scope,
        &c.other_focal,
        jsap_domain::MissionId(m.id),
        MissionStep::Publish,
        "",
    )
    .await
    .expect("r")
    .expect("published by the new city's focal point");
    let closed = missions::close(
        &scope,
        &c.admin,
        jsap_domain::MissionId(m.id),
        CloseReason::Filled,
    )
    .await
    .expect("close")
    .expect("closed");
    assert_eq!(closed.status, MissionStatus::Closed);
    assert_eq!(closed.closed_reason, "filled");
    assert_eq!(
        missions::update(
            &scope,
            &c.admin,
            jsap_domain::MissionId(m.id),
            edit(&c, texts)
        )
        .await
        .expect("update")
        .err(),
        Some(MissionRefusal::WrongState),
        "a closed mission is not edited"
    );

    // A copy is a new draft of the same organisation.
    let copy = missions::duplicate(&scope, &c.admin, jsap_domain::MissionId(m.id))
        .await
        .expect("dup")
        .expect("copied");
    assert_eq!(copy.status, MissionStatus::Draft);
    assert!(
        copy.fields.texts[0].title.ends_with("(copie)"),
        "{}",
        copy.fields.texts[0].title
    );
    assert!(!copy.fields.terms.urgent);
}

#[tokio::test]
async fn the_daily_job_expires_published_missions_whose_window_ended_and_nothing_else() {
    let world = common::world().await;
    let clock = FixedClock("2027-06-01T09:00:00Z".parse().expect("now"));
    let c = cast(&world, &clock).await;
    let scope = world.scope(&world.cm, &clock);
    organisations::review(
        &scope,
        &c.focal,
        jsap_domain::OrganisationId(c.organisation.id),
        Decision::Verify,
    )
    .await
    .expect("verify")
    .expect("verified");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let m = missions::create(&scope, &c.admin, edit(&c, input(None)))
            .await
            .expect("create")
            .expect("ok");
        ids.push(m.id);
    }
    for id in &ids[..1] {
        missions::submit(&scope, &c.admin, jsap_domain::MissionId(*id))
            .await
            .expect("s")
            .expect("s");
        missions::review(
            &scope,
            &c.focal,
            jsap_domain::MissionId(*id),
            MissionStep::Publish,
            "",
        )
        .await
        .expect("r")
        .expect("r");
    }
    // A member saves the published mission (a draft cannot be saved): they are told once it
    // expires, in the language they saved it in.
    let saver = world.account(&world.cm, "s@example.org", "S", &[]).await;
    let saved =
        jsap_app::favourites::save(&scope, &saver, jsap_domain::MissionId(ids[0]), Locale::En)
            .await
            .expect("save");
    assert_eq!(saved, Ok(true));
    assert_eq!(
        jsap_app::favourites::save(&scope, &saver, jsap_domain::MissionId(ids[1]), Locale::Fr)
            .await
            .expect("save"),
        Err(jsap_app::favourites::FavouriteRefusal::NotFound),
        "a draft is no public mission"
    );
    // On the last day of the window nothing expires; the day after, the published one does.
    let last_day = FixedClock("2027-08-31T20:00:00Z".parse().expect("now"));
    assert!(
        missions::expire_ended(&world.scope(&world.cm, &last_day))
            .await
            .expect("run")
            .is_empty()
    );
    let after = FixedClock("2027-09-01T09:00:00Z".parse().expect("now"));
    assert_eq!(
        missions::expire_ended(&world.scope(&world.cm, &after))
            .await
            .expect("run"),
        [ids[0]]
    );
    let edits = MissionEdits::for_tenant(world.store.conn(), &world.cm);
    assert_eq!(
        edits.find(ids[0]).await.expect("f").expect("f").status,
        MissionStatus::Expired
    );
    assert_eq!(world.queued(&world.cm, "favourite_closed").await, 1);
    assert_eq!(
        world
            .last_link_token(&world.cm, "favourite_closed", "/en/compte/")
            .await,
        "favoris"
    );
    assert_eq!(
        edits.find(ids[1]).await.expect("f").expect("f").status,
        MissionStatus::Draft,
        "a draft never expires"
    );
    assert!(
        missions::expire_ended(&world.scope(&world.sn, &after))
            .await
            .expect("run")
            .is_empty()
    );
    let _ = Accounts::for_tenant(world.store.conn(), &world.cm);
}

#[tokio::test]
async fn a_mission_nobody_would_answer_cannot_be_published() {
    let world = common::world().await;
    let clock = FixedClock("2027-06-01T09:00:00Z".parse().expect("now"));
    let cm = &world.cm;
    let scope = world.scope(cm, &clock);
    let kribi = world.city(cm, "kribi").await;
    let operator = world
        .account(cm, "op@example.org", "Op", &[(Role::CountryOperator, None)])
        .await;
    let member = world.account(cm, "m@example.org", "M", &[]).await;
    let (organisation, admin) = organisations::register(
        &scope,
        &member,
        Draft {
            city_id: kribi,
            kind: "ong".into(),
            name: "Mer propre".into(),
            description: "Plages.".into(),
            website: String::new(),
            public_email: String::new(),
            phone: String::new(),
            facilities: vec![],
        },
    )
    .await
    .expect("register");
    organisations::review(
        &scope,
        &operator,
        jsap_domain::OrganisationId(organisation.id),
        Decision::Verify,
    )
    .await
    .expect("v")
    .expect("v");
    let m = missions::create(
        &scope,
        &admin,
        Edit {
            organisation_id: organisation.id,
            input: input(None),
            urgent: false,
            featured: false,
        },
    )
    .await
    .expect("c")
    .expect("c");
    missions::submit(&scope, &admin, jsap_domain::MissionId(m.id))
        .await
        .expect("s")
        .expect("s");
    // The only member leaves: no member, and Kribi has no focal point.
    jsap_store::OrganisationMembers::for_tenant(world.store.conn(), cm)
        .remove(organisation.id, admin.id)
        .await
        .expect("leave");
    assert_eq!(
        missions::review(
            &scope,
            &operator,
            jsap_domain::MissionId(m.id),
            MissionStep::Publish,
            ""
        )
        .await
        .expect("review")
        .err(),
        Some(MissionRefusal::NoRecipient)
    );
}
