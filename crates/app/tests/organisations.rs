//! Registering and reviewing organisations, called without HTTP on a real SQLite database.

mod common;

use jsap_app::FixedClock;
use jsap_app::organisations::{self, Decision, Draft, Refusal};
use jsap_domain::EmailAddress;
use jsap_domain::organisations::OrganisationStatus;
use jsap_store::Grant;
use jsap_store::{Accounts, AuditLog, JournalQuery, Organisations, Outbox, Role};
use jsap_tenancy::Tenant;

fn draft(city_id: i64) -> Draft {
    Draft {
        city_id,
        kind: "association".into(),
        name: "Les Amis de Bonabéri".into(),
        description: "Soutien scolaire et bibliothèque de quartier.".into(),
        website: "https://amis-bonaberi.example.org".into(),
        public_email: "contact@amis-bonaberi.example.org".into(),
        phone: "+237 6 99 00 00 00".into(),
        facilities: vec!["interlocuteur".into(), "locaux".into()],
    }
}

async fn emails_to(world: &common::World, tenant: &Tenant, kind: &str) -> Vec<String> {
    Outbox::for_tenant(world.store.conn(), tenant)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.to)
        .collect()
}

#[tokio::test]
async fn a_registered_organisation_waits_for_its_city_reviewers_and_is_reviewed_once() {
    let world = common::world().await;
    let (cm, sn) = (&world.cm, &world.sn);
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(cm, &clock);
    let (douala, yaounde) = (
        world.city(cm, "douala").await,
        world.city(cm, "yaounde").await,
    );
    let member = world
        .account(cm, "awa@example.org", "awa@example.org", &[])
        .await;
    let focal = world
        .account(
            cm,
            "pf@example.org",
            "pf@example.org",
            &[(Role::FocalPoint, Some(douala))],
        )
        .await;
    let other_focal = world
        .account(
            cm,
            "pf.yde@example.org",
            "pf.yde@example.org",
            &[(Role::FocalPoint, Some(yaounde))],
        )
        .await;
    let operator = world
        .account(
            cm,
            "op@example.org",
            "op@example.org",
            &[(Role::CountryOperator, None)],
        )
        .await;
    // The same address holds both roles: emailed once.
    Accounts::for_tenant(world.store.conn(), cm)
        .grant(operator.id, Grant::FocalPoint { city_id: douala })
        .await
        .expect("grant");

    let (registered, admin) = organisations::register(&scope, &member, draft(douala))
        .await
        .expect("register");
    assert!(
        admin.session_generation > member.session_generation,
        "the new role ended the sessions opened before it"
    );
    assert_eq!(registered.status, OrganisationStatus::Pending);
    assert!(!registered.verified);
    assert_eq!(registered.slug, "les-amis-de-bonaberi");
    assert_eq!(registered.profile.facilities, ["interlocuteur", "locaux"]);
    let memberships = Accounts::for_tenant(world.store.conn(), cm)
        .memberships(member.id)
        .await
        .expect("memberships");
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].role, Role::OrganisationAdmin);
    assert_eq!(memberships[0].organisation_id, Some(registered.id));
    let mut told = emails_to(&world, cm, "organisation_pending").await;
    told.sort();
    assert_eq!(
        told,
        ["op@example.org", "pf@example.org"],
        "the city's reviewers, once each"
    );

    // A second organisation of the same name gets its own slug.
    let (twin, _) = organisations::register(&scope, &member, draft(douala))
        .await
        .expect("register");
    assert_eq!(twin.slug, "les-amis-de-bonaberi-2");

    // Another city's focal point, a member and another tenant cannot review it.
    for outsider in [&other_focal, &member] {
        assert_eq!(
            organisations::review(
                &scope,
                outsider,
                jsap_domain::OrganisationId(registered.id),
                Decision::Verify
            )
            .await
            .expect("review")
            .err(),
            Some(Refusal::NotAReviewer)
        );
    }
    let sn_operator = world
        .account(
            sn,
            "op@example.sn",
            "op@example.sn",
            &[(Role::CountryOperator, None)],
        )
        .await;
    let sn_scope = world.scope(sn, &clock);
    assert_eq!(
        organisations::review(
            &sn_scope,
            &sn_operator,
            jsap_domain::OrganisationId(registered.id),
            Decision::Verify
        )
        .await
        .expect("review")
        .err(),
        Some(Refusal::NotFound)
    );
    assert!(
        Organisations::for_tenant(world.store.conn(), sn)
            .list()
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        emails_to(&world, sn, "organisation_pending")
            .await
            .is_empty()
    );

    // Refusing needs a reason; the admin gets it.
    assert_eq!(
        organisations::review(
            &scope,
            &focal,
            jsap_domain::OrganisationId(registered.id),
            Decision::Refuse("  ".into())
        )
        .await
        .expect("review")
        .err(),
        Some(Refusal::ReasonRequired)
    );
    let refused = organisations::review(
        &scope,
        &focal,
        jsap_domain::OrganisationId(registered.id),
        Decision::Refuse("Aucune trace de cette association au registre.".into()),
    )
    .await
    .expect("review")
    .expect("refused");
    assert_eq!(refused.status, OrganisationStatus::Refused);
    assert_eq!(
        refused.status_reason,
        "Aucune trace de cette association au registre."
    );
    let reviewed = Outbox::for_tenant(world.store.conn(), cm)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.kind == "organisation_reviewed")
        .collect::<Vec<_>>();
    assert_eq!(reviewed.len(), 1);
    assert_eq!(reviewed[0].to, "awa@example.org");
    assert!(
        reviewed[0]
            .text_body
            .contains("Aucune trace de cette association")
    );
    assert!(reviewed[0].text_body.contains("refusée"));

    // Refused can be verified later (new documents); verified cannot be verified twice.
    let verified = organisations::review(
        &scope,
        &operator,
        jsap_domain::OrganisationId(registered.id),
        Decision::Verify,
    )
    .await
    .expect("review")
    .expect("verified");
    assert_eq!(verified.status, OrganisationStatus::Verified);
    assert!(verified.verified && verified.status_reason.is_empty());
    assert_eq!(
        organisations::review(
            &scope,
            &focal,
            jsap_domain::OrganisationId(registered.id),
            Decision::Verify
        )
        .await
        .expect("review")
        .err(),
        Some(Refusal::WrongState)
    );
    // The journal holds each decision once, with who took it and the reason; the refusals
    // refused as incomplete left no trace. Senegal's journal holds none of it.
    let journal = AuditLog::for_tenant(world.store.conn(), cm)
        .list(&JournalQuery {
            search: "",
            page: 1,
            per_page: 50,
        })
        .await
        .expect("journal");
    let decisions: Vec<(&str, &str, &str)> = journal
        .entries
        .iter()
        .filter(|e| e.target.id == Some(registered.id))
        .map(|e| (e.action.as_str(), e.actor.name.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        decisions,
        [
            ("organisation_verified", operator.email.as_str(), ""),
            (
                "organisation_refused",
                focal.email.as_str(),
                "Aucune trace de cette association au registre."
            ),
        ]
    );
    assert_eq!(
        AuditLog::for_tenant(world.store.conn(), &world.sn)
            .list(&JournalQuery {
                search: "",
                page: 1,
                per_page: 50,
            })
            .await
            .expect("journal")
            .total,
        0
    );
    // The catalogue (public pages, search) sees the verified organisation.
    let catalogue = world.store.catalogue(cm).await.expect("catalogue");
    assert!(
        catalogue
            .organisations()
            .iter()
            .any(|o| o.id == registered.id && o.verified)
    );
    // The queue of Douala's reviewers holds the twin only now.
    let pending = Organisations::for_tenant(world.store.conn(), cm)
        .pending(Some(&[douala]))
        .await
        .expect("pending");
    assert_eq!(pending.iter().map(|o| o.id).collect::<Vec<_>>(), [twin.id]);
    assert!(
        Organisations::for_tenant(world.store.conn(), cm)
            .pending(Some(&[yaounde]))
            .await
            .expect("pending")
            .is_empty()
    );
}

