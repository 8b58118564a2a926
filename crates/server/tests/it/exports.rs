//! The operator's exports over HTTP: each list as CSV and XLSX, every row of this tenant only
//! (read in batches: more rows than one batch), personal data where the operator may see it,
//! each download in the journal; other files are 404, other roles 403.

use crate::requests::{city_id, douala_association, mission, organisation};
use crate::roles::{CM, SN, account, signed_in, tenant};
use chrono::Duration;
use jsap_store::{MissionFields, MissionTerms, MissionText, Missions, NewMission, Role};

#[tokio::test]
async fn an_operator_downloads_every_list_of_their_site_and_nothing_of_another() {
    let (app, douala, org) = douala_association().await;
    let cm = tenant(&app, "cm");
    let today = cm.today();
    let window = (today + Duration::days(5), today + Duration::days(50));
    mission(
        &app,
        "cm",
        org,
        douala,
        "Mentorat, « lecture » et =calcul",
        window,
    )
    .await;
    // More missions than one batch (500).
    let many: Vec<NewMission> = (0..1200)
        .map(|i| NewMission {
            slug: format!("mission-{i}"),
            published: true,
            photos: vec![],
            fields: MissionFields {
                organisation_id: org,
                city_id: douala,
                featured: false,
                capacity: None,
                contact_name: String::new(),
                skills: vec![],
                texts: vec![MissionText {
                    locale: "fr".into(),
                    title: format!("Mission numéro {i}"),
                    summary: "Résumé".into(),
                    description: "Description".into(),
                }],
                terms: MissionTerms {
                    domain: "education-enfance".into(),
                    mission_type: "soutien-scolaire-ateliers".into(),
                    contribution_types: vec!["benevolat".into()],
                    remote: false,
                    urgent: false,
                    flexible: false,
                    starts_on: window.0,
                    ends_on: window.1,
                },
            },
        })
        .collect();
    Missions::for_tenant(app.services.store.conn(), &cm)
        .insert_all(many)
        .await
        .expect("missions");
    let dakar = city_id(&app, "sn", "dakar").await;
    let sn_org = organisation(&app, "sn", dakar, "asso-dakar").await;
    mission(&app, "sn", sn_org, dakar, "Mission à Dakar", window).await;
    account(
        &app,
        "cm",
        "operateur@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    account(
        &app,
        "sn",
        "operateur-sn@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    account(&app, "cm", "membre@example.org", &[]).await;
    let mut operator = signed_in(&app, CM, "operateur@example.org").await;

    let console = operator.get("/fr/espace/pays").await;
    assert!(
        console
            .body
            .contains("href=\"/fr/espace/pays/export/missions.xlsx\"")
    );

    let csv = operator.get("/fr/espace/pays/export/missions.csv").await;
    assert_eq!(csv.status, 200);
    let header = |name: &str| {
        csv.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"missions-cm-"),
        "{disposition}"
    );
    assert!(
        csv.body
            .starts_with("\u{feff}Identifiant,Titre,Statut,Organisation,Ville")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 1200, "a header and every mission");
    assert!(csv.body.contains("\"Mentorat, « lecture » et =calcul\""));
    assert!(csv.body.contains("Mission numéro 1199"));
    assert!(csv.body.contains("Association entraide-douala"));
    assert!(!csv.body.contains("Dakar"), "another tenant's mission");

    let members = operator.get("/fr/espace/pays/export/members.csv").await;
    assert_eq!(members.status, 200);
    assert!(members.body.contains("membre@example.org"));
    assert!(members.body.contains("country_operator"));
    assert!(!members.body.contains("operateur-sn@example.org"));

    let xlsx = operator
        .get_bytes("/fr/espace/pays/export/organisations.xlsx")
        .await;
    assert_eq!(xlsx.0, 200);
    let bytes = xlsx.1;
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_eq!(&bytes[bytes.len() - 22..bytes.len() - 18], b"PK\x05\x06");
    assert!(bytes.windows(24).any(|w| w == b"xl/worksheets/sheet1.xml"));

    for missing in ["missions.pdf", "users.csv", "missions"] {
        let page = operator
            .get(&format!("/fr/espace/pays/export/{missing}"))
            .await;
        assert_eq!(page.status, 404, "{missing}");
    }
    let journal = operator.get("/fr/espace/pays/journal?q=export").await;
    assert!(journal.body.contains("Export téléchargé"));
    assert!(journal.body.contains("missions.csv"));
    assert!(journal.body.contains("organisations.xlsx"));

    // The journal exports too: every download so far, newest last.
    let journal = operator.get("/fr/espace/pays/export/journal.csv").await;
    assert_eq!(journal.status, 200);
    assert!(
        journal
            .body
            .starts_with("\u{feff}Identifiant,Date (UTC),Auteur,Action")
    );
    assert!(journal.body.contains("export_downloaded"));
    assert!(journal.body.contains("organisations.xlsx"));
    assert!(journal.body.contains("operateur@example.org"));

    // Senegal's operator gets Senegal's rows only, and not Cameroon's journal.
    let mut sn_operator = signed_in(&app, SN, "operateur-sn@example.org").await;
    let sn_csv = sn_operator.get("/fr/espace/pays/export/missions.csv").await;
    assert_eq!(sn_csv.body.lines().count(), 2);
    assert!(sn_csv.body.contains("Mission à Dakar"));
    assert!(!sn_csv.body.contains("Mentorat"));
    let sn_requests = sn_operator.get("/fr/espace/pays/export/members.csv").await;
    assert!(!sn_requests.body.contains("membre@example.org"));
    let sn_journal = sn_operator.get("/fr/espace/pays/journal").await;
    assert!(!sn_journal.body.contains("organisations.xlsx"));
    let sn_journal = sn_operator.get("/fr/espace/pays/export/journal.csv").await;
    assert!(!sn_journal.body.contains("organisations.xlsx"));
    assert!(
        sn_journal.body.contains("journal.csv"),
        "its own download, recorded first"
    );

    // A member is refused.
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    assert_eq!(
        member
            .get("/fr/espace/pays/export/members.csv")
            .await
            .status,
        403
    );
}
