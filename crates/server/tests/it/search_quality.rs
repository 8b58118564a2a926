//! Search judged on 50 queries people would type, with the demo missions they expect (by
//! mission type): a query is answered when one of its expected missions is in the first ten
//! results. The score has a floor; the table is printed (`--nocapture`) and kept in
//! `docs/performance.md`.

use crate::helpers::TestApp;
use jsap_domain::Locale;
use jsap_store::{MissionQuery, MissionSearch};

/// (locale, query, expected mission types: any one in the first ten answers it).
const QUERIES: &[(Locale, &str, &[&str])] = &[
    (Locale::Fr, "infirmière", &["consultations-medicales"]),
    (
        Locale::Fr,
        "médecin",
        &["consultations-medicales", "dons-equipements-sante"],
    ),
    (
        Locale::Fr,
        "docteur",
        &["consultations-medicales", "dons-equipements-sante"],
    ),
    (Locale::Fr, "vaccins", &["dons-equipements-sante"]),
    (Locale::Fr, "diabète", &["consultations-medicales"]),
    (
        Locale::Fr,
        "hôpital",
        &["consultations-medicales", "dons-equipements-sante"],
    ),
    (
        Locale::Fr,
        "école",
        &["soutien-scolaire-ateliers", "dons-fournitures-scolaires"],
    ),
    (Locale::Fr, "enseignante", &["soutien-scolaire-ateliers"]),
    (
        Locale::Fr,
        "professeur de mathématiques",
        &["soutien-scolaire-ateliers"],
    ),
    (
        Locale::Fr,
        "livres scolaires",
        &["dons-fournitures-scolaires"],
    ),
    (
        Locale::Fr,
        "entrepreneure",
        &["micro-projets-revenus", "mentorat-entrepreneurs"],
    ),
    (Locale::Fr, "mentorat", &["mentorat-entrepreneurs"]),
    (
        Locale::Fr,
        "startup",
        &["appui-startups-incubateurs", "mentorat-entrepreneurs"],
    ),
    (
        Locale::Fr,
        "investir immobilier",
        &["investissement-immobilier"],
    ),
    (
        Locale::Fr,
        "logements sociaux",
        &["investissement-immobilier"],
    ),
    (
        Locale::Fr,
        "génie civil",
        &["expertise-construction-habitat"],
    ),
    (
        Locale::Fr,
        "colis alimentaires",
        &["aide-alimentaire-premiere-necessite"],
    ),
    (Locale::Fr, "microfinance", &["micro-projets-revenus"]),
    (Locale::Fr, "comptabilité", &["renforcement-associations"]),
    (
        Locale::Fr,
        "numérique",
        &[
            "autonomisation-femmes-jeunes",
            "digitalisation-services-municipaux",
        ],
    ),
    (
        Locale::Fr,
        "informatique",
        &[
            "digitalisation-services-municipaux",
            "autonomisation-femmes-jeunes",
        ],
    ),
    (Locale::Fr, "drainage", &["appui-technique-projets-urbains"]),
    (
        Locale::Fr,
        "assainissement",
        &["appui-technique-projets-urbains"],
    ),
    (
        Locale::Fr,
        "éclairage solaire",
        &["cofinancement-equipement-public"],
    ),
    (
        Locale::Fr,
        "énergie solaire",
        &["cofinancement-equipement-public", "dons-equipements-sante"],
    ),
    (Locale::Fr, "déchets", &["operation-proprete-dechets"]),
    (Locale::Fr, "propreté", &["operation-proprete-dechets"]),
    (
        Locale::Fr,
        "planter des arbres",
        &["reboisement-espaces-verts"],
    ),
    (Locale::Fr, "reboisement", &["reboisement-espaces-verts"]),
    (Locale::Fr, "stages", &["offres-emploi-stages"]),
    (Locale::Fr, "emploi jeunes", &["offres-emploi-stages"]),
    (Locale::Fr, "recrutement", &["offres-emploi-stages"]),
    (
        Locale::Fr,
        "accueil des voyageurs",
        &["formation-coaching-professionnel"],
    ),
    (
        Locale::Fr,
        "tourisme",
        &["sejours-tourisme-solidaire", "promotion-destination"],
    ),
    (Locale::Fr, "festival", &["evenements-culturels"]),
    (Locale::Fr, "archives", &["mecenat-patrimoine"]),
    (Locale::Fr, "patrimoine", &["mecenat-patrimoine"]),
    (Locale::Fr, "ambassadrice", &["ambassadeur-ville"]),
    (
        Locale::Fr,
        "exportation coopératives",
        &["mise-en-relation-export"],
    ),
    (
        Locale::Fr,
        "droit foncier",
        &["conseil-juridique-demarches"],
    ),
    (
        Locale::Fr,
        "état civil",
        &[
            "conseil-juridique-demarches",
            "sensibilisation-participation-citoyenne",
        ],
    ),
    (
        Locale::Fr,
        "naissances",
        &["sensibilisation-participation-citoyenne"],
    ),
    (Locale::Fr, "inondations", &["collecte-urgence"]),
    (Locale::Fr, "secourisme", &["appui-logistique-secours"]),
    (
        Locale::Fr,
        "catastrophe",
        &["appui-logistique-secours", "collecte-urgence"],
    ),
    (
        Locale::En,
        "nurse",
        &["consultations-medicales", "dons-equipements-sante"],
    ),
    (
        Locale::En,
        "school",
        &["soutien-scolaire-ateliers", "dons-fournitures-scolaires"],
    ),
    (Locale::En, "planting trees", &["reboisement-espaces-verts"]),
    (Locale::En, "floods", &["collecte-urgence"]),
    (Locale::En, "internships", &["offres-emploi-stages"]),
];

