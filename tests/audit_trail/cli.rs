//! `clinic audit export` and `clinic permissions` through the binary: as an admin, and refused
//! otherwise.

use super::support::{Login, TestDb};
use super::{add_patient, entries_at};
use clinic::domain::staff::Job;

fn config_file(db: &TestDb, home: &std::path::Path) -> String {
    let server = db.server_config();
    let path = home.join("clinic.toml");
    std::fs::write(
        &path,
        format!(
            "[server]\nhost = \"{}\"\nport = {}\ndbname = \"{}\"\n",
            server.host, server.port, server.dbname
        ),
    )
    .expect("config");
    path.to_str().expect("path").to_string()
}

fn clinic(
    home: &std::path::Path,
    config: &str,
    login: &Login,
    args: &[&str],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_clinic"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PGPASSWORD", &login.password)
        .stdin(std::process::Stdio::null())
        .args(["--config", config])
        .args(args)
        .args(["-U", &login.user])
        .output()
        .expect("clinic runs")
}

#[tokio::test]
async fn clinic_audit_export_writes_the_filtered_range_as_csv() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let patient = add_patient(&su, "Exported").await;
    let number: i64 = su
        .query_one(
            "SELECT patient_number FROM clinic.patients WHERE id = $1",
            &[&patient],
        )
        .await
        .expect("number")
        .get(0);
    entries_at(
        &su,
        &[
            (
                "2030-05-01 09:00Z",
                "xena",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-02 09:00Z",
                "xena",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-02 10:00Z",
                "yuri",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-03 09:00Z",
                "xena",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-02 11:00Z",
                "xena",
                "update",
                Some("patients"),
                Some(patient),
            ),
        ],
    )
    .await;
    let home = tempfile::tempdir().expect("home");
    let config = config_file(&db, home.path());
    let file = home.path().join("audit.csv");
    let number = number.to_string();
    let args = [
        "audit",
        "export",
        "--from",
        "2030-05-01",
        "--to",
        "2030-05-02",
        "--person",
        "xena",
        "--patient",
        &number,
        "--action",
        "read",
        "--table",
        "medical_records",
        file.to_str().expect("path"),
    ];
    let out = clinic(home.path(), &config, &ada, &args);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Wrote 2 audit entries"),
        "{out:?}"
    );
    let csv = std::fs::read_to_string(&file).expect("the file");
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        !csv.replace("\r\n", "").contains('\n'),
        "CRLF only: {csv:?}"
    );
    assert_eq!(
        lines[0],
        "id,at,login,name,action,table,row,patient_id,patient_number,patient_name,summary,needs_review"
    );
    assert!(
        lines[1].contains(",2030-05-01T09:00:00+00:00,xena,,read,medical_records,,"),
        "{csv}"
    );
    assert!(
        lines[2].contains(",2030-05-02T09:00:00+00:00,xena,"),
        "oldest first: {csv}"
    );
    assert!(
        lines[1].contains(&format!(",{number},\"Exported, Test\",,no")),
        "{csv}"
    );

    let out = clinic(home.path(), &config, &rita, &args);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not allowed"),
        "{out:?}"
    );
    let bad = clinic(
        home.path(),
        &config,
        &ada,
        &[
            "audit",
            "export",
            "--from",
            "2030-05-02",
            "--to",
            "2030-05-01",
            "x.csv",
        ],
    );
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("before"),
        "{bad:?}"
    );
}

#[tokio::test]
async fn clinic_permissions_prints_the_matrix_for_an_admin_only() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let admin = db.connect(&ada).await;
    let rows = clinic::db::permissions::permission_matrix(&admin)
        .await
        .expect("the matrix");
    let home = tempfile::tempdir().expect("home");
    let config = config_file(&db, home.path());
    let out = clinic(
        home.path(),
        &config,
        &ada,
        &["permissions", "--format", "csv"],
    );
    assert!(out.status.success(), "{out:?}");
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(csv, clinic::domain::permissions::to_csv(&rows));
    assert!(
        csv.contains("\r\nclinic_receptionist,table,patients,UPDATE,yes,"),
        "{csv}"
    );
    let out = clinic(home.path(), &config, &ada, &["permissions"]);
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(md.starts_with("## clinic_accountant\n"), "{md}");
    assert!(
        md.contains("| function | clinic.add_staff(text,text,text,text) | EXECUTE | yes |"),
        "{md}"
    );
    let out = clinic(home.path(), &config, &rita, &["permissions"]);
    assert!(!out.status.success(), "{out:?}");
}
