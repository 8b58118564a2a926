//! Requests: who hears of them and in which language, their emails, and their deadlines.

pub mod conversation;
pub mod deadlines;
pub mod recipients;
pub mod submit;
pub mod triage;
