//! Text analysis for full-text search, the same at index and query time on every database:
//! lowercase, accents folded, split into words, stop words dropped, stemmed for the text's
//! language (Snowball). "École", "ecoles" and "écoles" all become `ecol`.

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

/// Folds Latin accents and ligatures to ASCII; other scripts are kept as they are.
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
        'œ' | 'Œ' => 'o',
        'æ' | 'Æ' => 'a',
        other => other,
    }
}

/// The search terms of `text` in `locale`.
pub fn analyze(text: &str, locale: Locale) -> Vec<String> {
    let stop: &[&str] = match locale {
        Locale::Fr => FR_STOP,
        Locale::En => EN_STOP,
        Locale::Ar => &[],
    };
    let mut terms = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, terms: &mut Vec<String>| {
        if !word.is_empty() && !stop.contains(&word.as_str()) {
            let stemmed = stemmer(locale).stem(word).into_owned();
            if !stemmed.is_empty() {
                terms.push(stemmed);
            }
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                word.push(fold(lower));
            }
        } else {
            flush(&mut word, &mut terms);
        }
    }
    flush(&mut word, &mut terms);
    terms
}

/// The terms of a text as stored in the index: space-separated, in order.
pub fn index_body(text: &str, locale: Locale) -> String {
    analyze(text, locale).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
