//! The city a text is about, among the tenant's cities: names with or without accents and in
//! any case, other spellings, small misspellings (edit distance with a length guard) and the
//! neighbourhoods of the main cities (`data/places.json`), which stand for their city.

use crate::City;
use crate::normalize::fold_text;
use jsap_domain::search::fold;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct PlaceData {
    ambiguous: Vec<String>,
    deny: Vec<String>,
    tenants: HashMap<String, HashMap<String, CityPlaces>>,
}

#[derive(Debug, Deserialize)]
struct CityPlaces {
    aliases: Vec<String>,
    neighbourhoods: Vec<String>,
}

fn data() -> &'static PlaceData {
    static DATA: OnceLock<PlaceData> = OnceLock::new();
    DATA.get_or_init(|| {
        #[allow(clippy::expect_used)]
        serde_json::from_str(include_str!("../data/places.json"))
            .expect("the embedded places are valid (checked by a unit test)")
    })
}

/// Every word of the known place names (city slugs, other spellings, neighbourhoods), folded,
/// except those that are also common words: the classifier ignores them, since where a need
/// is says nothing about what it is.
pub fn place_words() -> Vec<String> {
    let d = data();
    let mut out = Vec::new();
    for cities in d.tenants.values() {
        for (slug, places) in cities {
            let names = std::iter::once(slug)
                .chain(&places.aliases)
                .chain(&places.neighbourhoods);
            for name in names {
                for w in fold_text(name).split(|c: char| !c.is_alphanumeric()) {
                    if w.chars().count() >= 3 && !d.ambiguous.iter().any(|a| a == w) {
                        out.push(w.to_string());
                    }
                }
            }
        }
    }
    out
}

/// One word of the text: its lowercase folded form and whether it was written capitalised.
struct Word {
    lower: String,
    capitalised: bool,
}

fn text_words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let push = |current: &mut String, out: &mut Vec<Word>| {
        if !current.is_empty() {
            let capitalised = current.chars().next().is_some_and(char::is_uppercase);
            out.push(Word {
                lower: fold_text(current),
                capitalised,
            });
            current.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.push(c);
        } else {
            push(&mut current, &mut out);
        }
    }
    push(&mut current, &mut out);
    out
}

fn pattern_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).map(fold).collect())
        .map(|w: String| fold_text(&w))
        .collect()
}

struct Pattern {
    words: Vec<String>,
    slug: String,
    /// Also a common word: only counts when written with a capital letter.
    ambiguous: bool,
}

fn patterns(tenant: &str, cities: &[City]) -> Vec<Pattern> {
    let data = data();
    let places = data.tenants.get(tenant);
    let mut out = Vec::new();
    for city in cities {
        let mut names: Vec<&str> = vec![&city.name, &city.slug];
        if let Some(ar) = &city.name_ar {
            names.push(ar);
        }
        if let Some(extra) = places.and_then(|p| p.get(&city.slug)) {
            names.extend(extra.aliases.iter().map(String::as_str));
            names.extend(extra.neighbourhoods.iter().map(String::as_str));
        }
        for name in names {
            let words = pattern_words(name);
            if words.is_empty() {
                continue;
            }
            let ambiguous = words.len() == 1 && data.ambiguous.iter().any(|a| *a == words[0]);
            out.push(Pattern {
                words,
                slug: city.slug.clone(),
                ambiguous,
            });
        }
    }
    // Longer names first: "Hammam Sousse" before "Sousse" at the same position.
    out.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
    out
}

/// Words before a place name that say the mission happens there.
const LOCATIVE: &[&str] = &[
    "a",
    "in",
    "at",
    "near",
    "pres",
    "quartier",
    "ville",
    "mairie",
    "commune",
    "council",
    "town",
    "city",
    "municipalite",
    "district",
];

/// Edit distance counting a swap of two neighbouring letters as one edit (optimal string
/// alignment), or `max + 1` when it is certainly above `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[a.len() * width + b.len()].min(max + 1)
}

/// How many typos a name of this length may carry: none under 5 letters, one up to 7, two from 8.
fn allowed_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Arabic attaches its prepositions and "and" to the next word: "بصفاقس" is "in Sfax",
/// "وتونس" "and Tunis".
fn arabic_clitic(word: &str, name: &str) -> bool {
    let is_arabic = name
        .chars()
        .next()
        .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    is_arabic
        && ["ب", "ل", "و", "ف", "ك", "وب", "ول", "فب", "وال"]
            .iter()
            .any(|p| word.strip_prefix(p) == Some(name))
}

