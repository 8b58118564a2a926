//! One draft and one triage, offline. Target: a draft under 20 ms.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use jsap_assistant::{City, DraftInput, Message, TriageInput, draft, triage};
use jsap_domain::Locale;
use std::hint::black_box;

const NEED: &str = "Bonjour à tous, la mairie de Douala 3e organise une campagne de consultations \
gratuites du 2 au 9 août 2027 au centre de santé de Logbaba. Nous cherchons des médecins, \
infirmières et sages-femmes de la diaspora pour renforcer l'équipe sur place. Budget 2M FCFA.";
const REQUEST: &str = "slt, jsuis à Yaoundé le mois prochain, je peux venir pr le nettoyage du quartier? c koi le programme";

fn bench(c: &mut Criterion) {
    let cities: Vec<City> = [
        ("douala", "Douala"),
        ("yaounde", "Yaoundé"),
        ("garoua", "Garoua"),
        ("bamenda", "Bamenda"),
        ("maroua", "Maroua"),
        ("bafoussam", "Bafoussam"),
        ("ngaoundere", "Ngaoundéré"),
        ("bertoua", "Bertoua"),
        ("edea", "Edéa"),
        ("kumba", "Kumba"),
        ("nkongsamba", "Nkongsamba"),
        ("limbe", "Limbé"),
        ("ebolowa", "Ebolowa"),
        ("kribi", "Kribi"),
    ]
    .iter()
    .map(|(s, n)| City::new(s, n))
    .collect();
    let today = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap_or_default();
    // Train the model outside the measure.
    let _ = draft::draft(&DraftInput {
        message: Message {
            text: NEED,
            tenant: "cm",
            cities: &cities,
            today,
        },
        locale: Locale::Fr,
    });
    c.bench_function("draft", |b| {
        b.iter(|| {
            draft::draft(black_box(&DraftInput {
                message: Message {
                    text: NEED,
                    tenant: "cm",
                    cities: &cities,
                    today,
                },
                locale: Locale::Fr,
            }))
        })
    });
    c.bench_function("train (once, at first use)", |b| {
        b.iter(jsap_assistant::classify::Model::train)
    });
    c.bench_function("triage", |b| {
        b.iter(|| {
            triage::triage(black_box(&TriageInput {
                text: REQUEST,
                tenant: "cm",
                cities: &cities,
                today,
            }))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
