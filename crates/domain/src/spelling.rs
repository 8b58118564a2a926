//! "Did you mean": when a search finds nothing, the words of the site's missions that are
//! spelt closest to the words searched. A [`Vocabulary`] is built from the texts a site shows
//! (titles, summaries, descriptions, skills, cities, labels) in one language; each searched
//! word it does not know is replaced by the known word at the smallest edit distance
//! (Damerau-Levenshtein on folded words: one edit up to seven letters, two beyond), the most
//! frequent one on a tie. Words of fewer than four letters and numbers are left alone.

use crate::Locale;
use crate::search::{analyze, fold_word, query_terms, words};
use std::collections::{HashMap, HashSet};

/// The words one site's missions use in one language.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    locale: Option<Locale>,
    /// The terms of the texts: a searched word with one of them is known.
    terms: HashSet<String>,
    /// Every written form (one term has several: "secours", "secourisme"), with how often it
    /// appears: the candidates of a correction. Ordered by length (in letters), so a
    /// correction compares only the words whose length is within its edit limit.
    words: Vec<Known>,
}

#[derive(Debug, Clone)]
struct Known {
    word: String,
    folded: String,
    /// The letters of `folded`.
    letters: usize,
    /// `letter_mask(folded)`.
    mask: u64,
    count: u32,
}

/// The letters a word has, one bit per letter (modulo 64). A letter one word has and the
/// other lacks takes at least one edit, and different letters different edits: the bits in
/// one mask and not the other are a lower bound of the edit distance, computed without the
/// distance itself.
fn letter_mask(word: &str) -> u64 {
    word.chars()
        .fold(0, |mask, c| mask | 1 << (u32::from(c) % 64))
}

/// A lower bound of the Damerau-Levenshtein distance between two words of these masks.
fn mask_distance(a: u64, b: u64) -> usize {
    (a & !b).count_ones().max((b & !a).count_ones()) as usize
}

/// Searched words shorter than this are never corrected.
const MIN_LETTERS: usize = 4;

