//! Text normalisation shared by the classifier and the extractors: lowercase, Latin accents
//! and ligatures folded, apostrophes unified, WhatsApp French spellings expanded, then (for
//! the classifier) stop words dropped and words stemmed in French and English.

use jsap_domain::Locale;
use jsap_domain::search::{analyze, fold};

/// WhatsApp / SMS French spellings and their written form. Only spellings that are not
/// ordinary words in French or English (so "we", "c" or "t" are left alone).
const SHORTHANDS: &[(&str, &str)] = &[
    ("slt", "salut"),
    ("bjr", "bonjour"),
    ("bsr", "bonsoir"),
    ("cc", "coucou"),
    ("svp", "s'il vous plait"),
    ("stp", "s'il te plait"),
    ("pr", "pour"),
    ("ds", "dans"),
    ("bcp", "beaucoup"),
    ("bcq", "beaucoup"),
    ("qlq", "quelque"),
    ("qlqs", "quelques"),
    ("qq", "quelques"),
    ("tt", "tout"),
    ("tte", "toute"),
    ("ts", "tous"),
    ("ns", "nous"),
    ("vs", "vous"),
    ("jsuis", "je suis"),
    ("chui", "je suis"),
    ("jsui", "je suis"),
    ("jpeux", "je peux"),
    ("jveux", "je veux"),
    ("koi", "quoi"),
    ("pk", "pourquoi"),
    ("pq", "pourquoi"),
    ("dc", "donc"),
    ("pb", "probleme"),
    ("pbs", "problemes"),
    ("ptit", "petit"),
    ("ptits", "petits"),
    ("tjrs", "toujours"),
    ("tjs", "toujours"),
    ("dispo", "disponible"),
    ("dispos", "disponibles"),
    ("diaspo", "diaspora"),
    ("matos", "materiel"),
    ("ordi", "ordinateur"),
    ("ordis", "ordinateurs"),
    ("asso", "association"),
    ("assos", "associations"),
    ("appart", "appartement"),
    ("boulot", "travail"),
    ("taf", "travail"),
    ("rdv", "rendez-vous"),
    ("auj", "aujourd'hui"),
    ("ajd", "aujourd'hui"),
    ("dmain", "demain"),
    ("dem1", "demain"),
    ("urgt", "urgent"),
    ("mrc", "merci"),
    ("mrci", "merci"),
    ("mtn", "maintenant"),
    ("jms", "jamais"),
    ("bnjr", "bonjour"),
    ("vrmt", "vraiment"),
    ("infos", "informations"),
    ("info", "information"),
    ("pcq", "parce que"),
    ("psk", "parce que"),
    ("slm", "salam"),
    ("wknd", "week-end"),
    ("asap", "as soon as possible"),
];

/// Lowercases and folds `text`: Latin accents dropped, œ → oe, æ → ae, typographic
/// apostrophes and dashes brought to ASCII. Other scripts are kept.
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for lower in c.to_lowercase() {
            match lower {
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' => out.push('\''),
                '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
                '\u{a0}' | '\u{202f}' => out.push(' '),
                other => out.push(fold(other)),
            }
        }
    }
    out
}

/// The WhatsApp spelling's written form, if `word` (folded) is one.
pub fn expand_shorthand(word: &str) -> Option<&'static str> {
    SHORTHANDS
        .iter()
        .find(|(short, _)| *short == word)
        .map(|(_, long)| *long)
}

/// Folded text with WhatsApp spellings expanded and elisions split ("l'ecole" → "l' ecole"),
/// words separated by single spaces; digits and the separators `/ - . , :` inside numbers are
/// kept, so dates and amounts can still be read.
pub fn normalize(text: &str) -> String {
    let folded = fold_text(text);
    let mut out = String::with_capacity(folded.len() + 16);
    for raw in folded.split_whitespace() {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '€');
        let mut pieces: Vec<&str> = Vec::new();
        // Elisions: l', d', qu', j', n', s', c', m', t' before a word.
        let mut rest = word;
        if let Some(pos) = rest.find('\'') {
            let (head, tail) = rest.split_at(pos);
            if [
                "l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu",
            ]
            .contains(&head)
            {
                pieces.push(head);
                rest = tail.trim_start_matches('\'');
            }
        }
        if !rest.is_empty() {
            pieces.push(rest);
        }
        for piece in pieces {
            if !out.is_empty() {
                out.push(' ');
            }
            match expand_shorthand(piece) {
                Some(long) => out.push_str(long),
                None => out.push_str(piece),
            }
        }
        // Keep sentence punctuation as a word of its own: extractors use it as a boundary.
        if raw.ends_with(['.', '!', '?', ';', ':']) && !raw.ends_with("...") {
            out.push_str(" .");
        }
    }
    out
}

