//! No patient data in the log file at any level (issue 11, item 6): the real binary in a
//! pseudo-terminal with CLINIC_LOG=trace, a receptionist finding a patient by name, date of birth
//! and phone and opening her, an administrator reading the audit trail that names her; then every
//! log file the session wrote is searched for her name, birth date, phone and email.

#[path = "support/mod.rs"]
mod db;
#[path = "support/pty.rs"]
mod pty;

use clinic::domain::staff::Job;

use db::TestDb;
use pty::{config_for, quit, spawn_clinic_in};

const CTRL_U: &str = "\x15";
const ESC: &str = "\x1b";
const TAB: &str = "\t";

fn logs_under(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            logs_under(&path, out);
        } else if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("clinic.log"))
        {
            let text = String::from_utf8_lossy(&std::fs::read(&path).expect("a log")).to_string();
            out.push((path, text));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_traced_session_logs_nothing_of_a_patient() {
    let db = TestDb::new().await;
    let rita = db.staff("ri", Job::Receptionist).await;
    let ada = db.staff("ad", Job::Admin).await;
    db.superuser()
        .await
        .batch_execute(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer,
                                          phone, email)
             VALUES ('Quattlebaum', 'Zephyrine', DATE '1961-07-23', 'female', 'woman', 'Kin Person',
                     '0123456789', 'Acme Health', '0207 946 0111', 'zephyrine.q@example.org')",
        )
        .await
        .expect("a patient");
    let (home, config) = config_for(&db.server_config());
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let env = [("TERM", "xterm-256color"), ("CLINIC_LOG", "trace")];
        let mut term = spawn_clinic_in(&home_path, &["--config", &config], &env);
        term.sign_in(&rita.user, &rita.password, "(reception)");
        term.send("quattlebaum");
        term.wait_for("QUATTLEBAUM");
        term.send("\r");
        term.wait_for("0207 946 0111");
        term.send(ESC);
        term.send("/");
        term.send(CTRL_U);
        term.send("1961-07-23");
        term.wait_for("QUATTLEBAUM");
        term.send(CTRL_U);
        term.send("9460111");
        term.wait_for("QUATTLEBAUM");
        quit(&mut term);

        let mut term = spawn_clinic_in(&home_path, &["--config", &config], &env);
        term.sign_in(&ada.user, &ada.password, "(admin)");
        term.send(TAB);
        term.send(TAB);
        term.wait_for("Quattlebaum");
        quit(&mut term);
    })
    .await
    .expect("the session");

    let mut logs = Vec::new();
    logs_under(home.path(), &mut logs);
    let all: String = logs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        all.lines().count() > 20,
        "a traced session writes a log: {logs:?}"
    );
    let lower = all.to_lowercase();
    for needle in [
        "quattlebaum",
        "zephyrine",
        "1961-07-23",
        "0207 946 0111",
        "02079460111",
        "9460111",
        "example.org",
    ] {
        assert!(!lower.contains(needle), "{needle:?} is in the log");
    }
}
