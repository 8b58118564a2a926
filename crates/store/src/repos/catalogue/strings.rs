//! The strings of one mission in a catalogue, in one allocation: its slug, its skills, and
//! the title and summary of each of its texts. A hundred thousand missions held this way
//! take one allocation each instead of eight or nine (a box per string, a slice per list).

use crate::StoreError;
use jsap_domain::Locale;

/// The most texts a mission has: one per language.
const TEXTS: usize = 3;

#[derive(Debug, Clone)]
pub(super) struct Strings {
    /// The slug, the skills joined by commas, then each text's title and summary.
    all: Box<str>,
    /// Where each piece ends in `all`: slug, skills, then title and summary per text.
    ends: [u32; 2 + 2 * TEXTS],
    /// The language of each text, in the order they were written; `None` after the last.
    locales: [Option<Locale>; TEXTS],
}

/// A mission's text in one language, as a catalogue holds it.
pub(super) struct TextRef<'a> {
    pub locale: Locale,
    pub title: &'a str,
    pub summary: &'a str,
}

impl Strings {
    /// A mission's slug and skills (no text yet). A skill holds no comma (the database lists
    /// them comma-separated); empty ones are left out.
    pub(super) fn new<'a>(
        slug: &str,
        skills: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, StoreError> {
        let skills: Vec<&str> = skills.into_iter().filter(|s| !s.is_empty()).collect();
        Self::build(slug, &skills.join(","), &[])
    }

    /// The same slug and skills with these texts (the first `TEXTS` of them).
    pub(super) fn with_texts(
        &self,
        texts: &[(Locale, String, String)],
    ) -> Result<Self, StoreError> {
        Self::build(self.piece(0), self.piece(1), texts)
    }

    fn build(
        slug: &str,
        skills: &str,
        texts: &[(Locale, String, String)],
    ) -> Result<Self, StoreError> {
        let texts = &texts[..texts.len().min(TEXTS)];
        let mut all = String::with_capacity(
            slug.len()
                + skills.len()
                + texts
                    .iter()
                    .map(|(_, t, s)| t.len() + s.len())
                    .sum::<usize>(),
        );
        let mut ends = [0u32; 2 + 2 * TEXTS];
        let mut locales = [None; TEXTS];
        let mut pieces = vec![slug, skills];
        for (i, (locale, title, summary)) in texts.iter().enumerate() {
            locales[i] = Some(*locale);
            pieces.push(title);
            pieces.push(summary);
        }
        for (i, piece) in pieces.iter().enumerate() {
            all.push_str(piece);
            ends[i] = u32::try_from(all.len())
                .map_err(|_| StoreError::Corrupt("a mission's texts exceed 4 GB".to_owned()))?;
        }
        // Pieces after the last text end where it ends (empty).
        let last = ends[pieces.len() - 1];
        for end in &mut ends[pieces.len()..] {
            *end = last;
        }
        Ok(Self {
            all: all.into_boxed_str(),
            ends,
            locales,
        })
    }

    fn piece(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.all.get(start..self.ends[i] as usize).unwrap_or("")
    }

    pub(super) fn slug(&self) -> &str {
        self.piece(0)
    }

    /// The skills asked for, as listed.
    pub(super) fn skills(&self) -> impl Iterator<Item = &str> {
        self.piece(1).split(',').filter(|s| !s.is_empty())
    }

    /// The text in `locale`, else the first written; `None` without any.
    pub(super) fn text(&self, locale: Locale) -> Option<TextRef<'_>> {
        let i = self
            .locales
            .iter()
            .position(|l| *l == Some(locale))
            .or_else(|| self.locales[0].map(|_| 0))?;
        Some(TextRef {
            locale: self.locales[i]?,
            title: self.piece(2 + 2 * i),
            summary: self.piece(3 + 2 * i),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(locale: Locale, title: &str, summary: &str) -> (Locale, String, String) {
        (locale, title.to_owned(), summary.to_owned())
    }

    #[test]
    fn every_piece_comes_back_as_it_went_in() {
        let s = Strings::new("ecole-douala", ["maçonnerie", "", "comptabilité"]).expect("packed");
        assert_eq!(s.slug(), "ecole-douala");
        assert_eq!(
            s.skills().collect::<Vec<_>>(),
            ["maçonnerie", "comptabilité"]
        );
        assert!(s.text(Locale::Fr).is_none(), "no text yet");

        let s = s
            .with_texts(&[
                text(Locale::En, "School", "Rebuild a school"),
                text(Locale::Fr, "École", "Reconstruire une école"),
            ])
            .expect("packed");
        assert_eq!(s.slug(), "ecole-douala");
        assert_eq!(s.skills().count(), 2);
        let fr = s.text(Locale::Fr).expect("packed");
        assert_eq!(
            (fr.locale, fr.title, fr.summary),
            (Locale::Fr, "École", "Reconstruire une école")
        );
        // No Arabic text: the first written.
        let other = s.text(Locale::Ar).expect("packed");
        assert_eq!((other.locale, other.title), (Locale::En, "School"));
    }

    #[test]
    fn empty_pieces_and_extra_texts() {
        let s = Strings::new("", std::iter::empty())
            .expect("packed")
            .with_texts(&[
                text(Locale::Fr, "", "Résumé"),
                text(Locale::En, "Title", ""),
                text(Locale::Ar, "عنوان", "ملخص"),
                text(Locale::Fr, "Fourth", "left out"),
            ])
            .expect("packed");
        assert_eq!(s.slug(), "");
        assert_eq!(s.skills().count(), 0);
        assert_eq!(s.text(Locale::Fr).expect("packed").title, "");
        assert_eq!(s.text(Locale::Fr).expect("packed").summary, "Résumé");
        assert_eq!(s.text(Locale::En).expect("packed").summary, "");
        assert_eq!(s.text(Locale::Ar).expect("packed").summary, "ملخص");
        assert!(!s.all.contains("Fourth"));
    }
}