#[tokio::test]
async fn an_organisation_in_another_tenants_city_is_refused_and_nothing_is_written() {
    let world = common::world().await;
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(&world.cm, &clock);
    let dakar = world.city(&world.sn, "dakar").await;
    let member = world
        .account(&world.cm, "awa@example.org", "awa@example.org", &[])
        .await;
    let failed = organisations::register(&scope, &member, draft(dakar)).await;
    assert!(
        matches!(
            failed,
            Err(jsap_app::Failure::Store(
                jsap_store::StoreError::UnknownCity(_)
            ))
        ),
        "{failed:?}"
    );
    assert!(
        Organisations::for_tenant(world.store.conn(), &world.cm)
            .list()
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        Accounts::for_tenant(world.store.conn(), &world.cm)
            .memberships(member.id)
            .await
            .expect("memberships")
            .is_empty(),
        "no half-written registration"
    );
}

#[tokio::test]
async fn with_no_reviewer_account_yet_the_city_focal_point_address_of_the_tenant_file_is_told() {
    let world = common::world().await;
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(&world.cm, &clock);
    let douala = world.city(&world.cm, "douala").await;
    let member = world
        .account(&world.cm, "awa@example.org", "awa@example.org", &[])
        .await;
    organisations::register(&scope, &member, draft(douala))
        .await
        .expect("register");
    assert_eq!(
        emails_to(&world, &world.cm, "organisation_pending").await,
        ["pf.douala@jesuisaucameroun.com"]
    );
}

