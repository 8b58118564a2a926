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
