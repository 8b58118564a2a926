//! Text analysis for full-text search, the same at index and query time on every database:
//! lowercase, accents and ligatures folded (œ → oe), Arabic letter variants and diacritics
//! normalised, split into words, stop words dropped, French feminine forms brought to the
//! masculine ("infirmière" → "infirmier"), stemmed for the text's language (Snowball).
//! "École", "ecoles" and "écoles" all become `ecol`.
//!
//! The index holds analysed terms. It lives in memory and is built at each catalogue load
//! (`store::catalogue::text`), so a change here takes effect at the next start.

use crate::Locale;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

const FR_STOP: &[&str] = &[
    "a", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux",
    "il", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon",
    "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se",
    "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre",
    "vous", "c", "d", "j", "l", "m", "n", "s", "t", "y", "est", "sont",
];
const EN_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "that", "the", "their", "this", "to", "with", "your", "you", "our", "we",
];

fn stemmer(locale: Locale) -> &'static Stemmer {
    static FR: OnceLock<Stemmer> = OnceLock::new();
    static EN: OnceLock<Stemmer> = OnceLock::new();
    static AR: OnceLock<Stemmer> = OnceLock::new();
    match locale {
        Locale::Fr => FR.get_or_init(|| Stemmer::create(Algorithm::French)),
        Locale::En => EN.get_or_init(|| Stemmer::create(Algorithm::English)),
        Locale::Ar => AR.get_or_init(|| Stemmer::create(Algorithm::Arabic)),
    }
}

/// Folds Latin accents to ASCII; other scripts are kept as they are (ligatures: `fold_into`).
pub fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ÿ' | 'Ÿ' => 'y',
        other => other,
    }
}

/// Appends `c` to `word`, folded: Latin accents dropped, ligatures spelt out (œ → oe, æ → ae),
/// Arabic diacritics and the tatweel dropped, Arabic letter variants brought to one form
/// (أ إ آ ٱ → ا, ة → ه, ى → ي, ؤ → و, ئ → ي).
fn fold_into(c: char, word: &mut String) {
    match c {
        'œ' | 'Œ' => word.push_str("oe"),
        'æ' | 'Æ' => word.push_str("ae"),
        // Harakat, tanwin, shadda, sukun, superscript alef; tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => {}
        'أ' | 'إ' | 'آ' | 'ٱ' => word.push('ا'),
        'ة' => word.push('ه'),
        'ى' | 'ئ' => word.push('ي'),
        'ؤ' => word.push('و'),
        other => word.push(fold(other)),
    }
}

/// French feminine (and feminine plural) endings and their masculine, on folded words, longest
/// first: "infirmieres" → "infirmier", "directrice" → "directeur", "citoyenne" → "citoyen".
const FR_FEMININE: &[(&str, &str)] = &[
    ("drices", "deur"),
    ("drice", "deur"),
    ("trices", "teur"),
    ("trice", "teur"),
    ("ieres", "ier"),
    ("iere", "ier"),
    ("euses", "eur"),
    ("euse", "eur"),
    ("iennes", "ien"),
    ("ienne", "ien"),
    ("ives", "if"),
    ("ive", "if"),
];

/// The masculine of a folded French word, when it has a feminine ending and a stem of at
/// least three letters left ("riviere" stays a "rivier" for both forms, which is enough:
/// the same rule applies at index and query time).
fn masculine(word: &str) -> Option<String> {
    FR_FEMININE.iter().find_map(|(feminine, masculine)| {
        let stem = word.strip_suffix(feminine)?;
        (stem.chars().count() >= 3).then(|| format!("{stem}{masculine}"))
    })
}

/// The search terms of `text` in `locale`.
pub fn analyze(text: &str, locale: Locale) -> Vec<String> {
    let mut terms = Vec::new();
    for_each_word(text, |word| {
        if let Some(term) = term(word, locale) {
            terms.push(term);
        }
    });
    terms
}