#[tokio::test]
async fn admins_invite_and_remove_members_and_the_last_admin_cannot_leave() {
    let world = common::world().await;
    let (cm, sn) = (&world.cm, &world.sn);
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(cm, &clock);
    let douala = world.city(cm, "douala").await;
    let awa = world
        .account(cm, "awa@example.org", "awa@example.org", &[])
        .await;
    let (organisation, awa) = organisations::register(&scope, &awa, draft(douala))
        .await
        .expect("register");
    let outsider = world
        .account(cm, "outsider@example.org", "outsider@example.org", &[])
        .await;
    let ibrahim = EmailAddress::parse("ibrahim@example.org").expect("email");

    // Only an admin invites; the invitation email names the organisation and the role.
    assert_eq!(
        organisations::invite_member(
            &scope,
            &outsider,
            jsap_domain::OrganisationId(organisation.id),
            false,
            "Ibrahim",
            &ibrahim
        )
        .await
        .expect("invite")
        .err(),
        Some(organisations::MemberRefusal::NotAdmin)
    );
    let invitation = organisations::invite_member(
        &scope,
        &awa,
        jsap_domain::OrganisationId(organisation.id),
        false,
        "Ibrahim",
        &ibrahim,
    )
    .await
    .expect("invite")
    .expect("invited");
    assert_eq!(
        invitation.grant,
        jsap_store::Grant::OrganisationEditor {
            organisation_id: organisation.id
        }
    );
    let sent = Outbox::for_tenant(world.store.conn(), cm)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .find(|e| e.kind == "organisation_invitation")
        .expect("invitation email");
    assert_eq!(sent.to, "ibrahim@example.org");
    assert!(
        sent.text_body.contains("Les Amis de Bonabéri") && sent.text_body.contains("rédacteur")
    );
    // Accepting it makes Ibrahim an editor of that organisation.
    let token = world
        .last_link_token(cm, "organisation_invitation", "/fr/invitation/")
        .await;
    let ibrahim_account = jsap_app::invitations::accept(
        &world.store,
        cm,
        &token,
        "Ibrahim",
        "hash",
        chrono::Utc::now(),
    )
    .await
    .expect("accept")
    .expect("accepted");
    let members = jsap_store::OrganisationMembers::for_tenant(world.store.conn(), cm)
        .list(organisation.id)
        .await
        .expect("members");
    assert_eq!(
        members
            .iter()
            .map(|(a, r)| (a.email.as_str(), *r))
            .collect::<Vec<_>>(),
        [
            ("awa@example.org", Role::OrganisationAdmin),
            ("ibrahim@example.org", Role::OrganisationEditor)
        ]
    );
    // Another tenant sees no member, and cannot remove one.
    assert!(
        jsap_store::OrganisationMembers::for_tenant(world.store.conn(), sn)
            .list(organisation.id)
            .await
            .expect("members")
            .is_empty()
    );

    // The last admin cannot leave; an editor cannot remove the admin; the admin removes the
    // editor, whose sessions end.
    use organisations::MemberRefusal;
    assert_eq!(
        organisations::remove_member(
            &scope,
            &awa,
            jsap_domain::OrganisationId(organisation.id),
            jsap_domain::AccountId(awa.id)
        )
        .await
        .expect("remove")
        .err(),
        Some(MemberRefusal::LastAdmin)
    );
    assert_eq!(
        organisations::remove_member(
            &scope,
            &ibrahim_account,
            jsap_domain::OrganisationId(organisation.id),
            jsap_domain::AccountId(awa.id)
        )
        .await
        .expect("remove")
        .err(),
        Some(MemberRefusal::NotAdmin)
    );
    organisations::remove_member(
        &scope,
        &awa,
        jsap_domain::OrganisationId(organisation.id),
        jsap_domain::AccountId(ibrahim_account.id),
    )
    .await
    .expect("remove")
    .expect("removed");
    let after = Accounts::for_tenant(world.store.conn(), cm)
        .find(ibrahim_account.id)
        .await
        .expect("find")
        .expect("ibrahim");
    assert!(after.session_generation > ibrahim_account.session_generation);
    assert_eq!(
        organisations::remove_member(
            &scope,
            &awa,
            jsap_domain::OrganisationId(organisation.id),
            jsap_domain::AccountId(ibrahim_account.id)
        )
        .await
        .expect("remove")
        .err(),
        Some(MemberRefusal::NotFound),
        "no longer a member"
    );
}
