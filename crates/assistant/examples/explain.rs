//! Debug: per-feature evidence for a text (stdin), best three types.
use jsap_assistant::classify::Model;
use std::io::Read;
fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).ok();
    let m = Model::get();
    for line in m.explain(&s) {
        println!("{line}");
    }
}
