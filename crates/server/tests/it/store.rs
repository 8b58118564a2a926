//! Repositories: every one is scoped to its tenant (tenant B never sees tenant A's rows), and
//! the tenant config sync is idempotent.

use crate::helpers::services;
use chrono::{Duration, Utc};
use jsap_domain::{EmailAddress, Slug};
use jsap_store::AcrossTenants;
use jsap_store::{
    Accounts, Cities, Invitations, MissionFields, MissionPhotos, MissionTerms, MissionText,
    Missions, NewEmail, NewMission, NewMissionPhoto, NewOrganisation, OrganisationProfile,
    Organisations, Outbox, Profile, Profiles, Role, StoreError, sync_tenant,
};

fn mission(organisation_id: i64, city_id: i64, title: &str) -> NewMission {
    let today = Utc::now().date_naive();
    NewMission {
        slug: jsap_domain::slugify(title),
        published: true,
        photos: vec![],
        fields: MissionFields {
            organisation_id,
            city_id,
            featured: false,
            capacity: None,
            contact_name: String::new(),
            skills: vec!["logistique".into()],
            texts: vec![MissionText {
                locale: "fr".into(),
                title: title.into(),
                summary: "Résumé".into(),
                description: "Description".into(),
            }],
            terms: MissionTerms {
                domain: "sante".into(),
                mission_type: "dons-equipements-sante".into(),
                contribution_types: vec!["don-en-nature".into(), "competences".into()],
                remote: false,
                urgent: true,
                flexible: false,
                starts_on: today,
                ends_on: today + Duration::days(30),
            },
        },
    }
}

#[tokio::test]
async fn tenant_b_cannot_read_tenant_a_cities_organisations_or_missions() {
    let (services, _dir) = services().await;
    let conn = services.store.conn();
    let cm = services.registry.get("cm").expect("cm").clone();
    let sn = services.registry.get("sn").expect("sn").clone();

    let douala = Cities::for_tenant(conn, &cm)
        .by_slug("douala")
        .await
        .expect("query")
        .expect("douala");
    assert!(
        Cities::for_tenant(conn, &sn)
            .by_slug("douala")
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        Cities::for_tenant(conn, &sn)
            .by_id(douala.id)
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        Cities::for_tenant(conn, &sn)
            .list()
            .await
            .expect("list")
            .iter()
            .all(|c| c.slug != "douala")
    );

    let org = Organisations::for_tenant(conn, &cm)
        .insert(NewOrganisation {
            slug: "mairie-de-douala".into(),
            verified: true,
            profile: OrganisationProfile {
                city_id: douala.id,
                kind: "mairie".into(),
                name: "Mairie de Douala".into(),
                description: "Ville".into(),
                ..Default::default()
            },
        })
        .await
        .expect("insert organisation");
    assert!(
        Organisations::for_tenant(conn, &sn)
            .list()
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        Organisations::for_tenant(conn, &sn)
            .by_slug("mairie-de-douala")
            .await
            .expect("q")
            .is_none()
    );
    assert_eq!(
        Organisations::for_tenant(conn, &cm)
            .list()
            .await
            .expect("list")
            .len(),
        1
    );

    let inserted = Missions::for_tenant(conn, &cm)
        .insert_all(vec![mission(
            org,
            douala.id,
            "Équiper le centre de santé de Douala",
        )])
        .await
        .expect("insert mission");
    assert_eq!(inserted, 1);
    let today = Utc::now().date_naive();
    let cm_counts = Missions::for_tenant(conn, &cm)
        .open_counts(today)
        .await
        .expect("counts");
    assert_eq!(cm_counts.open, 1);
    assert_eq!(cm_counts.by_city.get(&douala.id), Some(&1));
    let sn_missions = Missions::for_tenant(conn, &sn);
    assert_eq!(
        sn_missions.open_counts(today).await.expect("counts").open,
        0
    );
    assert_eq!(sn_missions.count_all().await.expect("count"), 0);
    assert!(
        sn_missions
            .titles("fr", 10)
            .await
            .expect("titles")
            .is_empty()
    );
    let (mission_id, title) = Missions::for_tenant(conn, &cm)
        .titles("fr", 10)
        .await
        .expect("t")[0]
        .clone();
    assert_eq!(title, "Équiper le centre de santé de Douala");
    assert!(
        sn_missions
            .contributions(mission_id)
            .await
            .expect("c")
            .is_empty()
    );
    let mut contributions = Missions::for_tenant(conn, &cm)
        .contributions(mission_id)
        .await
        .expect("c");
    contributions.sort();
    assert_eq!(contributions, vec!["competences", "don-en-nature"]);
}

