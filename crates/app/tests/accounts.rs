//! The account and invitation use cases, called without HTTP on a real SQLite database.

mod common;

use jsap_app::accounts::{self, AccountMails, Verified};
use jsap_app::invitations::{self, Invitation};
use jsap_domain::{EmailAddress, Locale};
use jsap_store::{Account, Accounts, Grant, Role};
use jsap_tenancy::Tenant;

fn email(raw: &str) -> EmailAddress {
    EmailAddress::parse(raw).expect("email")
}

async fn account(world: &common::World, tenant: &Tenant, address: &str) -> Account {
    Accounts::for_tenant(world.store.conn(), tenant)
        .create(&email(address), "Awa Diallo", "old hash", false)
        .await
        .expect("account")
}

#[tokio::test]
async fn a_reset_link_works_once_on_its_own_tenant_and_confirms_the_address() {
    let world = common::world().await;
    let awa = account(&world, &world.cm, "awa@example.org").await;
    let mails = AccountMails::new(&world.cm, Locale::Fr, world.themes.clone());

    // An unknown address gets nothing, and the caller cannot tell.
    accounts::forgot_password(&world.store, &mails, &email("nobody@example.org"))
        .await
        .expect("forgot");
    assert_eq!(world.queued(&world.cm, "password_reset").await, 0);
    accounts::forgot_password(&world.store, &mails, &email("awa@example.org"))
        .await
        .expect("forgot");
    assert_eq!(world.queued(&world.cm, "password_reset").await, 1);
    // The shared email layout wraps the message: the site's name above, the footer below.
    let email = jsap_store::Outbox::for_tenant(world.store.conn(), &world.cm)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .find(|e| e.kind == "password_reset")
        .expect("reset email");
    let html = &email.html_body;
    let (greeting, footer) = (
        html.find("Bonjour Awa Diallo").expect("the body"),
        html.find("Préférences d’e-mail")
            .expect("the footer, translated"),
    );
    assert!(
        html.starts_with("<!doctype html>") && greeting < footer,
        "{html}"
    );
    assert!(html.contains("lang=\"fr\"") && !html.contains("email.preferences"));
    let token = world
        .last_link_token(&world.cm, "password_reset", "/fr/compte/reinitialiser/")
        .await;

    // The other tenant cannot use it.
    let elsewhere = accounts::reset_password(&world.store, &world.sn, &token, "new hash")
        .await
        .expect("reset");
    assert_eq!(elsewhere, None);

    let reset = accounts::reset_password(&world.store, &world.cm, &token, "new hash")
        .await
        .expect("reset")
        .expect("a usable link");
    assert_eq!(reset.id, awa.id);
    assert!(reset.email_verified, "the link reached the address");
    assert!(
        reset.session_generation > awa.session_generation,
        "old sessions end"
    );
    let hash = Accounts::for_tenant(world.store.conn(), &world.cm)
        .password_hash(awa.id)
        .await
        .expect("hash");
    assert_eq!(hash.as_deref(), Some("new hash"));

    let again = accounts::reset_password(&world.store, &world.cm, &token, "third hash")
        .await
        .expect("reset");
    assert_eq!(again, None, "a link works once");
}

#[tokio::test]
async fn an_email_change_moves_the_address_unless_another_account_took_it_first() {
    let world = common::world().await;
    let awa = account(&world, &world.cm, "awa@example.org").await;
    let mails = AccountMails::new(&world.cm, Locale::Fr, world.themes.clone());

    accounts::change_email(&world.store, &mails, &awa, &email("awa.new@example.org"))
        .await
        .expect("change");
    let first = world
        .last_link_token(&world.cm, "email_change", "/fr/compte/verifier/")
        .await;
    assert_eq!(
        accounts::verify_link(&world.store, &world.sn, &first)
            .await
            .expect("verify"),
        Verified::Gone,
        "another tenant knows no such link"
    );
    assert_eq!(
        accounts::verify_link(&world.store, &world.cm, &first)
            .await
            .expect("verify"),
        Verified::EmailChanged
    );
    let moved = Accounts::for_tenant(world.store.conn(), &world.cm)
        .find(awa.id)
        .await
        .expect("find")
        .expect("awa");
    assert_eq!(moved.email, "awa.new@example.org");

    // A second change, then someone else signs up with that address before the link is used.
    accounts::change_email(&world.store, &mails, &moved, &email("taken@example.org"))
        .await
        .expect("change");
    let second = world
        .last_link_token(&world.cm, "email_change", "/fr/compte/verifier/")
        .await;
    account(&world, &world.cm, "taken@example.org").await;
    assert_eq!(
        accounts::verify_link(&world.store, &world.cm, &second)
            .await
            .expect("verify"),
        Verified::EmailTaken
    );
    let unchanged = Accounts::for_tenant(world.store.conn(), &world.cm)
        .find(awa.id)
        .await
        .expect("find")
        .expect("awa");
    assert_eq!(unchanged.email, "awa.new@example.org");

    // An address another account already holds gets no link at all.
    let before = world.queued(&world.cm, "email_change").await;
    accounts::change_email(
        &world.store,
        &mails,
        &unchanged,
        &email("taken@example.org"),
    )
    .await
    .expect("change");
    assert_eq!(world.queued(&world.cm, "email_change").await, before);
}

