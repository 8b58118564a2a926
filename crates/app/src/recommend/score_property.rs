//! Many generated members over a generated catalogue: no result ever breaks a hard
//! constraint, and the top five are mostly what the member asked for when it exists.

use super::*;

/// A small deterministic generator (xorshift64*): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("small")
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn day(&mut self, from: NaiveDate, span: usize) -> NaiveDate {
        from + chrono::Duration::days(i64::try_from(self.below(span)).expect("small"))
    }
}

const CITIES: &[&str] = &["douala", "yaounde", "kribi", "bafoussam", "garoua", "limbe"];
const DOMAINS: &[&str] = &[
    "sante",
    "education-enfance",
    "entrepreneuriat",
    "environnement-proprete",
    "culture-patrimoine",
    "innovation-numerique",
    "tourisme",
    "lutte-pauvrete",
];
const CONTRIBUTIONS: &[&str] = &[
    "benevolat",
    "competences",
    "don-financier",
    "don-en-nature",
    "investissement",
    "reseaux-influence",
];
const SKILLS: &[&str] = &[
    "comptabilité",
    "infirmière",
    "développement web",
    "enseignement",
    "logistique",
    "marketing",
    "plomberie",
];

fn catalogue(rng: &mut Rng, n: i64, today: NaiveDate) -> Vec<Candidate> {
    (1..=n)
        .map(|id| {
            let starts_on = rng.day(today - chrono::Duration::days(120), 420);
            let ends_on = rng.day(starts_on, 90);
            Candidate {
                id,
                slug: format!("m-{id}"),
                city: rng.pick(CITIES).to_owned(),
                languages: if rng.chance(30) {
                    vec![Locale::Fr, Locale::En]
                } else {
                    vec![Locale::Fr]
                },
                published_on: Some(rng.day(today - chrono::Duration::days(200), 200)),
                terms: MissionTerms {
                    domain: rng.pick(DOMAINS).to_owned(),
                    mission_type: "t".to_owned(),
                    contribution_types: (0..1 + rng.below(2))
                        .map(|_| rng.pick(CONTRIBUTIONS).to_owned())
                        .collect(),
                    remote: rng.chance(20),
                    urgent: rng.chance(10),
                    flexible: rng.chance(10),
                    starts_on,
                    ends_on,
                },
                skills: (0..rng.below(3))
                    .map(|_| rng.pick(SKILLS).to_owned())
                    .collect(),
            }
        })
        .collect()
}

fn generated_member(rng: &mut Rng, today: NaiveDate) -> Member {
    let stays = (0..rng.below(3))
        .map(|_| {
            let from = rng.day(today - chrono::Duration::days(60), 300);
            MemberStay {
                from,
                to: rng.day(from, 30),
                cities: (0..1 + rng.below(2))
                    .map(|_| rng.pick(CITIES).to_owned())
                    .collect(),
            }
        })
        .collect();
    Member {
        residence_country: "FR".to_owned(),
        home_city: rng.chance(50).then(|| rng.pick(CITIES).to_owned()),
        skills: (0..rng.below(3))
            .map(|_| rng.pick(SKILLS).to_owned())
            .collect(),
        languages: vec!["fr".to_owned()],
        interests_domains: (0..rng.below(3))
            .map(|_| rng.pick(DOMAINS).to_owned())
            .collect(),
        contribution_types: (0..rng.below(3))
            .map(|_| rng.pick(CONTRIBUTIONS).to_owned())
            .collect(),
        stays,
        remote_ok: rng.chance(50),
        leave_out: Vec::new(),
    }
}

/// The hard constraints, written again independently of `eligibility`.
fn allowed(m: &Member, c: &Candidate, today: NaiveDate) -> bool {
    if c.terms.ends_on < today {
        return false;
    }
    let during_a_stay = m.stays.iter().any(|s| {
        let dates = c.terms.flexible || !(c.terms.ends_on < s.from || c.terms.starts_on > s.to);
        s.to >= today && dates && s.cities.contains(&c.city)
    });
    during_a_stay || (c.terms.remote && m.remote_ok)
}

fn wanted(m: &Member, c: &Candidate) -> bool {
    m.interests_domains.contains(&c.terms.domain)
        || c.terms
            .contribution_types
            .iter()
            .any(|t| m.contribution_types.contains(t))
}

#[test]
fn no_result_breaks_a_constraint_and_the_top_five_are_what_members_asked_for() {
    let today = d("2027-07-01");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let missions = catalogue(&mut rng, 2_500, today);
    let (mut profiles, mut results, mut violations) = (0, 0, 0);
    // Top-five slots that a wanted mission could fill, and those it does.
    let (mut fillable, mut filled) = (0, 0);
    for _ in 0..1_000 {
        let m = generated_member(&mut rng, today);
        let ranked = rank(&m, &missions, today, 10);
        profiles += 1;
        results += ranked.len();
        violations += ranked
            .iter()
            .filter(|r| !allowed(&m, &missions[r.index], today))
            .count();
        let available = missions
            .iter()
            .filter(|c| allowed(&m, c, today) && wanted(&m, c))
            .count();
        let slots = available.min(5).min(ranked.len());
        fillable += slots;
        filled += ranked
            .iter()
            .take(slots)
            .filter(|r| wanted(&m, &missions[r.index]))
            .count();
        // Nothing allowed is missing when the list is not full.
        if ranked.len() < 10 {
            let allowed_count = missions.iter().filter(|c| allowed(&m, c, today)).count();
            assert_eq!(ranked.len(), allowed_count, "{m:?}");
        }
    }
    let share = f64::from(u32::try_from(filled).expect("small"))
        / f64::from(u32::try_from(fillable.max(1)).expect("small"));
    eprintln!(
        "{profiles} profiles, {results} results, {violations} violations, \
         {filled}/{fillable} top-five slots wanted ({:.1} %)",
        share * 100.0
    );
    assert_eq!(violations, 0);
    assert!(
        fillable > 1_000,
        "the cases exercise the ranking: {fillable}"
    );
    assert!(share >= 0.8, "{:.3}", share);
}
