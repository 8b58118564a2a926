//! Small signals read from a text: remote or on site, urgency, language.

use crate::normalize::{fold_text, is_arabic, normalize};
pub use jsap_domain::triage::{Language, Urgency};

/// Phrases that mention the internet without making the mission remote.
const NOT_REMOTE: &[&str] = &[
    "inscription en ligne",
    "inscrivez-vous en ligne",
    "s inscrire en ligne",
    "formulaire en ligne",
    "register online",
    "sign up online",
    "apply online",
];
const REMOTE: &[&str] = &[
    "a distance",
    "en ligne",
    "depuis l etranger",
    "depuis chez vous",
    "de chez vous",
    "ou que vous soyez",
    "teletravail",
    "visio",
    "visioconference",
    "en distanciel",
    "par telephone",
    "par whatsapp",
    "via whatsapp",
    "par zoom",
    "sur zoom",
    "remote",
    "remotely",
    "online",
    "from abroad",
    "video call",
    "video calls",
    "videoconference",
    "by phone",
    "by video",
    "over zoom",
    "from home",
    "wherever you live",
    "from where you live",
    "virtual",
    "virtuel",
    "virtuelle",
];
const ON_SITE: &[&str] = &[
    "sur place",
    "sur le terrain",
    "en presentiel",
    "presentiel",
    "en personne",
    "venez",
    "rejoignez-nous a",
    "rejoignez nous a",
    "rendez-vous a",
    "se deplacer",
    "deplacement au pays",
    "on site",
    "on-site",
    "in person",
    "on the ground",
    "join us in",
    "join us at",
    "join us to",
    "come and",
    "visit the site",
    "travel to",
    "be there",
];

fn count(haystack: &str, phrases: &[&str]) -> usize {
    phrases
        .iter()
        .filter(|p| contains_phrase(haystack, p))
        .count()
}

/// Whether `phrase` occurs in `haystack` on word boundaries (both normalised).
pub fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(phrase) {
        let start = from + pos;
        let end = start + phrase.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Remote (`Some(true)`), on site (`Some(false)`), or not said (`None`): whichever kind of
/// phrase is more frequent; a tie says nothing.
pub fn remote_stated(text: &str) -> Option<bool> {
    let mut n = normalize(text).replace(" .", "");
    for p in NOT_REMOTE {
        n = n.replace(p, " ");
    }
    let remote = count(&n, REMOTE);
    let on_site = count(&n, ON_SITE);
    match remote.cmp(&on_site) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => None,
    }
}

const LOW: &[&str] = &[
    "pas presse",
    "rien ne presse",
    "ca ne presse pas",
    "ne presse pas",
    "pas de presse",
    "quand vous voulez",
    "quand vous le souhaitez",
    "prenez votre temps",
    "take your time",
    "no pressure",
    "pas pressee",
    "pas presses",
    "pas d urgence",
    "rien d urgent",
    "aucune urgence",
    "pas urgent",
    "pas tres urgent",
    "sans urgence",
    "quand vous pourrez",
    "quand vous aurez le temps",
    "quand tu pourras",
    "a votre convenance",
    "dans quelques mois",
    "dans quelques semaines",
    "d ici quelques mois",
    "dans plusieurs mois",
    "l an prochain",
    "l annee prochaine",
    "pas avant",
    "plus tard",
    "no rush",
    "no hurry",
    "not urgent",
    "nothing urgent",
    "whenever",
    "at your convenience",
    "in a few months",
    "in a few weeks",
    "next year",
    "when you can",
    "when you have time",
    "ليس مستعجلا",
    "ليس الامر مستعجلا",
    "غير مستعجل",
    "ليس عاجلا",
    "لا داعي للاستعجال",
    "في الاشهر القادمه",
];
const HIGH: &[&str] = &[
    "urgent",
    "urgente",
    "urgence",
    "urgemment",
    "au plus vite",
    "au plus tot",
    "des que possible",
    "dans les plus brefs delais",
    "immediatement",
    "tout de suite",
    "vite",
    "rapidement",
    "au secours",
    "aidez-nous",
    "demain",
    "aujourd hui",
    "ce soir",
    "cette semaine",
    "cette nuit",
    "asap",
    "as soon as possible",
    "immediately",
    "right now",
    "right away",
    "emergency",
    "quickly",
    "tomorrow",
    "tonight",
    "today",
    "this week",
    "help!",
    "عاجل",
    "عاجلا",
    "مستعجل",
    "بسرعه",
    "فورا",
    "غدا",
    "الغد",
    "اليوم",
];

/// How urgent a request is: urgency words, a date within a week, many exclamation marks →
/// high; "pas pressé", "no rush", "dans quelques mois" → low; otherwise normal.
pub fn urgency(text: &str, dated_within_a_week: bool) -> Urgency {
    let mut n = normalize(text).replace(" .", " ");
    // Arabic letter variants as the search analyser folds them.
    n = n.replace(['أ', 'إ', 'آ'], "ا").replace('ة', "ه");
    let mut low = 0;
    for p in LOW {
        if contains_phrase(&n, p) {
            low += 1;
            n = n.replace(p, " ");
        }
    }
    let exclamations = text.matches('!').count();
    let high = count(&n, HIGH) + usize::from(exclamations >= 3) + usize::from(dated_within_a_week);
    if high > 0 {
        Urgency::High
    } else if low > 0 {
        Urgency::Low
    } else {
        Urgency::Normal
    }
}

