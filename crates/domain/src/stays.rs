//! A member's stay in the country: its dates, checked once for the profile page, the search
//! and anything that plans around a stay.

use chrono::NaiveDate;

/// The longest stay: two years (and a day for a leap year).
pub const STAY_MAX_DAYS: i64 = 731;

/// Why two dates are not a stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayProblem {
    /// The end comes before the start.
    EndsBeforeStart,
    /// Longer than `STAY_MAX_DAYS`.
    TooLong,
    /// Already over on the day it is entered.
    AlreadyOver,
}

/// The first and last days of a stay, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayDates {
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

impl StayDates {
    /// A stay from `starts_on` to `ends_on`, entered on `today` (the tenant's local date).
    pub fn new(
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, StayProblem> {
        if ends_on < starts_on {
            Err(StayProblem::EndsBeforeStart)
        } else if (ends_on - starts_on).num_days() > STAY_MAX_DAYS {
            Err(StayProblem::TooLong)
        } else if ends_on < today {
            Err(StayProblem::AlreadyOver)
        } else {
            Ok(Self { starts_on, ends_on })
        }
    }

    pub fn starts_on(self) -> NaiveDate {
        self.starts_on
    }

    pub fn ends_on(self) -> NaiveDate {
        self.ends_on
    }

    /// Whether a window from `from` to `to` shares at least one day with the stay.
    pub fn overlaps(self, from: NaiveDate, to: NaiveDate) -> bool {
        from <= self.ends_on && to >= self.starts_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_stay_is_checked_in_order_and_overlaps_at_its_edges() {
        let today = d("2026-12-01");
        let stay = StayDates::new(d("2026-12-20"), d("2027-01-10"), today).expect("a stay");
        assert_eq!(
            (stay.starts_on(), stay.ends_on()),
            (d("2026-12-20"), d("2027-01-10"))
        );
        assert!(
            StayDates::new(d("2026-11-01"), d("2026-12-01"), today).is_ok(),
            "ends today"
        );
        assert_eq!(
            StayDates::new(d("2027-01-10"), d("2026-12-20"), today),
            Err(StayProblem::EndsBeforeStart)
        );
        assert_eq!(
            StayDates::new(d("2026-12-01"), d("2029-01-01"), today),
            Err(StayProblem::TooLong)
        );
        assert_eq!(
            StayDates::new(d("2026-01-01"), d("2026-02-01"), today),
            Err(StayProblem::AlreadyOver)
        );
        assert!(
            stay.overlaps(d("2027-01-10"), d("2027-02-01")),
            "the last day counts"
        );
        assert!(
            stay.overlaps(d("2026-12-01"), d("2026-12-20")),
            "the first day counts"
        );
        assert!(!stay.overlaps(d("2027-01-11"), d("2027-02-01")));
        assert!(!stay.overlaps(d("2026-11-01"), d("2026-12-19")));
    }
}
