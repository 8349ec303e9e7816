//! The command line's failure paths: each a clear sentence on stderr and a non-zero exit.

use std::process::Command;

fn clinic(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clinic"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("CLINIC_DEMO_DIR", home.join("demo"))
        .stdin(std::process::Stdio::null());
    cmd
}

#[test]
fn demo_without_postgres_binaries_says_what_to_install() {
    let home = tempfile::tempdir().expect("home");
    let out = clinic(home.path())
        .arg("demo")
        .env("CLINIC_PG_BIN", home.path().join("no-postgres-here"))
        .output()
        .expect("run clinic");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("apt-get install") && err.contains("postgresql"),
        "{err}"
    );
    assert!(
        !home.path().join("demo").join("pgdata").exists(),
        "nothing half-made"
    );
}

#[test]
fn a_malformed_config_names_file_line_and_key() {
    let home = tempfile::tempdir().expect("home");
    let path = home.path().join("bad.toml");
    std::fs::write(&path, "[clinic]\nname = \"X\"\n[server]\nprot = 5432\n").expect("write");
    let out = clinic(home.path())
        .arg("--config")
        .arg(&path)
        .args(["demo", "reset"])
        .output()
        .expect("run clinic");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("line 4") && err.contains("prot"), "{err}");

    let missing = home.path().join("missing.toml");
    let out = clinic(home.path())
        .arg("--config")
        .arg(&missing)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn staff_add_refuses_a_bad_login_name_before_connecting() {
    let home = tempfile::tempdir().expect("home");
    let out = clinic(home.path())
        .args(["staff", "add", "Robert'); drop", "--admin"])
        .output()
        .expect("run clinic");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a usable login name"));
}