#[tokio::test]
async fn an_invitation_grants_its_role_once_and_only_on_its_own_tenant() {
    let world = common::world().await;
    let (invitation, _) = invitations::invite(
        &world.store,
        world.themes.clone(),
        &world.cm,
        Grant::CountryOperator,
        Some("Jean Mbarga"),
        &email("jean@example.org"),
        None,
    )
    .await
    .expect("invite");
    // The email gives its expiry as people write dates ("15 décembre 2026"), never ISO.
    let until =
        jsap_adapters::dates::format_date(world.cm.local_date(invitation.expires_at), Locale::Fr);
    let emails = jsap_store::Outbox::for_tenant(world.store.conn(), &world.cm)
        .list()
        .await
        .expect("outbox");
    assert!(
        emails[0].text_body.contains(&until),
        "{}",
        emails[0].text_body
    );
    assert!(
        !emails[0]
            .text_body
            .contains(&invitation.expires_at.format("%Y-%m-%d").to_string())
    );
    let token = world
        .last_link_token(&world.cm, "country_operator_invitation", "/fr/invitation/")
        .await;
    let now = chrono::Utc::now();

    assert!(matches!(
        invitations::find(&world.store, &world.sn, &token, now)
            .await
            .expect("find"),
        Invitation::Unknown
    ));
    assert_eq!(
        invitations::accept(&world.store, &world.sn, &token, "Jean", "hash", now)
            .await
            .expect("accept"),
        None
    );
    let found = invitations::find(&world.store, &world.cm, &token, now)
        .await
        .expect("find");
    let Invitation::Usable(found) = found else {
        panic!("a usable invitation: {found:?}");
    };
    assert_eq!(
        (found.name.as_str(), found.email.as_str(), found.grant),
        ("Jean Mbarga", "jean@example.org", Grant::CountryOperator)
    );

    let jean = invitations::accept(&world.store, &world.cm, &token, "Jean M.", "hash", now)
        .await
        .expect("accept")
        .expect("a usable invitation");
    assert_eq!(jean.display_name, "Jean M.");
    assert!(jean.email_verified);
    let roles = Accounts::for_tenant(world.store.conn(), &world.cm)
        .memberships(jean.id)
        .await
        .expect("memberships");
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, Role::CountryOperator);
    assert!(
        Accounts::for_tenant(world.store.conn(), &world.sn)
            .find_by_email(&email("jean@example.org"))
            .await
            .expect("find")
            .is_none(),
        "no account on the other tenant"
    );

    assert_eq!(
        invitations::accept(&world.store, &world.cm, &token, "Mallory", "other", now)
            .await
            .expect("accept"),
        None,
        "an invitation works once"
    );
    assert!(matches!(
        invitations::find(&world.store, &world.cm, &token, now)
            .await
            .expect("find"),
        Invitation::Gone
    ));

    // A fresh invitation is no longer usable once its expiry has passed.
    invitations::invite(
        &world.store,
        world.themes.clone(),
        &world.cm,
        Grant::CountryOperator,
        None,
        &email("paul@example.org"),
        None,
    )
    .await
    .expect("invite");
    let fresh = world
        .last_link_token(&world.cm, "country_operator_invitation", "/fr/invitation/")
        .await;
    assert!(matches!(
        invitations::find(&world.store, &world.cm, &fresh, now)
            .await
            .expect("find"),
        Invitation::Usable(_)
    ));
    assert!(matches!(
        invitations::find(
            &world.store,
            &world.cm,
            &fresh,
            now + chrono::Duration::days(60)
        )
        .await
        .expect("find"),
        Invitation::Gone
    ));
}
