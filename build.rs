//! Embeds the ordered SQL migrations from sql/ into the binary.
//!
//! A migration may embed a data file: a line `\embed reference/FILE` (a path under sql/) becomes
//! the file's text as one dollar-quoted string literal, for the migration to parse in SQL. The
//! migration's checksum is then of the text with the data in it, so changing the data of an
//! applied migration is refused like any other edit.

use std::fmt::Write;
use std::path::Path;

const EMBED: &str = "\\embed ";
const QUOTE: &str = "$embedded$";

fn main() {
    println!("cargo:rerun-if-changed=sql");
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut names: Vec<String> = std::fs::read_dir("sql")
        .expect("sql/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql") && n.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .collect();
    names.sort();
    let mut out = String::from("/// Every migration in sql/, in order: (file name, text).\npub const MIGRATIONS: &[(&str, &str)] = &[\n");
    for n in &names {
        let text = std::fs::read_to_string(Path::new("sql").join(n)).expect("read a migration");
        let path = if text.lines().any(|l| l.starts_with(EMBED)) {
            std::fs::write(Path::new(&out_dir).join(n), embed(n, &text))
                .expect("write an expanded migration");
            format!("env!(\"OUT_DIR\"), \"/{n}\"")
        } else {
            format!("env!(\"CARGO_MANIFEST_DIR\"), \"/sql/{n}\"")
        };
        writeln!(out, "    ({n:?}, include_str!(concat!({path}))),").expect("write");
    }
    out.push_str("];\n");
    // `clinic --version`: the package's version and the last migration, the schema it expects.
    let last = names.last().map_or("none", |n| n.trim_end_matches(".sql"));
    let version = std::env::var("CARGO_PKG_VERSION").expect("CARGO_PKG_VERSION");
    writeln!(
        out,
        "/// The last migration's name: the schema this build expects.\npub const SCHEMA: &str = \"{last}\";\n\
         /// `clinic --version`: this build and the schema it expects.\npub const VERSION: &str = \"{version} (schema {last})\";"
    )
    .expect("write");
    std::fs::write(Path::new(&out_dir).join("migrations.rs"), out).expect("write migrations.rs");
}

/// `text` with each `\embed` line replaced by the named file's text, quoted.
fn embed(name: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(file) = line.strip_prefix(EMBED) else {
            out.push_str(line);
            continue;
        };
        let file = Path::new("sql").join(file.trim());
        println!("cargo:rerun-if-changed={}", file.display());
        let data = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{name} embeds {}: {e}", file.display()));
        assert!(
            !data.contains(QUOTE),
            "{} contains {QUOTE}, which ends the literal",
            file.display()
        );
        out.push_str(QUOTE);
        out.push_str(&data);
        out.push_str(QUOTE);
        out.push('\n');
    }
    out
}
