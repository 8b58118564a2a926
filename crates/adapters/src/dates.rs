//! Dates as people read them, one formatter for pages and emails alike: "12 janv. 2027",
//! "12 Jan 2027", "12 يناير 2027". An instant is turned into a date where the tenant is
//! (`Tenant::local_date`) before it is written, never in UTC.

use crate::translate;
use chrono::{Datelike, NaiveDate};
use jsap_domain::Locale;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

pub fn format_date(date: NaiveDate, locale: Locale) -> String {
    let month = translate(
        locale.as_str(),
        &format!("month.{}", MONTHS[date.month0() as usize]),
    );
    format!("{} {} {}", date.day(), month, date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_for_the_locale() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 12).expect("date");
        assert_eq!(format_date(d, Locale::Fr), "12 janv. 2027");
        assert_eq!(format_date(d, Locale::En), "12 Jan 2027");
        assert_eq!(format_date(d, Locale::Ar), "12 يناير 2027");
    }
}
