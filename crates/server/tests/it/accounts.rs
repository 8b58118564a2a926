//! Member accounts over real HTTP: sign-up, verification, log-in and log-out, forgotten
//! password, account changes, focal-point invitations, and what protects them (CSRF, rate
//! limits, no user enumeration, sessions bound to their tenant). Emails are read back from the
//! outbox and their links followed.

use crate::helpers::{Browser, Options, PASSWORD, TestApp, repo_root};
use jsap_store::AcrossTenants;
use jsap_store::Grant;
use jsap_store::{Accounts, ConnectionTrait, Invitations, Outbox, OutboxEmail, Role, Store};
use jsap_tenancy::Tenant;
use std::sync::Arc;
use std::time::Duration;

const CM: &str = "cm.localhost";
const SN: &str = "sn.localhost";

async fn spawn() -> TestApp {
    TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await
}

fn tenant(app: &TestApp, code: &str) -> Arc<Tenant> {
    app.services.registry.get(code).expect("tenant").clone()
}

fn store(app: &TestApp) -> &Store {
    &app.services.store
}

async fn emails(app: &TestApp, code: &str, to: &str) -> Vec<OutboxEmail> {
    Outbox::for_tenant(store(app).conn(), &tenant(app, code))
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.to == to)
        .collect()
}

async fn users_with(app: &TestApp, code: &str, email: &str) -> usize {
    Accounts::for_tenant(store(app).conn(), &tenant(app, code))
        .count_with_email(email)
        .await
        .expect("count")
}

/// The path of the link to `canonical` in an email's text, e.g. `/fr/compte/verifier/…`.
fn link_path(email: &OutboxEmail, canonical: &str, segment: &str) -> String {
    let prefix = format!("https://{canonical}");
    let start = email
        .text_body
        .find(&format!("{prefix}/fr/{segment}"))
        .unwrap_or_else(|| panic!("a {segment} link in {}", email.text_body))
        + prefix.len();
    email.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

pub(crate) async fn last_link(app: &TestApp, to: &str, kind: &str, segment: &str) -> String {
    let all = emails(app, "cm", to).await;
    let email = all
        .iter()
        .rev()
        .find(|e| e.kind == kind)
        .unwrap_or_else(|| panic!("a {kind} email to {to}"));
    assert!(
        email
            .html_body
            .contains("https://jesuisaucameroun.com/fr/compte"),
        "preferences link on the canonical domain"
    );
    link_path(email, "jesuisaucameroun.com", segment)
}

/// A verified account, signed in in the returned browser.
pub(crate) async fn member<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app, CM);
    assert_eq!(browser.signup(email, "Awa Diallo").await.status, 200);
    let link = last_link(app, email, "account_verification", "compte/verifier/").await;
    assert_eq!(browser.get(&link).await.status, 200);
    assert_eq!(browser.login(email, PASSWORD).await.status, 303);
    browser
}

async fn expire_all(app: &TestApp, table: &str) {
    store(app)
        .conn()
        .across_tenants()
        .execute_unprepared(&format!(
            "UPDATE {table} SET expires_at = '2000-01-01 00:00:00+00:00'"
        ))
        .await
        .expect("expire");
}