/// Calls `f` with each word of `text`, folded (`fold_into`), in order.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    for c in text.chars() {
        // ASCII first, the bulk of French and English texts (folding leaves it unchanged).
        let letter = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric() || is_arabic_mark(c)
        };
        if !letter {
            if !word.is_empty() {
                f(&word);
                word.clear();
            }
        } else if c.is_ascii() {
            word.push(c.to_ascii_lowercase());
        } else {
            for lower in c.to_lowercase() {
                fold_into(lower, &mut word);
            }
        }
    }
    if !word.is_empty() {
        f(&word);
    }
}

/// The term of a folded word: none for a stop word, else its masculine (French) stemmed.
fn term(word: &str, locale: Locale) -> Option<String> {
    let stop: &[&str] = match locale {
        Locale::Fr => FR_STOP,
        Locale::En => EN_STOP,
        Locale::Ar => &[],
    };
    if word.is_empty() || stop.contains(&word) {
        return None;
    }
    let masculine = match locale {
        Locale::Fr => masculine(word),
        _ => None,
    };
    let stemmed = stemmer(locale)
        .stem(masculine.as_deref().unwrap_or(word))
        .into_owned();
    (!stemmed.is_empty()).then_some(stemmed)
}

/// Analyses many texts of one language as [`analyze`] does, each distinct word once (texts
/// repeat their words: stemming them again was most of the cost of indexing a site).
#[derive(Debug)]
pub struct Analyzer {
    locale: Locale,
    terms: foldhash::HashMap<String, Option<String>>,
}

impl Analyzer {
    pub fn new(locale: Locale) -> Self {
        Self {
            locale,
            terms: foldhash::HashMap::default(),
        }
    }

    /// The terms of `text` (`analyze(text, locale)`), space-separated.
    pub fn body(&mut self, text: &str) -> String {
        let (locale, terms) = (self.locale, &mut self.terms);
        let mut body = String::with_capacity(text.len());
        for_each_word(text, |word| {
            let found = match terms.get(word) {
                Some(found) => found,
                None => terms
                    .entry(word.to_owned())
                    .or_insert_with(|| term(word, locale)),
            };
            if let Some(t) = found {
                if !body.is_empty() {
                    body.push(' ');
                }
                body.push_str(t);
            }
        });
        body
    }
}

/// Words people search with, and the domain they mean: such a word also finds the missions of
/// its domain (their index holds the domain's name). (locale, domain slug, words).
const SYNONYMS: &[(Locale, &str, &[&str])] = &[
    (
        Locale::Fr,
        "sante",
        &[
            "médecin",
            "docteur",
            "infirmier",
            "hôpital",
            "clinique",
            "soins",
            "vaccin",
            "pharmacie",
            "dispensaire",
            "maladie",
            "médical",
        ],
    ),
    (
        Locale::Fr,
        "education-enfance",
        &[
            "école",
            "enseignant",
            "professeur",
            "instituteur",
            "élève",
            "scolaire",
            "bibliothèque",
            "lecture",
            "enfant",
        ],
    ),
    (
        Locale::Fr,
        "entrepreneuriat",
        &[
            "startup",
            "pme",
            "commerce",
            "business",
            "entrepreneur",
            "mentorat",
            "coaching",
            "parrainage",
        ],
    ),
    (
        Locale::Fr,
        "environnement-proprete",
        &[
            "déchets",
            "recyclage",
            "climat",
            "arbres",
            "reboisement",
            "plastique",
        ],
    ),
    (
        Locale::Fr,
        "innovation-numerique",
        &[
            "informatique",
            "digital",
            "internet",
            "codage",
            "développeur",
            "ordinateur",
        ],
    ),
    (
        Locale::Fr,
        "emploi-formation",
        &[
            "stage",
            "apprentissage",
            "métier",
            "insertion",
            "recrutement",
        ],
    ),
    (
        Locale::Fr,
        "urgences-humanitaires",
        &["inondation", "catastrophe", "réfugiés", "secours", "crise"],
    ),
    (
        Locale::En,
        "sante",
        &[
            "doctor", "nurse", "hospital", "clinic", "medical", "vaccine", "pharmacy",
        ],
    ),
    (
        Locale::En,
        "education-enfance",
        &["school", "teacher", "pupil", "library", "reading", "child"],
    ),
    (
        Locale::En,
        "environnement-proprete",
        &["waste", "recycling", "climate", "trees", "plastic"],
    ),
    (
        Locale::En,
        "innovation-numerique",
        &["computer", "coding", "software", "developer", "internet"],
    ),
    (
        Locale::Ar,
        "sante",
        &["طبيب", "مستشفى", "ممرض", "عيادة", "دواء", "لقاح"],
    ),
    (
        Locale::Ar,
        "education-enfance",
        &["مدرسة", "معلم", "تلميذ", "مكتبة", "طفل"],
    ),
];

