//! Dev tool: `cargo run -p jsap-assistant --example evalfiles -- FILE... [-v]` runs the eval
//! harness on labelled files, or explains a text from stdin with `--explain`.
use jsap_assistant::City;
use jsap_assistant::classify::Model;
use jsap_assistant::eval::evaluate;
use std::io::Read;
use std::path::Path;

fn cities(code: &str) -> Option<Vec<City>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
    let tenants = jsap_tenancy::load_dir(&dir).ok()?;
    let tenant = tenants.into_iter().find(|t| t.code.as_str() == code)?;
    Some(
        tenant
            .cities
            .iter()
            .map(|c| City {
                slug: c.slug.as_str().to_string(),
                name: c.name.clone(),
                name_ar: c.name_ar.clone(),
            })
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--explain") {
        let mut s = String::new();
        let _ = std::io::stdin().read_to_string(&mut s);
        for line in Model::get().explain(&s) {
            println!("{line}");
        }
        return;
    }
    let verbose = args.iter().any(|a| a == "-v");
    for f in args.iter().filter(|a| !a.starts_with('-')) {
        let content = std::fs::read_to_string(f).unwrap_or_default();
        match evaluate(&content, &cities) {
            Ok(r) => println!("== {f}\n{}", r.render(verbose)),
            Err(e) => println!("== {f}: {e}"),
        }
    }
}