const FR_WORDS: &[&str] = &[
    "le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "je", "j", "nous", "vous",
    "il", "elle", "pour", "dans", "sur", "avec", "pas", "que", "qui", "ce", "cette", "mon", "ma",
    "mes", "au", "aux", "suis", "sont", "bonjour", "bonsoir", "merci", "comment", "peux", "veux",
    "voudrais", "aider", "faire", "etre", "tres", "aussi", "mais", "ou", "donc", "chez", "quand",
    "salut", "coucou", "s'il", "plait", "c", "l", "d", "qu", "m", "n", "on", "ai", "avez", "votre",
    "notre", "ne", "se", "y", "ca", "quoi", "pourquoi", "beaucoup", "tout",
];
const EN_WORDS: &[&str] = &[
    "the", "a", "an", "and", "is", "are", "i", "we", "you", "he", "she", "it", "to", "of", "in",
    "for", "with", "not", "that", "this", "my", "our", "your", "be", "have", "has", "can", "could",
    "would", "will", "how", "what", "please", "hello", "hi", "thanks", "thank", "there", "do",
    "does", "am", "was", "from", "at", "by", "about", "i'm", "i'd", "want", "like", "who", "where",
    "help", "good", "morning", "evening", "send", "get", "touch",
];
const OTHER_WORDS: &[&str] = &[
    // Spanish, Portuguese, German, Italian.
    "el", "los", "las", "por", "para", "con", "soy", "estoy", "quiero", "como", "puedo", "hola",
    "gracias", "muy", "pero", "y", "del", "mi", "vivo", "ayudar", "ola", "sou", "estou", "quero",
    "posso", "com", "nao", "obrigado", "uma", "em", "ajudar", "projeto", "ich", "bin", "und",
    "der", "die", "das", "ist", "nicht", "mit", "fur", "mochte", "hallo", "wie", "kann", "ein",
    "eine", "beim", "sono", "vorrei", "grazie", "della", "il", "ciao", "sich", "wo",
];

/// The language a text is written in: Arabic script → ar; otherwise the language whose common
/// words it uses most (WhatsApp French counts as French).
pub fn language(text: &str) -> Language {
    if is_arabic(text) {
        return Language::Ar;
    }
    let folded = fold_text(text);
    let words: Vec<&str> = folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let (mut fr, mut en, mut other) = (0usize, 0usize, 0usize);
    for raw in &words {
        let w = raw.trim_matches('\'');
        let french = FR_WORDS.contains(&w)
            || crate::normalize::expand_shorthand(w).is_some()
            || w.split('\'').next().is_some_and(|h| {
                ["l", "d", "j", "qu", "c", "n", "s"].contains(&h) && w.contains('\'')
            });
        fr += usize::from(french);
        en += usize::from(EN_WORDS.contains(&w));
        other += usize::from(OTHER_WORDS.contains(&w));
    }
    if other > fr.max(en) {
        Language::Other
    } else if fr == 0 && en == 0 {
        if text.chars().any(|c| "éèêàçùôî".contains(c)) {
            Language::Fr
        } else {
            Language::Other
        }
    } else if fr >= en {
        Language::Fr
    } else {
        Language::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_or_on_site() {
        assert_eq!(
            remote_stated("Mission à distance, réunions en visio"),
            Some(true)
        );
        assert_eq!(remote_stated("Can be done online from abroad"), Some(true));
        assert_eq!(
            remote_stated("Présence sur place obligatoire, venez nombreux"),
            Some(false)
        );
        assert_eq!(remote_stated("join us in Bakau on site"), Some(false));
        assert_eq!(
            remote_stated("Inscription en ligne, rendez-vous à 7h"),
            Some(false)
        );
        assert_eq!(remote_stated("Une mission à Douala"), None);
    }

    #[test]
    fn urgency_levels() {
        assert_eq!(urgency("URGENT ! aidez-nous", false), Urgency::High);
        assert_eq!(urgency("svp vite", false), Urgency::High);
        assert_eq!(urgency("please reply asap", false), Urgency::High);
        assert_eq!(urgency("Ça part demain", false), Urgency::High);
        assert_eq!(urgency("Merci de répondre!!!", false), Urgency::High);
        assert_eq!(
            urgency("pas pressé, quand vous pourrez", false),
            Urgency::Low
        );
        assert_eq!(urgency("rien d'urgent", false), Urgency::Low);
        assert_eq!(urgency("No rush, next year maybe", false), Urgency::Low);
        assert_eq!(urgency("ليس الأمر مستعجلا", false), Urgency::Low);
        assert_eq!(urgency("عاجل! أحتاج مساعدة", false), Urgency::High);
        assert_eq!(urgency("Je voudrais aider en août", false), Urgency::Normal);
        assert_eq!(urgency("Je voudrais aider", true), Urgency::High);
    }

    #[test]
    fn language_detection() {
        assert_eq!(language("Bonjour, je voudrais aider l'école"), Language::Fr);
        assert_eq!(language("slt jsuis dispo pr aider ds 2 sem"), Language::Fr);
        assert_eq!(
            language("Hello, I would like to help the school"),
            Language::En
        );
        assert_eq!(language("مرحبا، أريد المساعدة"), Language::Ar);
        assert_eq!(
            language("Hola, quiero ayudar con los talleres"),
            Language::Other
        );
        assert_eq!(language("Ich bin Arzt und möchte helfen"), Language::Other);
    }
}