/// For each analysed synonym of `locale`, the terms of its domain's name.
fn synonyms(locale: Locale) -> &'static std::collections::HashMap<String, Vec<String>> {
    use std::collections::HashMap;
    static FR: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    static EN: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    static AR: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let cell = match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
        Locale::Ar => &AR,
    };
    cell.get_or_init(|| {
        let taxonomy = crate::Taxonomy::builtin();
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (l, domain, words) in SYNONYMS.iter().filter(|(l, _, _)| *l == locale) {
            let Some(d) = taxonomy.domain(domain) else {
                continue;
            };
            let name = analyze(d.labels.get(*l), *l);
            for word in *words {
                for term in analyze(word, *l) {
                    let alternatives = map.entry(term).or_default();
                    for n in &name {
                        if !alternatives.contains(n) {
                            alternatives.push(n.clone());
                        }
                    }
                }
            }
        }
        map
    })
}

/// The terms of a search, each with what also answers it: the term itself first, then, when
/// it is a synonym of a domain, the terms of that domain's name ("médecin" also finds
/// "santé"). A mission matches when it has one alternative of every term.
pub fn query_terms(text: &str, locale: Locale) -> Vec<Vec<String>> {
    let synonyms = synonyms(locale);
    analyze(text, locale)
        .into_iter()
        .map(|term| {
            let mut alternatives = vec![term.clone()];
            for extra in synonyms.get(&term).into_iter().flatten() {
                if !alternatives.contains(extra) {
                    alternatives.push(extra.clone());
                }
            }
            alternatives
        })
        .collect()
}

/// The words of `text` as they are written, lowercased (accents kept), in order: the units
/// [`analyze`] turns into terms.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || is_arabic_mark(c) {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `word` folded as the analysis folds it (accents dropped, ligatures spelt out, Arabic
/// letter variants brought to one form), without stemming: what spelling is compared on.
pub fn fold_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        for lower in c.to_lowercase() {
            fold_into(lower, &mut out);
        }
    }
    out
}

