//! Embeds the ordered SQL migrations from sql/ into the binary.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=sql");
    let mut names: Vec<String> = std::fs::read_dir("sql")
        .expect("sql/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql") && n.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .collect();
    names.sort();
    let mut out = String::from("/// Every migration in sql/, in order: (file name, text).\npub const MIGRATIONS: &[(&str, &str)] = &[\n");
    for n in &names {
        writeln!(
            out,
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/sql/{n}\"))),"
        )
        .expect("write");
    }
    out.push_str("];\n");
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("migrations.rs");
    std::fs::write(dest, out).expect("write migrations.rs");
}