/// The words of normalised text (letters and digits), apostrophes and punctuation dropped.
pub fn words(normalized: &str) -> Vec<&str> {
    normalized
        .split(|c: char| !(c.is_alphanumeric() || is_arabic_mark(c)))
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_arabic_mark(c: char) -> bool {
    ('\u{064B}'..='\u{065F}').contains(&c) || c == '\u{0670}' || c == '\u{0640}'
}

/// Whether `text` is written mostly in Arabic script.
pub fn is_arabic(text: &str) -> bool {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c) {
            arabic += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    arabic > 0 && arabic >= latin
}

/// Classifier features of `text`: French and English stems of its content words (stop words
/// dropped, feminine forms brought to the masculine), French stem bigrams, and Arabic stems
/// when the text has Arabic letters.
pub fn features(text: &str) -> Vec<String> {
    let normalized: String = words(&normalize(text))
        .into_iter()
        .filter(|w| !crate::stopwords::is_stop(w) && !crate::cues::is_ignored(w))
        .collect::<Vec<_>>()
        .join(" ");
    let fr = analyze(&normalized, Locale::Fr);
    let en = analyze(&normalized, Locale::En);
    let mut out: Vec<String> = Vec::with_capacity(fr.len() * 3);
    for pair in fr.windows(2) {
        if pair[0].chars().all(char::is_numeric) || pair[1].chars().all(char::is_numeric) {
            continue;
        }
        out.push(format!("{}_{}", pair[0], pair[1]));
    }
    for term in fr.into_iter().chain(en) {
        if term.chars().count() >= 2 && !term.chars().all(char::is_numeric) {
            out.push(term);
        }
    }
    if normalized
        .chars()
        .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    {
        out.extend(
            analyze(&normalized, Locale::Ar)
                .into_iter()
                .filter(|t| t.chars().count() >= 2),
        );
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_ligatures_and_apostrophes() {
        assert_eq!(
            fold_text("Œuvre ÉCOLE Bépanda l’été"),
            "oeuvre ecole bepanda l'ete"
        );
        assert_eq!(fold_text("ex\u{e6}quo"), "exaequo");
    }

    #[test]
    fn expands_whatsapp_french_and_splits_elisions() {
        assert_eq!(
            normalize("Slt, ns cherchons qlq bénévoles pr l'école svp"),
            "salut nous cherchons quelque benevoles pour l ecole s'il vous plait"
        );
        assert_eq!(
            normalize("jsuis dispo ds 2 jours"),
            "je suis disponible dans 2 jours"
        );
        assert_eq!(normalize("qu'il vienne"), "qu il vienne");
    }

    #[test]
    fn keeps_sentence_boundaries_and_numbers() {
        assert_eq!(normalize("Le 15/08. Merci!"), "le 15/08 . merci .");
    }

    #[test]
    fn features_share_stems_across_forms_and_drop_stop_words() {
        let a = features("les écoles");
        let b = features("Ecole");
        assert!(a.contains(&"ecol".to_string()), "{a:?}");
        assert!(b.contains(&"ecol".to_string()), "{b:?}");
        assert!(!a.iter().any(|f| f == "le" || f == "les"));
        let fem = features("infirmière");
        let masc = features("infirmier");
        assert!(fem.iter().any(|f| masc.contains(f)), "{fem:?} {masc:?}");
    }

    #[test]
    fn detects_arabic_script() {
        assert!(is_arabic("مرحبا، أريد المساعدة"));
        assert!(!is_arabic("Bonjour à tous"));
    }
}