/// Arabic diacritics are marks, not letters: they must not split a word.
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terms of a text, space-separated and in order, without the analyzer's cache.
    fn index_body(text: &str, locale: Locale) -> String {
        analyze(text, locale).join(" ")
    }

    #[test]
    fn the_caching_analyzer_gives_the_index_body() {
        let texts = [
            "Les infirmières de l'hôpital de Douala cherchent des infirmières",
            "Œuvre scolaire : écoles et bibliothèques",
            "",
            " ;; ",
        ];
        let mut fr = Analyzer::new(Locale::Fr);
        for text in texts {
            assert_eq!(fr.body(text), index_body(text, Locale::Fr), "{text}");
        }
        let mut ar = Analyzer::new(Locale::Ar);
        let arabic = "مدرسةُ الأطفال في الدار البيضاء";
        assert_eq!(ar.body(arabic), index_body(arabic, Locale::Ar));
        assert!(!fr.body("infirmières").is_empty());
    }

    #[test]
    fn accents_and_plurals_meet_in_one_term() {
        let ecole = analyze("école", Locale::Fr);
        assert_eq!(analyze("ecole", Locale::Fr), ecole);
        assert_eq!(analyze("ÉCOLES", Locale::Fr), ecole);
        assert_eq!(analyze("santé", Locale::Fr), analyze("sante", Locale::Fr));
        assert_eq!(
            analyze("entrepreneurs", Locale::Fr),
            analyze("entrepreneur", Locale::Fr)
        );
    }

    #[test]
    fn english_is_stemmed_in_english() {
        assert_eq!(
            analyze("schools", Locale::En),
            analyze("school", Locale::En)
        );
        assert_eq!(
            analyze("mentoring", Locale::En),
            analyze("mentor", Locale::En)
        );
    }

    #[test]
    fn stop_words_and_punctuation_are_dropped() {
        assert_eq!(
            analyze("l'école de la ville !", Locale::Fr),
            analyze("école ville", Locale::Fr)
        );
        assert!(analyze(" ,;! ", Locale::Fr).is_empty());
    }

    #[test]
    fn arabic_text_gives_terms() {
        assert!(!analyze("مدرسة المدينة", Locale::Ar).is_empty());
    }

    #[test]
    fn feminine_and_masculine_forms_meet_with_or_without_accents() {
        let nurse = analyze("infirmier", Locale::Fr);
        for form in [
            "infirmière",
            "infirmières",
            "infirmiere",
            "INFIRMIERS",
            "infirmiers",
        ] {
            assert_eq!(analyze(form, Locale::Fr), nurse, "{form}");
        }
        for (a, b) in [
            ("directrice", "directeur"),
            ("ambassadrice", "ambassadeur"),
            ("animatrices", "animateur"),
            ("coiffeuse", "coiffeur"),
            ("citoyenne", "citoyen"),
            ("sportives", "sportif"),
            ("couturière", "couturier"),
        ] {
            assert_eq!(analyze(a, Locale::Fr), analyze(b, Locale::Fr), "{a} / {b}");
        }
        // Short words are left alone: "vive" is not "vif" of a one-letter stem.
        assert_ne!(analyze("rive", Locale::Fr), analyze("rif", Locale::Fr));
    }

    #[test]
    fn a_synonym_also_finds_its_domain_by_name() {
        let health = analyze("Santé", Locale::Fr);
        let terms = query_terms("médecin douala", Locale::Fr);
        assert_eq!(terms.len(), 2);
        assert_eq!(
            terms[0][0],
            analyze("médecin", Locale::Fr)[0],
            "the word first"
        );
        assert!(terms[0].contains(&health[0]), "{terms:?}");
        assert_eq!(terms[1], analyze("douala", Locale::Fr), "no synonym, alone");
        assert!(query_terms("doctors", Locale::En)[0].contains(&analyze("Health", Locale::En)[0]));
        assert!(query_terms("طبيب", Locale::Ar)[0].len() > 1);
        // Every listed domain exists and every word gives a term.
        for (locale, domain, words) in SYNONYMS {
            assert!(
                crate::Taxonomy::builtin().domain(domain).is_some(),
                "{domain}"
            );
            for word in *words {
                assert!(query_terms(word, *locale)[0].len() > 1, "{word}");
            }
        }
    }

    #[test]
    fn ligatures_are_spelt_out() {
        assert_eq!(analyze("œuvre", Locale::Fr), analyze("oeuvre", Locale::Fr));
        assert_eq!(analyze("Œuvres", Locale::Fr), analyze("oeuvre", Locale::Fr));
        assert_eq!(analyze("cœur", Locale::Fr), analyze("coeur", Locale::Fr));
        assert_ne!(analyze("oeuvre", Locale::Fr), analyze("ouvre", Locale::Fr));
        assert_eq!(
            analyze("ex æquo", Locale::Fr),
            analyze("ex aequo", Locale::Fr)
        );
    }

    #[test]
    fn arabic_letter_variants_and_diacritics_are_normalised() {
        let school = analyze("مدرسة", Locale::Ar);
        assert_eq!(analyze("مدرسه", Locale::Ar), school, "ta marbuta");
        assert_eq!(analyze("مَدْرَسَة", Locale::Ar), school, "diacritics");
        assert_eq!(analyze("مدرســة", Locale::Ar), school, "tatweel");
        assert_eq!(
            analyze("أطفال", Locale::Ar),
            analyze("اطفال", Locale::Ar),
            "hamza on alef"
        );
        assert_eq!(analyze("إسعاف", Locale::Ar), analyze("اسعاف", Locale::Ar));
        assert_eq!(
            analyze("مستشفى", Locale::Ar),
            analyze("مستشفي", Locale::Ar),
            "alef maksura"
        );
        assert_eq!(
            analyze("مَدْرَسَة المدينة", Locale::Ar).len(),
            2,
            "one word, not split"
        );
    }
}
