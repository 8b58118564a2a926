//! Requests: who hears of them and in which language.

pub mod recipients;