/// The slug of the city `text` is about, among `cities` (the first one named; an exact name
/// or neighbourhood wins over a misspelt one), or `None` when it names none of them.
pub fn find_city(text: &str, tenant: &str, cities: &[City]) -> Option<String> {
    let words = text_words(text);
    let patterns = patterns(tenant, cities);
    let deny = &data().deny;
    // Exact matches (sequences of words). The city named most, a name after "à", "in",
    // "mairie de"… counting double, wins; then the first named.
    let mut found: Vec<(String, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let hit = patterns.iter().find(|p| {
            let n = p.words.len();
            i + n <= words.len()
                && words[i..i + n]
                    .iter()
                    .zip(&p.words)
                    .enumerate()
                    .all(|(j, (w, pw))| w.lower == *pw || (j == 0 && arabic_clitic(&w.lower, pw)))
                && (!p.ambiguous || words[i].capitalised)
        });
        match hit {
            Some(p) => {
                let locative = i > 0 && LOCATIVE.contains(&words[i - 1].lower.as_str());
                let points = 1 + usize::from(locative);
                match found.iter_mut().find(|(slug, _, _)| *slug == p.slug) {
                    Some(entry) => entry.1 += points,
                    None => found.push((p.slug.clone(), points, i)),
                }
                i += p.words.len();
            }
            None => i += 1,
        }
    }
    if let Some((slug, _, _)) = found
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
    {
        return Some(slug);
    }
    // Misspellings: single words only, same first letter, a length guard.
    for w in &words {
        if w.lower.chars().count() < 5 || deny.contains(&w.lower) {
            continue;
        }
        for p in patterns
            .iter()
            .filter(|p| p.words.len() == 1 && !p.ambiguous)
        {
            let name = &p.words[0];
            let len = name.chars().count();
            let max = allowed_typos(len.min(w.lower.chars().count()));
            if max == 0 || name.chars().next() != w.lower.chars().next() {
                continue;
            }
            if edit_distance(&w.lower, name, max) <= max {
                return Some(p.slug.clone());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm() -> Vec<City> {
        [
            ("douala", "Douala"),
            ("yaounde", "Yaoundé"),
            ("ngaoundere", "Ngaoundéré"),
            ("bafoussam", "Bafoussam"),
            ("edea", "Edéa"),
            ("limbe", "Limbé"),
        ]
        .iter()
        .map(|(s, n)| City::new(s, n))
        .collect()
    }

    #[test]
    fn embedded_places_parse_and_name_real_cities() {
        let d = data();
        assert!(d.tenants.contains_key("cm") && d.tenants.contains_key("tn"));
    }

    #[test]
    fn matches_names_with_or_without_accents_and_case() {
        assert_eq!(
            find_city("Mission à YAOUNDE", "cm", &cm()).as_deref(),
            Some("yaounde")
        );
        assert_eq!(
            find_city("à yaoundé demain", "cm", &cm()).as_deref(),
            Some("yaounde")
        );
        assert_eq!(
            find_city("Ngaoundere", "cm", &cm()).as_deref(),
            Some("ngaoundere")
        );
        assert_eq!(find_city("à Edea", "cm", &cm()).as_deref(), Some("edea"));
    }

    #[test]
    fn tolerates_small_misspellings_of_long_names() {
        assert_eq!(
            find_city("à Bafousam", "cm", &cm()).as_deref(),
            Some("bafoussam")
        );
        assert_eq!(
            find_city("à Ngaoundré", "cm", &cm()).as_deref(),
            Some("ngaoundere")
        );
        assert_eq!(
            find_city("à Doulaa", "cm", &cm()).as_deref(),
            Some("douala")
        );
    }

    #[test]
    fn neighbourhoods_stand_for_their_city() {
        assert_eq!(
            find_city("quartier Bépanda", "cm", &cm()).as_deref(),
            Some("douala")
        );
        assert_eq!(
            find_city("à Biyem-Assi", "cm", &cm()).as_deref(),
            Some("yaounde")
        );
        assert_eq!(
            find_city("à New Bell", "cm", &cm()).as_deref(),
            Some("douala")
        );
        let ci = vec![
            City::new("abidjan", "Abidjan"),
            City::new("bouake", "Bouaké"),
        ];
        assert_eq!(
            find_city("à Yopougon", "ci", &ci).as_deref(),
            Some("abidjan")
        );
        assert_eq!(
            find_city("au Plateau", "ci", &ci).as_deref(),
            Some("abidjan")
        );
    }

    #[test]
    fn no_false_positive_on_common_words() {
        let ma = vec![City::new("sale", "Salé"), City::new("fes", "Fès")];
        assert_eq!(
            find_city("la rue est sale, il faut nettoyer", "ma", &ma),
            None
        );
        let ci = vec![City::new("abidjan", "Abidjan")];
        assert_eq!(find_city("un plateau de fruits", "ci", &ci), None);
        assert_eq!(find_city("des bancs pour les classes", "cm", &cm()), None);
        assert_eq!(find_city("des douaniers et des doulas", "cm", &cm()), None);
        let sn = vec![City::new("touba", "Touba"), City::new("dakar", "Dakar")];
        assert_eq!(find_city("le toubab est venu", "sn", &sn), None);
        let tn = vec![City::new("tunis", "Tunis")];
        assert_eq!(find_city("les Tunisiens de Tunisie", "tn", &tn), None);
    }

    #[test]
    fn arabic_prepositions_attached_to_a_name_still_match() {
        let tn = [City {
            slug: "sfax".into(),
            name: "Sfax".into(),
            name_ar: Some("صفاقس".into()),
        }];
        assert_eq!(
            find_city("تمويل ملعب حي بصفاقس", "tn", &tn).as_deref(),
            Some("sfax")
        );
    }

    #[test]
    fn the_first_city_named_wins_and_arabic_names_match() {
        assert_eq!(
            find_city("Douala, Yaoundé, Edéa", "cm", &cm()).as_deref(),
            Some("douala")
        );
        assert_eq!(
            find_city(
                "Originaires de Douala, nous lançons un projet à Yaoundé",
                "cm",
                &cm()
            )
            .as_deref(),
            Some("yaounde")
        );
        let ma = vec![City {
            slug: "casablanca".into(),
            name: "Casablanca".into(),
            name_ar: Some("الدار البيضاء".into()),
        }];
        assert_eq!(
            find_city("مساعدة في الدار البيضاء", "ma", &ma).as_deref(),
            Some("casablanca")
        );
    }
}
