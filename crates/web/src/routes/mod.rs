pub mod assets;
pub mod ops;
pub mod public;
