//! Roles, memberships and what they allow, computed once per account and tenant.

/// A role of a user in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    FocalPoint,
    OrganisationAdmin,
    OrganisationEditor,
    CountryOperator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::FocalPoint => "focal_point",
            Role::OrganisationAdmin => "organisation_admin",
            Role::OrganisationEditor => "organisation_editor",
            Role::CountryOperator => "country_operator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "focal_point" => Role::FocalPoint,
            "organisation_admin" => Role::OrganisationAdmin,
            "organisation_editor" => Role::OrganisationEditor,
            "country_operator" => Role::CountryOperator,
            _ => return None,
        })
    }
}

/// A role held on something: a city (focal point), an organisation (admin, editor), or the
/// whole country (operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    pub city_id: Option<i64>,
    pub organisation_id: Option<i64>,
}

/// What an account may do on one tenant, from its memberships: read once, asked many times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    memberships: Vec<Membership>,
}

impl Permissions {
    pub fn new(memberships: Vec<Membership>) -> Self {
        Self { memberships }
    }

    /// A platform staff member's seat on a country site: the powers of the country's
    /// operators, on top of any role the seat holds.
    pub fn with_staff_seat(mut self) -> Self {
        if !self.is_operator() {
            self.memberships.push(Membership {
                role: Role::CountryOperator,
                city_id: None,
                organisation_id: None,
            });
        }
        self
    }

    pub fn memberships(&self) -> &[Membership] {
        &self.memberships
    }

    fn has(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    pub fn is_operator(&self) -> bool {
        self.has(Role::CountryOperator)
    }

    /// The cities this account is a focal point of.
    pub fn focal_cities(&self) -> Vec<i64> {
        self.memberships
            .iter()
            .filter(|m| m.role == Role::FocalPoint)
            .filter_map(|m| m.city_id)
            .collect()
    }

    /// The organisations this account is a member of, with its role there (admin when it is
    /// both), admins first.
    pub fn organisations(&self) -> Vec<(i64, Role)> {
        let mut out: Vec<(i64, Role)> = Vec::new();
        for role in [Role::OrganisationAdmin, Role::OrganisationEditor] {
            for m in self.memberships.iter().filter(|m| m.role == role) {
                if let Some(id) = m.organisation_id
                    && !out.iter().any(|(o, _)| *o == id)
                {
                    out.push((id, role));
                }
            }
        }
        out
    }

    /// Whether this account is an admin of `organisation_id`.
    pub fn admin_of(&self, organisation_id: i64) -> bool {
        self.memberships.iter().any(|m| {
            m.role == Role::OrganisationAdmin && m.organisation_id == Some(organisation_id)
        })
    }

    /// Whether this account reviews what happens in `city_id` (organisations, missions): a
    /// focal point of that city, or a country operator.
    pub fn reviews_city(&self, city_id: i64) -> bool {
        self.is_operator() || self.focal_cities().contains(&city_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: Role, city: Option<i64>, org: Option<i64>) -> Membership {
        Membership {
            role,
            city_id: city,
            organisation_id: org,
        }
    }

    #[test]
    fn permissions_answer_from_the_memberships() {
        let p = Permissions::new(vec![
            m(Role::OrganisationEditor, None, Some(7)),
            m(Role::FocalPoint, Some(3), None),
            m(Role::OrganisationAdmin, None, Some(7)),
            m(Role::OrganisationEditor, None, Some(9)),
        ]);
        assert_eq!(
            p.organisations(),
            [(7, Role::OrganisationAdmin), (9, Role::OrganisationEditor)]
        );
        assert!(p.admin_of(7) && !p.admin_of(9));
        assert_eq!(p.focal_cities(), [3]);
        assert!(p.reviews_city(3) && !p.reviews_city(4) && !p.is_operator());
        let operator = Permissions::new(vec![m(Role::CountryOperator, None, None)]);
        assert!(operator.reviews_city(4) && operator.organisations().is_empty());
        let seat = Permissions::new(vec![]).with_staff_seat();
        assert!(seat.is_operator() && seat.reviews_city(4));
        assert_eq!(operator.clone().with_staff_seat(), operator);
        for r in [
            Role::FocalPoint,
            Role::OrganisationAdmin,
            Role::OrganisationEditor,
            Role::CountryOperator,
        ] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
