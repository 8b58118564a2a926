//! The request state machine: how a member reached out, the states of a request, who acts on
//! it, and which action each side may take in each state. Pure rules: the store applies them
//! with conditional updates, the pages show the buttons they allow.

/// How a member reached out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// An answer to a mission: routed to the mission's organisation.
    Mission,
    /// A project proposed to a city: routed to its focal points.
    Project,
    /// A profile offered to a city: routed to its focal points.
    Profile,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Mission => "mission",
            RequestKind::Project => "project",
            RequestKind::Profile => "profile",
        }
    }

    /// The kind of a stored name; anything unknown reads as an answer to a mission.
    pub fn parse(s: &str) -> Self {
        match s {
            "project" => RequestKind::Project,
            "profile" => RequestKind::Profile,
            _ => RequestKind::Mission,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    New,
    InProgress,
    Accepted,
    Declined,
    Completed,
    Withdrawn,
}

impl RequestState {
    pub const ALL: [RequestState; 6] = [
        RequestState::New,
        RequestState::InProgress,
        RequestState::Accepted,
        RequestState::Declined,
        RequestState::Completed,
        RequestState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::New => "new",
            RequestState::InProgress => "in_progress",
            RequestState::Accepted => "accepted",
            RequestState::Declined => "declined",
            RequestState::Completed => "completed",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Declined, completed or withdrawn: the conversation is over.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestState::Declined | RequestState::Completed | RequestState::Withdrawn
        )
    }
}

/// Which side of a request a user is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The member who sent it.
    Member,
    /// A member of the organisation it was sent to.
    Organisation,
    /// A focal point of its city (always in copy).
    FocalPoint,
    /// A country operator of the tenant (receives escalations).
    Operator,
}

impl Side {
    /// The side that answers the member.
    pub fn handles(self) -> bool {
        self != Side::Member
    }
}

/// A button on a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Decline,
    Complete,
    Withdraw,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::Accept,
        Action::Decline,
        Action::Complete,
        Action::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::Complete => "complete",
            Action::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The states it applies to and the state it leads to.
    pub fn transition(self) -> (&'static [RequestState], RequestState) {
        use RequestState::*;
        match self {
            Action::Accept => (&[New, InProgress], Accepted),
            Action::Decline => (&[New, InProgress], Declined),
            Action::Complete => (&[Accepted], Completed),
            Action::Withdraw => (&[New, InProgress, Accepted], Withdrawn),
        }
    }

    /// Whether this side may press the button at all: the member withdraws, the handling
    /// side accepts or declines, either side marks an accepted request completed.
    pub fn allowed_for(self, side: Side) -> bool {
        match self {
            Action::Withdraw => side == Side::Member,
            Action::Accept | Action::Decline => side.handles(),
            Action::Complete => true,
        }
    }

    /// Whether the button is offered to this side in this state.
    pub fn available(self, side: Side, state: RequestState) -> bool {
        self.allowed_for(side) && self.transition().0.contains(&state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;

    fn after(action: Action, side: Side, state: RequestState) -> Option<RequestState> {
        action.available(side, state).then(|| action.transition().1)
    }

    #[test]
    fn the_state_machine_allows_only_its_transitions() {
        // The handling side accepts or declines a new or in-progress request.
        for side in [Side::Organisation, Side::FocalPoint, Side::Operator] {
            assert_eq!(after(Action::Accept, side, New), Some(Accepted));
            assert_eq!(after(Action::Accept, side, InProgress), Some(Accepted));
            assert_eq!(after(Action::Decline, side, InProgress), Some(Declined));
            assert_eq!(after(Action::Accept, side, Accepted), None);
            assert_eq!(after(Action::Withdraw, side, New), None);
        }
        // The member withdraws until the work is done, never accepts.
        assert_eq!(after(Action::Withdraw, Side::Member, New), Some(Withdrawn));
        assert_eq!(
            after(Action::Withdraw, Side::Member, Accepted),
            Some(Withdrawn)
        );
        assert_eq!(after(Action::Withdraw, Side::Member, Declined), None);
        assert_eq!(after(Action::Withdraw, Side::Member, Completed), None);
        assert_eq!(after(Action::Accept, Side::Member, New), None);
        // Either side completes an accepted request, and only that.
        assert_eq!(
            after(Action::Complete, Side::Member, Accepted),
            Some(Completed)
        );
        assert_eq!(
            after(Action::Complete, Side::Organisation, Accepted),
            Some(Completed)
        );
        assert_eq!(
            after(Action::Complete, Side::Organisation, InProgress),
            None
        );
        // Closed requests accept nothing.
        for state in [Declined, Completed, Withdrawn] {
            assert!(state.is_closed());
            for action in Action::ALL {
                for side in [
                    Side::Member,
                    Side::Organisation,
                    Side::FocalPoint,
                    Side::Operator,
                ] {
                    assert_eq!(
                        after(action, side, state),
                        None,
                        "{action:?} {side:?} {state:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn states_and_actions_round_trip_through_their_names() {
        for state in RequestState::ALL {
            assert_eq!(RequestState::parse(state.as_str()), Some(state));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(RequestState::parse("bogus"), None);
        assert_eq!(Action::parse(""), None);
    }
}