#[tokio::test]
async fn a_mission_that_ends_before_it_starts_is_refused_and_nothing_is_written() {
    let (services, _dir) = services().await;
    let cm = services.registry.get("cm").expect("cm").clone();
    let tx = services.store.begin().await.expect("tx");
    let city = Cities::for_tenant(&tx, &cm)
        .by_slug("kribi")
        .await
        .expect("q")
        .expect("kribi");
    let org = Organisations::for_tenant(&tx, &cm)
        .insert(NewOrganisation {
            slug: "o".into(),
            verified: false,
            profile: OrganisationProfile {
                city_id: city.id,
                kind: "ong".into(),
                name: "O".into(),
                description: "D".into(),
                ..Default::default()
            },
        })
        .await
        .expect("org");
    let mut bad = mission(org, city.id, "Mauvaises dates");
    bad.fields.terms.ends_on = bad.fields.terms.starts_on - Duration::days(1);
    let good = mission(org, city.id, "Bonne mission");
    let result = Missions::for_tenant(&tx, &cm)
        .insert_all(vec![good, bad])
        .await;
    assert!(result.is_err());
    drop(tx); // rolled back
    let conn = services.store.conn();
    assert_eq!(
        Missions::for_tenant(conn, &cm)
            .count_all()
            .await
            .expect("count"),
        0
    );
    assert!(
        Organisations::for_tenant(conn, &cm)
            .list()
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn tenant_b_cannot_see_or_use_tenant_a_invitations_or_outbox() {
    let (services, _dir) = services().await;
    let conn = services.store.conn();
    let cm = services.registry.get("cm").expect("cm").clone();
    let sn = services.registry.get("sn").expect("sn").clone();
    let cm_invitations = Invitations::for_tenant(conn, &cm)
        .list_of(Role::FocalPoint)
        .await
        .expect("list");
    assert_eq!(cm_invitations.len(), 14, "one per configured focal point");
    assert!(
        cm_invitations
            .iter()
            .all(|i| i.email.ends_with("@jesuisaucameroun.com"))
    );
    let sn_invitations = Invitations::for_tenant(conn, &sn)
        .list_of(Role::FocalPoint)
        .await
        .expect("list");
    assert!(
        sn_invitations
            .iter()
            .all(|i| i.email.ends_with("@jesuisausenegal.com"))
    );

    // A fresh invitation's token works for its tenant only.
    let email = EmailAddress::parse("nouveau.pf@jesuisaucameroun.com").expect("email");
    let created = Invitations::for_tenant(conn, &cm)
        .invite_focal_point_if_new("douala", "Nouveau point focal", &email)
        .await
        .expect("invite")
        .expect("new");
    assert!(
        Invitations::for_tenant(conn, &cm)
            .find_valid(&created.token)
            .await
            .expect("q")
            .is_some()
    );
    assert!(
        Invitations::for_tenant(conn, &sn)
            .find_valid(&created.token)
            .await
            .expect("q")
            .is_none()
    );
    assert!(
        Invitations::for_tenant(conn, &cm)
            .find_valid("not-a-token")
            .await
            .expect("q")
            .is_none()
    );
    let again = Invitations::for_tenant(conn, &cm)
        .invite_focal_point_if_new("douala", "Nouveau point focal", &email)
        .await
        .expect("invite");
    assert!(again.is_none(), "invited once");
    assert!(
        Invitations::for_tenant(conn, &sn)
            .invite_focal_point_if_new("douala", "x", &email)
            .await
            .is_err(),
        "Senegal has no Douala"
    );

    Outbox::for_tenant(conn, &cm)
        .enqueue(NewEmail {
            kind: "test".into(),
            to: "someone@example.org".into(),
            subject: "Sujet".into(),
            text_body: "Texte".into(),
            html_body: "<p>Texte</p>".into(),
        })
        .await
        .expect("enqueue");
    let cm_outbox = Outbox::for_tenant(conn, &cm).list().await.expect("list");
    assert!(cm_outbox.iter().any(|e| e.kind == "test"));
    assert!(
        cm_outbox
            .iter()
            .all(|e| e.tenant_code == "cm" && e.from_address == "contact@jesuisaucameroun.com")
    );
    let sn_outbox = Outbox::for_tenant(conn, &sn).list().await.expect("list");
    assert!(
        sn_outbox
            .iter()
            .all(|e| e.tenant_code == "sn" && e.kind != "test")
    );
}

#[tokio::test]
async fn config_sync_is_idempotent_and_keeps_cities_added_later() {
    let (services, _dir) = services().await;
    let conn = services.store.conn();
    let cm = services.registry.get("cm").expect("cm").clone();
    let added = Cities::for_tenant(conn, &cm)
        .add(&jsap_store::NewCity {
            slug: Slug::parse("buea").expect("slug"),
            name: "Buea".into(),
            region: "Sud-Ouest".into(),
            latitude: 4.15,
            longitude: 9.24,
            description: String::new(),
        })
        .await
        .expect("add city");
    assert_eq!(added.source, "console");
    let outbox_before = Outbox::for_tenant(conn, &cm)
        .list()
        .await
        .expect("list")
        .len();
    assert_eq!(outbox_before, 14, "one invitation email per focal point");
    assert!(
        Outbox::for_tenant(conn, &cm)
            .list()
            .await
            .expect("list")
            .iter()
            .all(|e| e.kind == "focal_point_invitation")
    );

    services.sync_tenants().await.expect("second sync");
    let report = sync_tenant(conn, &cm).await.expect("third sync");
    assert_eq!(
        (
            report.cities_added,
            report.cities_updated,
            report.new_invitations.len()
        ),
        (0, 0, 0)
    );
    assert!(!report.tenant_created);

    let cities = Cities::for_tenant(conn, &cm).list().await.expect("list");
    assert_eq!(cities.len(), 15, "14 from config + Buea kept");
    assert!(cities.iter().any(|c| c.slug == "buea"));
    assert_eq!(
        Invitations::for_tenant(conn, &cm)
            .list_of(Role::FocalPoint)
            .await
            .expect("list")
            .len(),
        14
    );
    assert_eq!(
        Outbox::for_tenant(conn, &cm)
            .list()
            .await
            .expect("list")
            .len(),
        outbox_before,
        "no email twice"
    );

    // A change in the file updates the city in place.
    let mut changed = (*cm).clone();
    changed.cities[0].region = "Littoral (modifié)".into();
    let report = sync_tenant(conn, &changed).await.expect("sync changed");
    assert_eq!((report.cities_added, report.cities_updated), (0, 1));
    let douala = Cities::for_tenant(conn, &cm)
        .by_slug("douala")
        .await
        .expect("q")
        .expect("douala");
    assert_eq!(douala.region, "Littoral (modifié)");
}

#[tokio::test]
async fn tenant_b_cannot_read_or_write_tenant_a_profiles_stays_or_photos() {
    let (services, _dir) = services().await;
    let conn = services.store.conn();
    let cm = services.registry.get("cm").expect("cm").clone();
    let sn = services.registry.get("sn").expect("sn").clone();
    let douala = Cities::for_tenant(conn, &cm)
        .by_slug("douala")
        .await
        .expect("query")
        .expect("douala");
    let awa = Accounts::for_tenant(conn, &cm)
        .create(
            &EmailAddress::parse("awa@example.org").expect("email"),
            "Awa",
            "hash",
            true,
        )
        .await
        .expect("account");
    let profile = Profile {
        country_of_residence: "FR".into(),
        home_city_id: Some(douala.id),
        skills: vec!["logistique".into()],
        ..Profile::default()
    };
    let mine = Profiles::for_tenant(conn, &cm);
    mine.save(awa.id, &profile).await.expect("save");
    let today = Utc::now().date_naive();
    let stay = mine
        .add_stay(awa.id, today, today + Duration::days(10), &[douala.id])
        .await
        .expect("stay");

    // Reads: tenant B sees the defaults and no stay.
    let theirs = Profiles::for_tenant(conn, &sn);
    assert_eq!(theirs.get(awa.id).await.expect("get"), Profile::default());
    assert!(theirs.stays(awa.id).await.expect("stays").is_empty());
    // Writes: refused, and tenant A's rows are untouched.
    assert!(matches!(
        theirs.save(awa.id, &Profile::default()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        theirs.add_stay(awa.id, today, today, &[]).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        theirs.delete_stay(awa.id, stay).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(theirs.count_stays().await.expect("count"), 0);
    assert_eq!(mine.get(awa.id).await.expect("get"), profile);
    assert_eq!(mine.stays(awa.id).await.expect("stays").len(), 1);

    // Photos: a mission of A with a photo is invisible from B, by mission and by key.
    let organisation = Organisations::for_tenant(conn, &cm)
        .insert(NewOrganisation {
            slug: "asso-photo".into(),
            verified: true,
            profile: OrganisationProfile {
                city_id: douala.id,
                kind: "association".into(),
                name: "Asso photo".into(),
                description: String::new(),
                ..Default::default()
            },
        })
        .await
        .expect("organisation");
    let mut with_photo = mission(organisation, douala.id, "Mission avec photo");
    with_photo.photos = vec![NewMissionPhoto {
        blob_key: "cm/missions/photo-1.jpg".into(),
        content_type: "image/jpeg".into(),
        width: 800,
        height: 600,
        alt: String::new(),
    }];
    Missions::for_tenant(conn, &cm)
        .insert_all(vec![with_photo])
        .await
        .expect("mission");
    let (mission_id, _) = Missions::for_tenant(conn, &cm)
        .titles("fr", 10)
        .await
        .expect("titles")
        .into_iter()
        .find(|(_, title)| title == "Mission avec photo")
        .expect("mission");
    assert_eq!(
        MissionPhotos::for_tenant(conn, &cm)
            .of_mission(mission_id)
            .await
            .expect("photos")
            .len(),
        1
    );
    assert!(
        MissionPhotos::for_tenant(conn, &sn)
            .of_mission(mission_id)
            .await
            .expect("photos")
            .is_empty()
    );
    assert!(
        MissionPhotos::for_tenant(conn, &sn)
            .by_key("cm/missions/photo-1.jpg")
            .await
            .expect("photo")
            .is_none()
    );
}

/// The migration to one invitations table keeps every invitation and its link, and going back
/// down restores the two earlier tables with the same rows.
#[tokio::test]
async fn invitations_survive_the_move_to_one_table_and_back() {
    use jsap_migrations::{Migrator, MigratorTrait};
    use jsap_store::{ConnectionTrait, Grant};
    let (services, _dir) = services().await;
    let conn = services.store.conn();
    let cm = services.registry.get("cm").expect("cm").clone();
    let email = EmailAddress::parse("operateur@example.org").expect("email");
    let (_, operator_token) = Invitations::for_tenant(conn, &cm)
        .reissue(Grant::CountryOperator, "Opérateur", &email)
        .await
        .expect("invite");
    let before = Invitations::for_tenant(conn, &cm)
        .list()
        .await
        .expect("list");
    assert_eq!(before.len(), 15, "14 focal points and one operator");

    let count = |table: &'static str| async move {
        let row = conn
            .across_tenants()
            .query_one_raw(jsap_store::Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table} WHERE tenant_id = 'cm'"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    };
    // Back to m0007 (the invitations move is m0008; later migrations go down first).
    let after_m0007 = u32::try_from(Migrator::migrations().len()).expect("count") - 7;
    Migrator::down(conn, Some(after_m0007)).await.expect("down");
    assert_eq!(count("focal_point_invitations").await, 14);
    assert_eq!(count("operator_invitations").await, 1);
    Migrator::up(conn, None).await.expect("up");

    let after = Invitations::for_tenant(conn, &cm)
        .list()
        .await
        .expect("list");
    let strip = |list: &[jsap_store::InvitationRecord]| {
        let mut v: Vec<_> = list
            .iter()
            .map(|i| (i.grant, i.email.clone(), i.name.clone(), i.expires_at))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    };
    assert_eq!(strip(&after), strip(&before));
    let found = Invitations::for_tenant(conn, &cm)
        .find_valid(&operator_token)
        .await
        .expect("find")
        .expect("the emailed link still works");
    assert_eq!(found.grant, Grant::CountryOperator);
}
