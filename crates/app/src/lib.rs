//! The use-case layer: the rules a route handler, a job and a CLI command would otherwise each
//! write again. Direction: domain <- tenancy <- store <- adapters <- app <- jobs / web <- server.
//!
//! This first slice holds the clock and, for requests, who hears of them and in which language
//! (`requests::recipients`), their emails (`requests::mails`) and the deadline pass
//! (`requests::deadlines`), shared by the request pages and the deadline job. The use cases
//! themselves (sign up, submit a request...) move here next (issue 9).

pub mod accounts;
pub mod clock;
mod error;
pub mod invitations;
pub mod requests;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::Failure;