/// The share of queries answered in the first ten results must not fall below this.
const FLOOR: f64 = 0.9;

#[tokio::test]
async fn fifty_realistic_queries_find_what_people_expect() {
    assert_eq!(QUERIES.len(), 50);
    let app = TestApp::spawn().await;
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let today = cm.today();
    let mut answered = 0;
    let mut reciprocal = 0.0;
    let mut missed = Vec::new();
    for (locale, text, expected) in QUERIES {
        let mut q = MissionQuery::new(*locale, today);
        q.text = (*text).to_owned();
        q.per_page = 10;
        let results = MissionSearch::for_tenant(app.services.store.conn(), &cm)
            .run(&q)
            .await
            .expect("search");
        match results
            .items
            .iter()
            .position(|h| expected.contains(&h.terms.mission_type.as_str()))
        {
            Some(rank) => {
                answered += 1;
                reciprocal += 1.0 / (rank as f64 + 1.0);
                eprintln!(
                    "ok    rank {:>2}  {:>3} results  {text}",
                    rank + 1,
                    results.total
                );
            }
            None => {
                eprintln!("MISS            {:>3} results  {text}", results.total);
                missed.push(*text);
            }
        }
    }
    let score = answered as f64 / QUERIES.len() as f64;
    eprintln!(
        "answered in the first ten: {answered}/{} ({:.0} %), mean reciprocal rank {:.2}",
        QUERIES.len(),
        score * 100.0,
        reciprocal / QUERIES.len() as f64
    );
    assert!(score >= FLOOR, "{score:.2} < {FLOOR}: missed {missed:?}");
    app.stop().await.expect("stop");
}

/// The suggestion of a search page ("Vouliez-vous dire : X"): its text and link.
fn suggestion(body: &str) -> Option<(String, String)> {
    let start = body.find("class=\"did-you-mean\"")?;
    let rest = &body[start..];
    let link = &rest[rest.find("<a href=\"")?..];
    let href = link["<a href=\"".len()..].split('"').next()?;
    let text = link.split("\">").nth(1)?.split("</a>").next()?;
    Some((text.to_owned(), href.replace("&amp;", "&")))
}