#[tokio::test]
async fn sign_up_verify_log_in_account_page_and_log_out() {
    let app = spawn().await;
    let mut awa = Browser::new(&app, CM);
    let form = awa.get("/fr/compte/inscription").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("for=\"email\""), "labelled fields");
    assert!(
        form.set_cookies()
            .iter()
            .any(|c| c.starts_with("jsap_presession=") && c.contains("HttpOnly")),
        "forms before log-in are bound to a pre-session cookie"
    );

    let done = awa.signup("Awa@Example.org", "Awa Diallo").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Vérifiez votre boîte de réception"));
    assert!(
        !awa.cookies.contains_key("jsap_session"),
        "not signed in yet"
    );
    assert_eq!(users_with(&app, "cm", "awa@example.org").await, 1);
    let account = Accounts::for_tenant(store(&app).conn(), &tenant(&app, "cm"))
        .find_by_email(&jsap_domain::EmailAddress::parse("awa@example.org").expect("email"))
        .await
        .expect("find")
        .expect("created");
    assert!(!account.email_verified);
    assert!(account.terms_accepted_at.is_some(), "consent is dated");

    let link = last_link(
        &app,
        "awa@example.org",
        "account_verification",
        "compte/verifier/",
    )
    .await;
    let email = &emails(&app, "cm", "awa@example.org").await[0];
    assert!(
        email.subject.contains("Je suis au Cameroun"),
        "{}",
        email.subject
    );
    assert!(email.text_body.contains("Awa Diallo"));
    let verified = awa.get(&link).await;
    assert_eq!(verified.status, 200);
    assert!(verified.body.contains("Adresse confirmée"));
    let replay = awa.get(&link).await;
    assert_eq!(replay.status, 410, "a link serves once");
    assert!(replay.body.contains("Lien invalide"));

    let wrong = awa
        .login("awa@example.org", "pas le bon mot de passe")
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("E-mail ou mot de passe incorrect."));
    assert!(
        wrong.body.contains("value=\"awa@example.org\""),
        "input kept"
    );
    let unknown = awa.login("personne@example.org", PASSWORD).await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.body.contains("E-mail ou mot de passe incorrect."));

    let signed_in = awa.login("awa@example.org", PASSWORD).await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.location(), "/fr/compte");
    let cookie = signed_in
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("jsap_session="))
        .expect("session cookie");
    let value = cookie["jsap_session=".len()..]
        .split(';')
        .next()
        .expect("value");
    assert_eq!(value.len(), 64, "256 random bits, hex");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "host-only: {cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP dev host: {cookie}");
    // Kept server side under the hash of the id: in Redis when configured, else the database.
    let id_hash = jsap_store::token_digest(value);
    if app.services.config.redis_url.is_some() {
        let key = format!("session:cm:{id_hash}");
        let stored = app.services.cache.get(&key).await.expect("redis");
        assert!(
            stored.is_some_and(|v| v.contains("\"tenant\":\"cm\"")),
            "{key}"
        );
    } else {
        let stored = jsap_store::DbSessions::for_tenant(store(&app).conn(), &tenant(&app, "cm"))
            .get(&id_hash)
            .await
            .expect("sessions");
        assert!(stored.is_some(), "a sessions row under the hashed id");
    }
    assert!(
        jsap_store::DbSessions::for_tenant(store(&app).conn(), &tenant(&app, "cm"))
            .get(value)
            .await
            .expect("sessions")
            .is_none(),
        "the raw id is stored nowhere"
    );

    let page = awa.get("/fr/compte").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("awa@example.org"));
    assert!(page.body.contains("Se déconnecter"));
    assert!(
        !page.body.contains("Confirmez votre adresse e-mail"),
        "verified: no banner"
    );
    let missing = awa.get("/fr/villes/atlantide").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Se déconnecter"),
        "404 pages keep the header"
    );
    let again = awa.get("/fr/compte/connexion").await;
    assert_eq!(
        (again.status, again.location()),
        (303, "/fr/compte"),
        "already signed in"
    );
    let home = awa.get("/fr/").await;
    assert!(home.body.contains("Mon compte") && home.body.contains("Se déconnecter"));
    assert_eq!(
        home.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("private, no-store"),
        "a page naming its reader is not for shared caches"
    );
    let anonymous_home = Browser::new(&app, CM).get("/fr/").await;
    assert!(
        anonymous_home.body.contains("Se connecter")
            && anonymous_home.body.contains("Créer un compte")
            && !anonymous_home.body.contains("Se déconnecter"),
        "the cached home page is the anonymous one"
    );

    let csrf = page.csrf();
    let out = awa
        .post("/fr/compte/deconnexion", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location(), "/fr/compte/connexion?done=logged_out");
    assert!(!awa.cookies.contains_key("jsap_session"), "cookie cleared");
    let mut replayed = Browser::new(&app, CM);
    replayed
        .cookies
        .insert("jsap_session".into(), value.to_owned());
    assert!(
        !replayed.is_signed_in().await,
        "the session is gone server-side"
    );
    let notice = awa.get("/fr/compte/connexion?done=logged_out").await;
    assert!(notice.body.contains("Votre session est fermée."));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn the_session_cookie_is_secure_on_real_domains() {
    let app = spawn().await;
    let mut browser = Browser::new(&app, CM);
    browser.signup("secure@example.org", "Sécu").await;
    let link = last_link(
        &app,
        "secure@example.org",
        "account_verification",
        "compte/verifier/",
    )
    .await;
    assert_eq!(browser.get(&link).await.status, 200);
    let mut real = browser.on("jesuisaucameroun.com");
    let page = real.login("secure@example.org", PASSWORD).await;
    assert_eq!(page.status, 303);
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("jsap_session="))
        .expect("session cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn unverified_members_cannot_log_in_and_get_a_fresh_link_instead() {
    let app = spawn().await;
    let mut ali = Browser::new(&app, CM);
    ali.signup("ali@example.org", "Ali").await;
    let refused = ali.login("ali@example.org", PASSWORD).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .body
            .contains("nous venons de vous envoyer un nouveau lien")
    );
    assert!(!ali.is_signed_in().await);
    let verifications = emails(&app, "cm", "ali@example.org").await;
    assert_eq!(verifications.len(), 2, "a second link");
    let wrong = Browser::new(&app, CM)
        .login("ali@example.org", "pas le mot de passe")
        .await;
    assert_eq!(
        wrong.status, 401,
        "a wrong password says nothing of the address"
    );
    assert_eq!(emails(&app, "cm", "ali@example.org").await.len(), 2);
    let link = link_path(
        &verifications[1],
        "jesuisaucameroun.com",
        "compte/verifier/",
    );
    assert_eq!(ali.get(&link).await.status, 200);
    assert_eq!(ali.login("ali@example.org", PASSWORD).await.status, 303);
    let page = ali.get("/fr/compte").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Confirmez votre adresse e-mail"));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn signing_up_twice_answers_the_same_and_creates_no_second_account() {
    let app = spawn().await;
    let first = Browser::new(&app, CM)
        .signup("twice@example.org", "Premier")
        .await;
    let second = Browser::new(&app, CM)
        .signup("TWICE@example.org", "Second")
        .await;
    assert_eq!((first.status, second.status), (200, 200));
    let message = |body: &str| {
        let start = body.find("<p class=\"message\">").expect("message");
        body[start..body[start..].find("</p>").expect("end") + start].to_owned()
    };
    assert_eq!(message(&first.body), message(&second.body));
    assert_eq!(users_with(&app, "cm", "twice@example.org").await, 1);
    let sent = emails(&app, "cm", "twice@example.org").await;
    let kinds: Vec<&str> = sent.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["account_verification", "account_exists"]);
    assert!(
        sent[1].text_body.contains("Premier"),
        "addressed to the owner"
    );
    assert!(sent[1].text_body.contains("/fr/compte/mot-de-passe-oublie"));
    app.stop().await.expect("stop");
}

