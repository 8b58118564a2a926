//! The password policy: a length between `MIN` and `MAX` characters, and not too easy to
//! guess (zxcvbn's lists of leaked passwords, names and words, shipped in the binary; simple
//! patterns; the person's own email or name, or the site's domain).

/// The fewest characters a password may have.
pub const MIN: usize = 10;
/// The most characters a password may have (hashing time stays bounded).
pub const MAX: usize = 128;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    Missing,
    TooShort,
    TooLong,
    TooWeak,
}

/// Checks `password` against the policy; `own`: the person's email and name, and the site's
/// domain. Takes up to tens of milliseconds on a long password: run it off async workers.
pub fn check(password: &str, own: &[&str]) -> Result<(), PasswordProblem> {
    let n = password.chars().count();
    if n == 0 {
        Err(PasswordProblem::Missing)
    } else if n < MIN {
        Err(PasswordProblem::TooShort)
    } else if n > MAX {
        Err(PasswordProblem::TooLong)
    } else if too_weak(password, own) {
        Err(PasswordProblem::TooWeak)
    } else {
        Ok(())
    }
}

/// Whether a password of acceptable length is too easy to guess: a common password (zxcvbn's
/// lists of leaked passwords, names and words, shipped in the binary), a simple pattern
/// (`aaaaaaaaaa`, `password12`), or one made of the person's own email or name.
pub fn too_weak(password: &str, own: &[&str]) -> bool {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let lower = password.to_lowercase();
    let password_compact = compact(password);
    let mut inputs: Vec<String> = Vec::new();
    for value in own
        .iter()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
    {
        // The whole email or name, with or without its dots and spaces ("AwaDiallo2026").
        let local = value.split('@').next().unwrap_or(&value);
        let whole = [compact(&value), compact(local)];
        if lower.contains(&value)
            || whole
                .iter()
                .any(|w| w.chars().count() >= 4 && password_compact.contains(w.as_str()))
        {
            return true;
        }
        // The parts of an address or a name are guessable too: "awa.diallo@x.org".
        inputs.extend(
            value
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| p.chars().count() >= 3)
                .map(str::to_owned),
        );
        inputs.push(value);
    }
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    zxcvbn::zxcvbn(password, &inputs).score() < zxcvbn::Score::Two
}

#[cfg(test)]
mod tests {
    use super::{MAX, MIN, PasswordProblem, check, too_weak};

    #[test]
    fn common_patterned_and_personal_passwords_are_too_weak() {
        let own = [
            "awa.diallo@example.org",
            "Awa Diallo",
            "jesuisaucameroun.com",
        ];
        for weak in [
            "aaaaaaaaaa",
            "password12",
            "1234567890",
            "azertyuiop",
            "awa.diallo@example.org",
            "AwaDiallo2026",
            "jesuisaucameroun",
        ] {
            assert!(too_weak(weak, &own), "{weak}");
        }
        for strong in [
            "un mot de passe solide",
            "Douala2024!",
            "vert-manioc-7-pluie",
        ] {
            assert!(!too_weak(strong, &own), "{strong}");
        }
    }

    #[test]
    fn the_policy_names_what_is_wrong_in_order_of_length_then_strength() {
        let own = ["awa@example.org", "Awa"];
        assert_eq!(check("", &own), Err(PasswordProblem::Missing));
        assert_eq!(
            check(&"x".repeat(MIN - 1), &own),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check(&"x".repeat(MAX + 1), &own),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check("password12", &own), Err(PasswordProblem::TooWeak));
        assert_eq!(check("un mot de passe solide", &own), Ok(()));
        // Characters, not bytes: ten accented letters are long enough.
        assert_ne!(check("éèêëàâäôöù", &own), Err(PasswordProblem::TooShort));
        assert_eq!(check("éèêëàâäôö", &own), Err(PasswordProblem::TooShort));
    }
}
