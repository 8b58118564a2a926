//! The use-case layer: the rules a route handler, a job and a CLI command would otherwise each
//! write again. Direction: domain <- tenancy <- store <- adapters <- app <- jobs / web <- server.
//!
//! Every write a person or a job makes is a function here: accounts (sign up, confirm, reset,
//! change the address), invitations (invite, accept), requests (submit, converse, deadlines) and
//! profiles. Each owns its transaction, decides who is emailed and in which language, and
//! returns a typed outcome; `web`, `jobs` and the CLI only parse, call and render.

/// The value of an inner `Ok`, or the inner refusal returned at once: `?` for the
/// `Result<Result<T, Refusal>, Failure>` of a use case.
macro_rules! or_refuse {
    ($found:expr) => {
        match $found {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        }
    };
}

pub mod accounts;
pub mod assistant;
mod audit;
pub mod bulk;
pub mod cities;
pub mod clock;
pub mod downloads;
mod error;
pub mod export;
pub mod favourites;
pub mod invitations;
pub mod mail;
mod media;
pub mod missions;
pub mod moderation;
pub mod news;
pub mod organisations;
pub mod pages;
pub mod profiles;
pub mod recommend;
pub mod requests;
mod scope;
pub mod spam;
pub mod staff;
pub mod staff_entry;
pub mod tenants;
pub mod tokens;
pub mod workspace;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::Failure;
pub use scope::Scope;