type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

#[tokio::test]
async fn bad_sign_up_input_is_shown_back_with_field_errors_and_writes_nothing() {
    let app = spawn().await;
    let long_name = "n".repeat(81);
    let long_password = "p".repeat(129);
    let long_email = format!("{}@example.org", "e".repeat(250));
    // (fields, the field in error, its message)
    let cases: Vec<Case> = vec![
        (
            vec![("email", ""), ("display_name", "Kofi")],
            "email",
            "Indiquez votre adresse e-mail.",
        ),
        (
            vec![("email", "pas-une-adresse"), ("display_name", "Kofi")],
            "email",
            "pas valide",
        ),
        (
            vec![("email", &long_email), ("display_name", "Kofi")],
            "email",
            "trop longue",
        ),
        (
            vec![("email", "kofi@example.org"), ("display_name", "  ")],
            "display_name",
            "Indiquez votre nom.",
        ),
        (
            vec![("email", "kofi@example.org"), ("display_name", &long_name)],
            "display_name",
            "au plus 80",
        ),
        (
            vec![
                ("email", "kofi@example.org"),
                ("display_name", "Kofi"),
                ("password", "court"),
                ("password_confirm", "court"),
            ],
            "password",
            "au moins 10",
        ),
        (
            vec![
                ("email", "kofi@example.org"),
                ("display_name", "Kofi"),
                ("password", &long_password),
                ("password_confirm", &long_password),
            ],
            "password",
            "au plus 128",
        ),
        (
            vec![
                ("email", "kofi@example.org"),
                ("display_name", "Kofi"),
                ("password", PASSWORD),
                ("password_confirm", "autre chose encore"),
            ],
            "password_confirm",
            "ne correspondent pas",
        ),
    ];
    let mut browser = Browser::new(&app, CM);
    for (n, (fields, field, message)) in cases.into_iter().enumerate() {
        // One address per case: the per-email rate limit (5) counts invalid attempts too.
        let address = format!("kofi{n}@example.org");
        let mut all: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *v == "kofi@example.org" {
                        address.as_str()
                    } else {
                        *v
                    },
                )
            })
            .collect();
        if !all.iter().any(|(k, _)| *k == "password") {
            all.extend([("password", PASSWORD), ("password_confirm", PASSWORD)]);
        }
        all.push(("terms", "yes"));
        let page = browser
            .submit("/fr/compte/inscription", "/fr/compte/inscription", &all)
            .await;
        assert_eq!(page.status, 422, "{field}: {}", page.body);
        assert!(page.body.contains(message), "{field}: {message}");
        assert!(
            page.body
                .contains(&format!("aria-describedby=\"{field}-error\""))
                || page.body.contains(&format!("-hint {field}-error\"")),
            "{field}: error tied to its field"
        );
        assert!(page.body.contains(&format!("id=\"{field}-error\"")));
        assert!(page.body.contains("role=\"alert\""), "error summary");
        // The page opens on the summary (GOV.UK's pattern, without a script): it takes the
        // focus, so it is scrolled to and read first, and it links to the field.
        assert!(
            page.body
                .contains("id=\"errors\" tabindex=\"-1\" autofocus>"),
            "{field}: the summary takes the focus"
        );
        assert!(
            page.body.contains(&format!("<a href=\"#{field}\">")),
            "{field}"
        );
        assert!(!page.body.contains(PASSWORD), "passwords are never echoed");
    }
    let kept = browser
        .submit(
            "/fr/compte/inscription",
            "/fr/compte/inscription",
            &[
                ("email", "kofi@example.org"),
                ("display_name", "Kofi <b>"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(kept.status, 422);
    assert!(
        kept.body.contains("Acceptez les conditions d'utilisation")
            || kept
                .body
                .contains("Acceptez les conditions d&#x27;utilisation")
    );
    assert!(
        kept.body.contains("value=\"kofi@example.org\""),
        "input kept"
    );
    assert!(kept.body.contains("value=\"Kofi &lt;b&gt;\""), "escaped");
    assert_eq!(users_with(&app, "cm", "kofi@example.org").await, 0);
    let everyone = Outbox::for_tenant(store(&app).conn(), &tenant(&app, "cm"))
        .list()
        .await
        .expect("outbox");
    assert!(
        everyone.iter().all(|e| e.kind == "focal_point_invitation"),
        "no email"
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn expired_replayed_and_foreign_links_are_refused_without_writing() {
    let app = spawn().await;
    let mut browser = Browser::new(&app, CM);
    browser.signup("late@example.org", "En retard").await;
    let link = last_link(
        &app,
        "late@example.org",
        "account_verification",
        "compte/verifier/",
    )
    .await;
    // Another tenant's host does not know this token.
    let foreign = browser.on(SN).get(&link).await;
    assert_eq!(foreign.status, 410);
    assert!(foreign.body.contains("Lien invalide"));
    expire_all(&app, "account_tokens").await;
    let expired = browser.get(&link).await;
    assert_eq!(expired.status, 410);
    let account = Accounts::for_tenant(store(&app).conn(), &tenant(&app, "cm"))
        .find_by_email(&jsap_domain::EmailAddress::parse("late@example.org").expect("email"))
        .await
        .expect("find")
        .expect("account");
    assert!(!account.email_verified, "nothing written");
    let unknown = browser
        .get(&format!("/fr/compte/verifier/{}", "0".repeat(64)))
        .await;
    assert_eq!(unknown.status, 410);
    let reset = browser
        .get(&format!("/fr/compte/reinitialiser/{}", "0".repeat(64)))
        .await;
    assert_eq!(reset.status, 410);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn posts_without_the_right_csrf_token_are_refused_with_403() {
    let app = spawn().await;
    let mut browser = Browser::new(&app, CM);
    browser.get("/fr/compte/inscription").await;
    let fields = [
        ("display_name", "Sans jeton"),
        ("email", "csrf@example.org"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("terms", "yes"),
    ];
    let missing = browser.post("/fr/compte/inscription", &fields).await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("Formulaire expiré"));
    assert!(
        missing.body.contains("Rien n'a été enregistré")
            || missing.body.contains("Rien n&#x27;a été enregistré")
    );
    let mut wrong = vec![("csrf", "00ff")];
    wrong.extend_from_slice(&fields);
    assert_eq!(
        browser.post("/fr/compte/inscription", &wrong).await.status,
        403
    );
    // A token taken from another visitor's page is bound to that visitor's cookie.
    let other = Browser::new(&app, CM)
        .get("/fr/compte/inscription")
        .await
        .csrf();
    let mut stolen = vec![("csrf", other.as_str())];
    stolen.extend_from_slice(&fields);
    assert_eq!(
        browser.post("/fr/compte/inscription", &stolen).await.status,
        403
    );
    assert_eq!(users_with(&app, "cm", "csrf@example.org").await, 0);

    // Signed in: log-out and account changes need the session's token too.
    let mut member = member(&app, "member@example.org").await;
    let out = member.post("/fr/compte/deconnexion", &[("csrf", "")]).await;
    assert_eq!(out.status, 403);
    assert!(member.is_signed_in().await, "still signed in");
    let change = member
        .post(
            "/fr/compte/mot-de-passe",
            &[
                ("current_password", PASSWORD),
                ("password", "un tout autre mot de passe"),
                ("password_confirm", "un tout autre mot de passe"),
            ],
        )
        .await;
    assert_eq!(change.status, 403);
    assert_eq!(
        Browser::new(&app, CM)
            .login("member@example.org", PASSWORD)
            .await
            .status,
        303,
        "the password did not change"
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn repeated_attempts_slow_the_account_down_and_are_refused_per_address() {
    let app = spawn().await;
    let mut browser = Browser::new(&app, CM);
    for _ in 0..5 {
        let page = browser
            .login("target@example.org", "mauvais mot de passe")
            .await;
        assert_eq!(page.status, 401);
    }
    // Past five attempts on one account, each waits a little longer: never locked out.
    let started = std::time::Instant::now();
    let slowed = browser
        .login("target@example.org", "mauvais mot de passe")
        .await;
    assert_eq!(slowed.status, 401);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "slowed down: {:?}",
        started.elapsed()
    );
    // Another email from the same address is not slowed...
    assert_eq!(
        browser
            .login("other@example.org", "mauvais mot de passe")
            .await
            .status,
        401
    );
    // ...until the per-address limit (10 in the window) is reached.
    for n in 0..3 {
        let page = browser
            .login(&format!("n{n}@example.org"), "mauvais mot de passe")
            .await;
        assert_eq!(page.status, 401);
    }
    let limited = browser.login("new@example.org", "x").await;
    assert_eq!(limited.status, 429);
    assert!(
        limited
            .body
            .contains("Trop de tentatives, réessayez dans 15 minutes."),
        "{}",
        limited.body
    );
    let retry: u64 = limited
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 800 && retry <= 900, "{retry}");
    // Each action counts on its own: forgotten password still answers.
    let forgot = browser
        .submit(
            "/fr/compte/mot-de-passe-oublie",
            "/fr/compte/mot-de-passe-oublie",
            &[("email", "target@example.org")],
        )
        .await;
    assert_eq!(forgot.status, 200);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn forgotten_password_resets_once_and_ends_every_session() {
    let app = spawn().await;
    let mut laptop = member(&app, "reset@example.org").await;
    let mut phone = Browser::new(&app, CM);
    assert_eq!(phone.login("reset@example.org", PASSWORD).await.status, 303);
    assert!(laptop.is_signed_in().await && phone.is_signed_in().await);

    let mut anonymous = Browser::new(&app, CM);
    let known = anonymous
        .submit(
            "/fr/compte/mot-de-passe-oublie",
            "/fr/compte/mot-de-passe-oublie",
            &[("email", "reset@example.org")],
        )
        .await;
    let unknown = anonymous
        .submit(
            "/fr/compte/mot-de-passe-oublie",
            "/fr/compte/mot-de-passe-oublie",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(known.body, unknown.body, "the same answer either way");
    assert!(emails(&app, "cm", "nobody@example.org").await.is_empty());
    let link = last_link(
        &app,
        "reset@example.org",
        "password_reset",
        "compte/reinitialiser/",
    )
    .await;

    // A second request gives a second link; the first reset retires it.
    anonymous
        .submit(
            "/fr/compte/mot-de-passe-oublie",
            "/fr/compte/mot-de-passe-oublie",
            &[("email", "reset@example.org")],
        )
        .await;
    let spare = last_link(
        &app,
        "reset@example.org",
        "password_reset",
        "compte/reinitialiser/",
    )
    .await;
    assert_ne!(spare, link);
    let form = anonymous.get(&link).await;
    assert_eq!(form.status, 200);
    let mismatch = anonymous
        .submit(
            &link,
            &link,
            &[
                ("password", "nouveau mot de passe 1"),
                ("password_confirm", "autre"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    let done = anonymous
        .submit(
            &link,
            &link,
            &[
                ("password", "nouveau mot de passe 1"),
                ("password_confirm", "nouveau mot de passe 1"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Mot de passe modifié"));
    assert!(!laptop.is_signed_in().await, "every session ended");
    assert!(!phone.is_signed_in().await);
    assert_eq!(anonymous.get(&link).await.status, 410, "single use");
    assert_eq!(
        anonymous.get(&spare).await.status,
        410,
        "older links retired"
    );
    assert_eq!(
        anonymous.login("reset@example.org", PASSWORD).await.status,
        401
    );
    assert_eq!(
        anonymous
            .login("reset@example.org", "nouveau mot de passe 1")
            .await
            .status,
        303
    );
    // A reset link older than an hour is refused.
    let mut again = Browser::new(&app, CM);
    again
        .submit(
            "/fr/compte/mot-de-passe-oublie",
            "/fr/compte/mot-de-passe-oublie",
            &[("email", "reset@example.org")],
        )
        .await;
    let late = last_link(
        &app,
        "reset@example.org",
        "password_reset",
        "compte/reinitialiser/",
    )
    .await;
    expire_all(&app, "account_tokens").await;
    assert_eq!(again.get(&late).await.status, 410);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn changing_the_email_waits_for_the_new_address_to_confirm() {
    let app = spawn().await;
    let mut member = member(&app, "old@example.org").await;
    let page = member.get("/fr/compte").await;
    let csrf = page.csrf();
    let csrf = csrf.as_str();
    let wrong = member
        .post(
            "/fr/compte/email",
            &[
                ("csrf", csrf),
                ("email", "new@example.org"),
                ("current_password", "pas le bon mdp"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Le mot de passe actuel est incorrect."));
    let malformed = member
        .post(
            "/fr/compte/email",
            &[
                ("csrf", csrf),
                ("email", "new@"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(malformed.status, 422);
    assert!(malformed.body.contains("value=\"new@\""));
    let asked = member
        .post(
            "/fr/compte/email",
            &[
                ("csrf", csrf),
                ("email", "new@example.org"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(asked.status, 303);
    assert_eq!(asked.location(), "/fr/compte?done=email_sent");
    let page = member.get("/fr/compte?done=email_sent").await;
    assert!(
        page.body.contains("old@example.org"),
        "unchanged until confirmed"
    );
    assert!(page.body.contains("un lien de confirmation vient d"));
    let link = last_link(&app, "new@example.org", "email_change", "compte/verifier/").await;
    let confirmed = member.get(&link).await;
    assert_eq!(confirmed.status, 200);
    assert!(
        confirmed
            .body
            .contains("nouvelle adresse e-mail est confirmée")
    );
    assert!(
        member
            .get("/fr/compte")
            .await
            .body
            .contains("new@example.org")
    );
    assert_eq!(users_with(&app, "cm", "old@example.org").await, 0);
    let mut fresh = Browser::new(&app, CM);
    assert_eq!(fresh.login("new@example.org", PASSWORD).await.status, 303);
    assert_eq!(member.get(&link).await.status, 410, "single use");
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn().await;
    let mut member = member(&app, "change@example.org").await;
    let mut other = Browser::new(&app, CM);
    other.login("change@example.org", PASSWORD).await;
    let csrf = member.get("/fr/compte").await.csrf();
    let csrf = csrf.as_str();
    let new = "encore un autre secret";
    let wrong = member
        .post(
            "/fr/compte/mot-de-passe",
            &[
                ("csrf", csrf),
                ("current_password", "faux faux faux"),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("id=\"current_password-error\""));
    let ok = member
        .post(
            "/fr/compte/mot-de-passe",
            &[
                ("csrf", csrf),
                ("current_password", PASSWORD),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location(), "/fr/compte?done=password_changed");
    assert!(member.is_signed_in().await, "this browser stays signed in");
    assert!(!other.is_signed_in().await, "the other session ended");
    assert_eq!(other.login("change@example.org", new).await.status, 303);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn a_session_only_works_on_the_tenant_that_opened_it() {
    let app = spawn().await;
    let mut member = member(&app, "cm-only@example.org").await;
    assert!(member.is_signed_in().await);
    let mut in_senegal = member.on(SN);
    assert!(
        !in_senegal.is_signed_in().await,
        "anonymous on the Senegal host"
    );
    let home = in_senegal.get("/fr/").await;
    assert!(home.body.contains("Se connecter") && !home.body.contains("Se déconnecter"));
    // The Senegal site has no such account either: the cookie opens nothing there.
    assert_eq!(users_with(&app, "sn", "cm-only@example.org").await, 0);
    assert!(member.is_signed_in().await, "still valid at home");
    app.stop().await.expect("stop");
}

async fn invitation_link(app: &TestApp, code: &str, canonical: &str, to: &str) -> String {
    let all = Outbox::for_tenant(store(app).conn(), &tenant(app, code))
        .list()
        .await
        .expect("outbox");
    let email = all
        .iter()
        .rev()
        .find(|e| e.to == to && e.kind == "focal_point_invitation")
        .unwrap_or_else(|| panic!("an invitation to {to}"));
    link_path(email, canonical, "invitation/")
}

#[tokio::test]
async fn a_focal_point_accepts_the_invitation_and_is_signed_in_with_the_role() {
    let app = spawn().await;
    let to = "pf.yaounde@jesuisaucameroun.com";
    let link = invitation_link(&app, "cm", "jesuisaucameroun.com", to).await;
    let mut fp = Browser::new(&app, CM);
    let page = fp.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Yaoundé") && page.body.contains(to));

    let missing_terms = fp
        .submit(
            &link,
            &link,
            &[
                ("display_name", "Point focal"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(missing_terms.status, 422);
    assert_eq!(users_with(&app, "cm", to).await, 0, "nothing written");

    let accepted = fp
        .submit(
            &link,
            &link,
            &[
                ("display_name", "Mme Point Focal"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
            ],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    assert_eq!(accepted.location(), "/fr/compte");
    let account_page = fp.get("/fr/compte").await;
    assert!(account_page.body.contains("Mme Point Focal"));
    assert!(account_page.body.contains("Point focal diaspora : Yaoundé"));
    assert!(
        !account_page.body.contains("Confirmez votre adresse e-mail"),
        "verified by the link"
    );

    let cm = tenant(&app, "cm");
    let accounts = Accounts::for_tenant(store(&app).conn(), &cm);
    let account = accounts
        .find_by_email(&jsap_domain::EmailAddress::parse(to).expect("email"))
        .await
        .expect("find")
        .expect("created");
    let yaounde = jsap_store::Cities::for_tenant(store(&app).conn(), &cm)
        .list()
        .await
        .expect("cities")
        .into_iter()
        .find(|c| c.slug == "yaounde")
        .expect("yaounde");
    let roles = accounts.memberships(account.id).await.expect("roles");
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, Role::FocalPoint);
    assert_eq!(roles[0].city_id, Some(yaounde.id));

    let replay = Browser::new(&app, CM).get(&link).await;
    assert_eq!(replay.status, 410, "used");
    let token = link.rsplit('/').next().expect("token");
    let again = Browser::new(&app, CM)
        .submit(
            "/fr/compte/inscription",
            &link,
            &[
                ("display_name", "X"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
            ],
        )
        .await;
    assert_eq!(again.status, 410, "no second acceptance");
    assert_eq!(
        accounts.memberships(account.id).await.expect("roles").len(),
        1
    );
    assert!(
        Invitations::for_tenant(store(&app).conn(), &cm)
            .find_valid(token)
            .await
            .expect("find")
            .is_none()
    );

    // Another tenant's invitation means nothing on this host; an unknown one neither.
    let senegal = invitation_link(
        &app,
        "sn",
        "jesuisausenegal.com",
        &first_focal_point(&app, "sn"),
    )
    .await;
    assert_eq!(Browser::new(&app, CM).get(&senegal).await.status, 404);
    assert_eq!(
        Browser::new(&app, CM)
            .get(&format!("/fr/invitation/{}", "0".repeat(64)))
            .await
            .status,
        404
    );
    // An expired one is gone, and its form writes nothing.
    let douala = invitation_link(
        &app,
        "cm",
        "jesuisaucameroun.com",
        "pf.douala@jesuisaucameroun.com",
    )
    .await;
    let mut late = Browser::new(&app, CM);
    let form = late.get(&douala).await;
    assert_eq!(form.status, 200);
    expire_all(&app, "invitations").await;
    let expired = late
        .post(
            &douala,
            &[
                ("csrf", form.csrf().as_str()),
                ("display_name", "Trop tard"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
            ],
        )
        .await;
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("Lien invalide"));
    assert_eq!(
        users_with(&app, "cm", "pf.douala@jesuisaucameroun.com").await,
        0
    );
    app.stop().await.expect("stop");
}

fn first_focal_point(app: &TestApp, code: &str) -> String {
    tenant(app, code).focal_points[0].email.to_string()
}

#[test]
fn the_invite_command_queues_a_fresh_invitation_and_retires_the_old_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jesuisaupays"))
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env("DATA_DIR", dir.path())
            .env("TENANTS_DIR", repo_root().join("tenants"))
            .env("THEMES_DIR", repo_root().join("themes"))
            .env("DEMO_DATA", "off")
            .arg("invite")
            .args(args)
            .output()
            .expect("run")
    };
    let args = [
        "--tenant",
        "cm",
        "--city",
        "yaounde",
        "--email",
        "New.FP@example.org",
        "--name",
        "Nouveau PF",
    ];
    let first = run(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("new.fp@example.org"));
    let second = run(&args);
    assert!(second.status.success());
    let bad = run(&[
        "--tenant",
        "cm",
        "--city",
        "paris",
        "--email",
        "x@example.org",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--city"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("jesuisaupays.db").display()
        );
        let store = Store::connect(&url).await.expect("store");
        let tenants = jsap_tenancy::load_dir(&repo_root().join("tenants")).expect("tenants");
        let cm = tenants
            .iter()
            .find(|t| t.code.as_str() == "cm")
            .expect("cm");
        let sent: Vec<_> = Outbox::for_tenant(store.conn(), cm)
            .list()
            .await
            .expect("outbox")
            .into_iter()
            .filter(|e| e.to == "new.fp@example.org")
            .collect();
        assert_eq!(sent.len(), 2, "one email per run");
        assert!(sent[1].text_body.contains("Nouveau PF") && sent[1].subject.contains("Yaoundé"));
        let token = |e: &OutboxEmail| {
            link_path(e, "jesuisaucameroun.com", "invitation/")
                .rsplit('/')
                .next()
                .expect("token")
                .to_owned()
        };
        let invitations = Invitations::for_tenant(store.conn(), cm);
        assert!(
            invitations
                .find_valid(&token(&sent[0]))
                .await
                .expect("find")
                .is_none(),
            "old link retired"
        );
        let fresh = invitations
            .find_valid(&token(&sent[1]))
            .await
            .expect("find")
            .expect("valid");
        assert_eq!(fresh.name, "Nouveau PF");
        store.close().await.expect("close");
    });
}

#[tokio::test]
async fn the_accounts_repository_keeps_tokens_single_use_and_emails_unique() {
    let (services, _dir) = crate::helpers::services().await;
    let cm = services.registry.get("cm").expect("cm").clone();
    let sn = services.registry.get("sn").expect("sn").clone();
    let conn = services.store.conn();
    let accounts = Accounts::for_tenant(conn, &cm);
    let email = jsap_domain::EmailAddress::parse("repo@example.org").expect("email");
    let account = accounts
        .create(&email, "Repo", "hash", false)
        .await
        .expect("created");
    let twice = accounts
        .create(&email, "Repo", "hash", false)
        .await
        .expect_err("unique per tenant");
    assert!(twice.is_conflict(), "{twice}");
    // The same email is another account on another tenant.
    Accounts::for_tenant(conn, &sn)
        .create(&email, "Repo", "hash", false)
        .await
        .expect("other tenant");

    let token = accounts
        .issue_token(account.id, jsap_store::TokenPurpose::VerifyEmail, None)
        .await
        .expect("token");
    let purpose = jsap_store::TokenPurpose::ResetPassword;
    assert!(
        accounts
            .consume_token(&token, purpose)
            .await
            .expect("use")
            .is_none(),
        "a token serves its own purpose only"
    );
    assert!(
        Accounts::for_tenant(conn, &sn)
            .consume_token(&token, jsap_store::TokenPurpose::VerifyEmail)
            .await
            .expect("use")
            .is_none(),
        "nor on another tenant"
    );
    let used = accounts
        .consume_token(&token, jsap_store::TokenPurpose::VerifyEmail)
        .await
        .expect("use")
        .expect("valid once");
    assert_eq!(used.user_id, account.id);
    assert!(
        accounts
            .consume_token(&token, jsap_store::TokenPurpose::VerifyEmail)
            .await
            .expect("use")
            .is_none()
    );

    let city = jsap_store::Cities::for_tenant(conn, &cm)
        .list()
        .await
        .expect("cities")[0]
        .id;
    for _ in 0..2 {
        accounts
            .grant(account.id, Grant::FocalPoint { city_id: city })
            .await
            .expect("grant");
    }
    assert_eq!(
        accounts.memberships(account.id).await.expect("roles").len(),
        1
    );
    assert!(
        Accounts::for_tenant(conn, &sn)
            .memberships(account.id)
            .await
            .expect("roles")
            .is_empty(),
        "roles are per tenant"
    );
}

#[tokio::test]
async fn account_pages_are_translated_and_right_to_left_in_arabic() {
    let app = spawn().await;
    let mut visitor = Browser::new(&app, "ma.localhost");
    let page = visitor.get("/ar/compte/inscription").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("dir=\"rtl\""));
    assert!(page.body.contains("إنشاء حساب") && page.body.contains("كلمة المرور"));
    let bad = visitor
        .submit(
            "/ar/compte/inscription",
            "/ar/compte/inscription",
            &[("email", "x"), ("display_name", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("أدخل اسمك."));
    let english = Browser::new(&app, CM).get("/en/compte/connexion").await;
    assert!(english.body.contains("Log in") && english.body.contains("Forgot your password?"));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn axe_finds_no_serious_or_critical_violation_on_the_account_forms() {
    let app = spawn().await;
    let port = app.addr.port();
    let invitation = invitation_link(
        &app,
        "cm",
        "jesuisaucameroun.com",
        "pf.kribi@jesuisaucameroun.com",
    )
    .await;
    let urls = [
        format!("http://cm.localhost:{port}/fr/compte/inscription"),
        format!("http://cm.localhost:{port}/fr/compte/connexion"),
        format!("http://cm.localhost:{port}/fr/compte/mot-de-passe-oublie"),
        format!("http://cm.localhost:{port}{invitation}"),
        format!("http://ma.localhost:{port}/ar/compte/inscription"),
    ];
    let Some(problems) = crate::helpers::axe_audit(&urls, None).await else {
        return;
    };
    assert!(problems.is_empty(), "{problems:#?}");
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn the_purge_job_drops_expired_sessions_and_stale_tokens_only() {
    let (services, _dir) = crate::helpers::services().await;
    let cm = services.registry.get("cm").expect("cm").clone();
    let conn = services.store.conn();
    let accounts = Accounts::for_tenant(conn, &cm);
    let email = jsap_domain::EmailAddress::parse("purge@example.org").expect("email");
    let account = accounts
        .create(&email, "Purge", "hash", false)
        .await
        .expect("created");
    let stale = accounts
        .issue_token(account.id, jsap_store::TokenPurpose::VerifyEmail, None)
        .await
        .expect("token");
    conn.across_tenants()
        .execute_unprepared("UPDATE account_tokens SET expires_at = '2000-01-01 00:00:00+00:00'")
        .await
        .expect("expire");
    let fresh = accounts
        .issue_token(account.id, jsap_store::TokenPurpose::VerifyEmail, None)
        .await
        .expect("token");
    let sessions = jsap_store::DbSessions::for_tenant(conn, &cm);
    let session = |days: i64| jsap_store::StoredSession {
        user_id: account.id,
        csrf_secret: "c".repeat(64),
        generation: 0,
        expires_at: chrono::Utc::now() + chrono::Duration::days(days),
    };
    sessions.insert("old", &session(-1)).await.expect("insert");
    sessions.insert("live", &session(30)).await.expect("insert");

    let report =
        jsap_jobs::purge_account_data(&services.store, &services.registry, &services.cache)
            .await
            .expect("purge");
    assert_eq!(
        (report.sessions, report.tokens, report.skipped),
        (1, 1, false)
    );
    assert!(sessions.get("live").await.expect("get").is_some());
    assert!(
        accounts
            .peek_token(&stale, jsap_store::TokenPurpose::VerifyEmail)
            .await
            .expect("peek")
            .is_none()
    );
    assert!(
        accounts
            .peek_token(&fresh, jsap_store::TokenPurpose::VerifyEmail)
            .await
            .expect("peek")
            .is_some()
    );
}

#[tokio::test]
async fn the_page_asked_for_is_kept_through_log_in_sign_up_and_confirmation() {
    let app = spawn().await;
    let mut awa = Browser::new(&app, "jesuisaucameroun.com");
    // A members' page sends a visitor to log in, then back to it, query included.
    let asked = awa.get("/fr/compte/profil?done=saved").await;
    assert_eq!(asked.status, 303);
    let login = asked.location().to_owned();
    assert_eq!(
        login,
        "/fr/compte/connexion?next=%2Ffr%2Fcompte%2Fprofil%3Fdone%3Dsaved"
    );
    // The log-in page's "create an account" link carries it to the sign-up form...
    let page = awa.get(&login).await;
    let signup = "/fr/compte/inscription?next=%2Ffr%2Fcompte%2Fprofil%3Fdone%3Dsaved";
    assert!(
        page.body.contains(&format!("href=\"{signup}\"")),
        "{}",
        page.body
    );
    let form = awa.get(signup).await;
    assert!(
        form.body
            .contains("name=\"next\" value=\"/fr/compte/profil?done=saved\""),
        "{}",
        form.body
    );
    // ...which sends it in the confirmation link...
    let done = awa
        .post(
            "/fr/compte/inscription",
            &[
                ("csrf", form.csrf().as_str()),
                ("display_name", "Awa Diallo"),
                ("email", "awa@example.org"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
                ("next", "/fr/compte/profil?done=saved"),
            ],
        )
        .await;
    assert_eq!(done.status, 200);
    let sent = emails(&app, "cm", "awa@example.org").await;
    let link = link_path(&sent[0], "jesuisaucameroun.com", "compte/verifier/");
    assert!(
        link.ends_with("?next=%2Ffr%2Fcompte%2Fprofil%3Fdone%3Dsaved"),
        "{link}"
    );
    // ...whose page leads on to logging in, then to the page first asked for.
    let confirmed = Browser::new(&app, "jesuisaucameroun.com").get(&link).await;
    assert_eq!(confirmed.status, 200);
    assert!(
        confirmed
            .body
            .contains(&format!("href=\"{}\"", login.replace('&', "&amp;"))),
        "{}",
        confirmed.body
    );
    let csrf = awa.get(&login).await.csrf();
    let back = awa
        .post(
            "/fr/compte/connexion",
            &[
                ("csrf", csrf.as_str()),
                ("email", "awa@example.org"),
                ("password", PASSWORD),
                ("next", "/fr/compte/profil?done=saved"),
            ],
        )
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(back.location(), "/fr/compte/profil?done=saved");

    // A foreign address is never carried: the confirmation link then has no `next`.
    let mut mallory = Browser::new(&app, "jesuisaucameroun.com");
    let form = mallory
        .get("/fr/compte/inscription?next=//evil.example/x")
        .await;
    assert!(!form.body.contains("evil.example"));
    mallory
        .post(
            "/fr/compte/inscription",
            &[
                ("csrf", form.csrf().as_str()),
                ("display_name", "Mallory"),
                ("email", "mallory@example.org"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    let sent = emails(&app, "cm", "mallory@example.org").await;
    let link = link_path(&sent[0], "jesuisaucameroun.com", "compte/verifier/");
    assert!(!link.contains('?'), "{link}");
    app.stop().await.expect("stop");
}
