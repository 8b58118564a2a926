pub mod accounts;
pub mod api;
pub mod assets;
pub mod media;
pub mod ops;
pub mod pages;
pub mod public;
pub mod seo;