impl Vocabulary {
    /// The vocabulary of `texts` in `locale`.
    pub fn build<'a>(texts: impl IntoIterator<Item = &'a str>, locale: Locale) -> Self {
        // Counted first, analysed once per distinct word (stemming is the cost).
        let mut counts: HashMap<String, u32> = HashMap::new();
        for text in texts {
            for word in words(text) {
                *counts.entry(word).or_default() += 1;
            }
        }
        let mut terms = HashSet::new();
        let mut words: Vec<Known> = counts
            .into_iter()
            .filter_map(|(word, count)| {
                let mut analysed = analyze(&word, locale);
                if analysed.len() != 1 || word.chars().any(|c| c.is_ascii_digit()) {
                    return None;
                }
                terms.insert(analysed.remove(0));
                let folded = fold_word(&word);
                Some(Known {
                    letters: folded.chars().count(),
                    mask: letter_mask(&folded),
                    folded,
                    word,
                    count,
                })
            })
            .collect();
        words.sort_by(|a, b| a.letters.cmp(&b.letters).then_with(|| a.word.cmp(&b.word)));
        Self {
            locale: Some(locale),
            terms,
            words,
        }
    }

    /// Whether it holds no word at all.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// `text` with each unknown word replaced by the closest known one; `None` when no word
    /// changed (every word known, or nothing close enough).
    pub fn suggest(&self, text: &str) -> Option<String> {
        let locale = self.locale?;
        let mut changed = false;
        let mut out = Vec::new();
        for word in words(text) {
            match self.correction(&word, locale) {
                Some(better) => {
                    changed = true;
                    out.push(better);
                }
                None => out.push(word),
            }
        }
        changed.then(|| out.join(" "))
    }

    /// The known word `word` was probably meant to be, when it is unknown and one is close.
    fn correction(&self, word: &str, locale: Locale) -> Option<String> {
        if word.chars().count() < MIN_LETTERS || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let alternatives = query_terms(word, locale);
        let [alternatives] = alternatives.as_slice() else {
            return None;
        };
        // Known, or a word of the synonym list (it finds its domain by name): left alone.
        if alternatives.len() > 1 || self.terms.contains(&alternatives[0]) {
            return None;
        }
        let folded = fold_word(word);
        let letters = folded.chars().count();
        let mask = letter_mask(&folded);
        let limit = if letters >= 8 { 2 } else { 1 };
        // Words of more or fewer letters than the limit allows are never close enough.
        let from = self.words.partition_point(|k| k.letters + limit < letters);
        let to = self.words.partition_point(|k| k.letters <= letters + limit);
        self.words[from..to.max(from)]
            .iter()
            .filter(|k| mask_distance(mask, k.mask) <= limit)
            .filter_map(|k| {
                let distance = strsim::damerau_levenshtein(&folded, &k.folded);
                (distance <= limit).then_some((distance, k))
            })
            .min_by(|(d, a), (e, b)| {
                d.cmp(e)
                    .then_with(|| b.count.cmp(&a.count))
                    .then_with(|| a.word.cmp(&b.word))
            })
            .map(|(_, k)| k.word.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letter_masks_never_exceed_the_distance() {
        let words = [
            "refrigerateur",
            "refrigerateru",
            "inondations",
            "inondatoins",
            "secourisme",
            "secourisne",
            "ca",
            "abc",
            "ecole",
            "ecoles",
            "douala",
            "mathematiques",
            "",
            "a",
            "مدرسة",
            "مدرسه",
        ];
        for a in words {
            for b in words {
                let bound = mask_distance(letter_mask(a), letter_mask(b));
                assert!(bound <= strsim::damerau_levenshtein(a, b), "{a} {b}");
            }
        }
        assert_eq!(
            mask_distance(letter_mask("ecole"), letter_mask("douala")),
            3
        );
    }

    fn vocabulary() -> Vocabulary {
        Vocabulary::build(
            [
                "Former des infirmières à Douala",
                "Bibliothèque de quartier à Bafoussam : des livres pour les écoles",
                "Reboisement des collines de Bamenda",
                "Soutien scolaire en mathématiques",
                "Installer un réfrigérateur solaire au centre de santé",
            ],
            Locale::Fr,
        )
    }

    #[test]
    fn a_misspelt_word_gets_the_closest_word_of_the_missions() {
        let v = vocabulary();
        assert_eq!(v.suggest("bibliotheque").as_deref(), None, "accents: known");
        assert_eq!(v.suggest("biblioteque").as_deref(), Some("bibliothèque"));
        assert_eq!(v.suggest("infirmeire").as_deref(), Some("infirmières"));
        assert_eq!(
            v.suggest("reboisment douala").as_deref(),
            Some("reboisement douala")
        );
        assert_eq!(
            v.suggest("mathematique").as_deref(),
            None,
            "plural: same term"
        );
        assert_eq!(v.suggest("refrigerateru").as_deref(), Some("réfrigérateur"));
    }

    #[test]
    fn known_short_far_or_numeric_words_are_left_alone() {
        let v = vocabulary();
        assert_eq!(v.suggest("Douala santé"), None);
        assert_eq!(v.suggest("sant"), None, "too short to correct");
        assert_eq!(v.suggest("aéroport"), None, "nothing close");
        assert_eq!(v.suggest("2027"), None);
        assert_eq!(v.suggest("médecin"), None, "a synonym finds its domain");
        assert_eq!(Vocabulary::default().suggest("biblioteque"), None);
    }

    #[test]
    fn every_written_form_of_a_term_is_a_candidate() {
        // "secours" and "secourisme" share a stem: both can be what was meant.
        let v = Vocabulary::build(["Secours et secours", "secourisme"], Locale::Fr);
        assert_eq!(v.suggest("secourisne").as_deref(), Some("secourisme"));
        assert_eq!(v.suggest("secuors").as_deref(), Some("secours"));
    }

    #[test]
    fn arabic_words_are_compared_folded() {
        let v = Vocabulary::build(["مكتبة المدرسة في الدار البيضاء"], Locale::Ar);
        assert!(!v.is_empty());
        assert_eq!(v.suggest("مكتبه").as_deref(), None, "ta marbuta: known");
        assert!(v.suggest("مكتيبة").is_some());
    }
}
