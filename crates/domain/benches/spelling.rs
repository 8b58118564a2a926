//! "Did you mean" on a large site: the vocabulary of 2,000 missions of about 80 words each
//! (built once per catalogue version, at the first search that finds nothing) and one
//! suggestion for a two-word search with a typo.

use criterion::{Criterion, criterion_group, criterion_main};
use jsap_domain::spelling::Vocabulary;
use jsap_domain::{Locale, Taxonomy};
use std::hint::black_box;

/// Deterministic mission texts made of the taxonomy's labels and common mission words.
fn texts(missions: usize) -> Vec<String> {
    let taxonomy = Taxonomy::builtin();
    let mut words: Vec<String> = taxonomy
        .domains
        .iter()
        .map(|d| d.labels.get(Locale::Fr).to_owned())
        .chain(
            taxonomy
                .mission_types
                .iter()
                .map(|t| t.labels.get(Locale::Fr).to_owned()),
        )
        .collect();
    words.extend(
        "former infirmières école bibliothèque quartier reboisement collines soutien scolaire \
         mathématiques réfrigérateur solaire centre santé vaccins familles inondations secourisme \
         logistique entrepreneur incubateur marché éclairage jeunes diplômés stages emplois \
         association gestion financière festival cultures propreté caniveaux naissances \
         état civil aéroport voyageurs drainage eaux pluviales foncier juridique commerçantes"
            .split_whitespace()
            .map(str::to_owned),
    );
    let mut seed: u64 = 42;
    (0..missions)
        .map(|_| {
            (0..80)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    words[(seed >> 33) as usize % words.len()].as_str()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = texts(2_000);
    c.bench_function("vocabulary of 2,000 missions", |b| {
        b.iter(|| Vocabulary::build(black_box(&texts).iter().map(String::as_str), Locale::Fr))
    });
    let vocabulary = Vocabulary::build(texts.iter().map(String::as_str), Locale::Fr);
    assert_eq!(
        vocabulary.suggest("refrigerateru douala").as_deref(),
        Some("réfrigérateur douala")
    );
    c.bench_function("suggest for a two-word search", |b| {
        b.iter(|| vocabulary.suggest(black_box("refrigerateru douala")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
