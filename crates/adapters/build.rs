// rust-i18n embeds `locales/*.yml` at compile time: rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../../locales");
}