/// Misspelt searches find nothing, and the page offers the spelling the site's missions use,
/// which finds them; nothing is offered for gibberish, for a word only another site knows, or
/// when the close spelling would find nothing with the filters chosen.
#[tokio::test]
async fn a_misspelt_search_offers_the_spelling_that_finds_missions() {
    let app = TestApp::spawn().await;
    let (cm, sn) = ("cm.localhost", "sn.localhost");
    for (typed, meant) in [
        ("refrigerateru", "réfrigérateur"),
        ("inondatoins", "inondations"),
        ("secourisne", "secourisme"),
        ("entrepeneur", "entrepreneur"),
        ("Ngaoundre", "ngaoundéré"),
        ("bafousam", "bafoussam"),
        ("aeroprt", "aéroport"),
        ("colis alimentaries", "colis alimentaires"),
    ] {
        let path = format!("/fr/missions?q={}", urlencoding(typed));
        let (status, body) = app.page(cm, &path).await;
        assert_eq!(status, 200);
        assert!(body.contains("class=\"empty\""), "{typed} finds nothing");
        let (text, href) = suggestion(&body).unwrap_or_else(|| panic!("{typed}: no suggestion"));
        assert_eq!(text, meant, "{typed}");
        let (_, found) = app.page(cm, &href).await;
        assert!(!found.contains("class=\"empty\""), "{meant} finds missions");
        assert!(suggestion(&found).is_none());
    }
    for path in [
        "/fr/missions?q=zxqwvbnmk",
        "/fr/missions?q=Ngaoundre",
        "/fr/missions?q=bafousam",
    ] {
        let (status, body) = app.page(sn, path).await;
        assert_eq!(status, 200);
        assert!(suggestion(&body).is_none(), "sn {path}");
    }
    // With a filter the close spelling does not satisfy, nothing is offered.
    let (_, filtered) = app
        .page(cm, "/fr/missions?q=r%C3%A9frig%C3%A9rateur&city=kumba")
        .await;
    assert!(filtered.contains("class=\"empty\""), "precondition");
    let (_, body) = app
        .page(cm, "/fr/missions?q=refrigerateru&city=kumba")
        .await;
    assert!(suggestion(&body).is_none());
    // The suggestion keeps the other choices of the search.
    let (_, body) = app
        .page(
            cm,
            "/fr/missions?q=refrigerateru&city=bafoussam&sort=soonest",
        )
        .await;
    let (_, href) = suggestion(&body).expect("a suggestion with its filters");
    assert!(
        href.contains("city=bafoussam") && href.contains("sort=soonest"),
        "{href}"
    );
    app.stop().await.expect("stop");
}

/// On a fresh server, a first search that finds nothing on every site at once builds no more
/// "did you mean" vocabularies at a time than the process allows; the searches that found no
/// slot go without a suggestion, and their site's next one builds its vocabulary.
#[tokio::test]
async fn vocabularies_are_built_a_few_at_a_time_however_many_sites_ask_at_once() {
    let app = TestApp::spawn().await;
    // Every country site with the languages it serves.
    let sites: Vec<(String, Vec<String>)> = app
        .services
        .registry
        .tenants()
        .iter()
        .filter(|t| !t.is_portal())
        .map(|t| {
            let locales = t.locales.iter().map(|l| l.as_str().to_owned()).collect();
            (format!("{}.localhost", t.code), locales)
        })
        .collect();
    assert!(sites.len() >= 4, "{sites:?}");
    // The catalogues first: what is measured is the vocabularies alone.
    for (host, locales) in &sites {
        let path = format!("/{}/missions", locales[0]);
        assert_eq!(app.page(host, &path).await.0, 200, "{host}{path}");
    }
    let builds = app.services.store.vocabulary_builds();
    assert_eq!(
        builds.peak(),
        0,
        "no vocabulary built by a search that found something"
    );
    let mut searches = tokio::task::JoinSet::new();
    for (host, locales) in &sites {
        for locale in locales {
            for word in ["zzqqxw", "qqzzwx"] {
                let (client, addr, host) = (app.client.clone(), app.addr, host.clone());
                let url = format!("http://{addr}/{locale}/missions?q={word}");
                searches.spawn(async move {
                    let response = client
                        .get(&url)
                        .header("Host", &host)
                        .send()
                        .await
                        .expect("search");
                    (url, response.status().as_u16())
                });
            }
        }
    }
    for (url, status) in searches.join_all().await {
        assert_eq!(status, 200, "{url}");
    }
    let peak = builds.peak();
    assert!(
        (1..=builds.limit()).contains(&peak),
        "{peak} vocabularies built at once (limit {})",
        builds.limit()
    );
    // Whether its vocabulary was built in the rush or not, each site's next misspelt search
    // offers its spelling.
    let (_, body) = app
        .page("cm.localhost", "/fr/missions?q=refrigerateru")
        .await;
    let (text, _) = suggestion(&body).expect("a suggestion after the rush");
    assert_eq!(text, "réfrigérateur");
    app.stop().await.expect("stop");
}

/// `text` in a query string (the typed words here are ASCII).
fn urlencoding(text: &str) -> String {
    assert!(text.is_ascii());
    text.replace(' ', "+")
}
