//! The audit log: the hash chain finds tampering, and entries name the patient.

use crate::common::{err_code, ok, one_i64, one_opt_i64, World};
use crate::support::sqlstate;

#[tokio::test]
async fn audit_chain_verifies_and_a_superuser_edit_is_detected() {
    let w = World::new().await;
    let ad = w.connect(&w.admin).await;
    let su = w.su().await;
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
    let ids: Vec<i64> = ad
        .query("SELECT id FROM clinic.audit_log ORDER BY id", &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(ids.len() >= 10, "the fixtures wrote a chain: {ids:?}");
    let victim = ids[ids.len() / 2];

    // The append-only trigger stops even the superuser...
    assert_eq!(
        err_code(
            &su,
            &format!(
                "UPDATE clinic.audit_log SET actor_login = 'someone_else' WHERE id = {victim}"
            )
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &su,
            &format!("DELETE FROM clinic.audit_log WHERE id = {victim}")
        )
        .await,
        "42501"
    );
    assert_eq!(err_code(&su, "TRUNCATE clinic.audit_log").await, "42501");
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
    // ...and one who switches the trigger off is caught by the chain.
    ok(
        &su,
        &format!(
            "ALTER TABLE clinic.audit_log DISABLE TRIGGER audit_log_no_update;
             UPDATE clinic.audit_log SET actor_login = 'someone_else' WHERE id = {victim};
             ALTER TABLE clinic.audit_log ENABLE TRIGGER audit_log_no_update;"
        ),
    )
    .await;
    assert_eq!(
        one_opt_i64(&ad, "SELECT clinic.audit_verify()").await,
        Some(victim)
    );
}

#[tokio::test]
async fn audit_chain_detects_a_removed_entry() {
    let w = World::new().await;
    let ad = w.connect(&w.admin).await;
    let su = w.su().await;
    let ids: Vec<i64> = su
        .query("SELECT id FROM clinic.audit_log ORDER BY id", &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(ids.len() >= 10, "{ids:?}");
    let remove = |id: i64| {
        format!(
            "ALTER TABLE clinic.audit_log DISABLE TRIGGER audit_log_no_update;
             DELETE FROM clinic.audit_log WHERE id = {id};
             ALTER TABLE clinic.audit_log ENABLE TRIGGER audit_log_no_update;"
        )
    };
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
    // Cut off the end: the chain itself still links up, but the head remembers the last entry.
    let last = ids[ids.len() - 1];
    ok(&su, &remove(last)).await;
    assert_eq!(
        one_opt_i64(&ad, "SELECT clinic.audit_verify()").await,
        Some(last)
    );
    // Cut out of the middle: the next entry no longer follows.
    let (middle, next) = (ids[3], ids[4]);
    ok(&su, &remove(middle)).await;
    assert_eq!(
        one_opt_i64(&ad, "SELECT clinic.audit_verify()").await,
        Some(next)
    );
}

/// Writers at REPEATABLE READ (any client may choose it) must not fork the hash chain: a fork makes
/// audit_verify report a break that nobody made, and hides any real tampering after it.
#[tokio::test]
async fn audit_chain_stays_linear_under_repeatable_read_writers() {
    let w = World::new().await;
    let a = w.connect(&w.receptionist).await;
    let b = w.connect(&w.receptionist).await;
    let ad = w.connect(&w.admin).await;
    let insert = |name: &str| {
        format!(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
             VALUES ('{name}', 'Race', DATE '1970-01-01', 'unknown')"
        )
    };
    ok(&a, "BEGIN ISOLATION LEVEL REPEATABLE READ").await;
    ok(&a, "SELECT count(*) FROM clinic.patients").await;
    ok(&b, &insert("Bee")).await;
    match a.simple_query(&insert("Ayy")).await {
        Ok(_) => ok(&a, "COMMIT").await,
        Err(e) => {
            assert_eq!(
                sqlstate(&e),
                "40001",
                "a stale writer may only be asked to retry: {e:?}"
            );
            ok(&a, "ROLLBACK").await;
        }
    }
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
    // And plain concurrent writers at the default level: many at once, still one chain.
    let mut conns = Vec::new();
    for _ in 0..6 {
        conns.push(w.connect(&w.receptionist).await);
    }
    let results = futures::future::join_all(
        conns
            .iter()
            .enumerate()
            .map(|(i, c)| async move { c.batch_execute(&insert(&format!("Crowd{i}"))).await }),
    )
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
}

/// A payment's audit entry names the invoice's patient (the log is how a patient's trail is found).
#[tokio::test]
async fn payment_audit_entries_name_the_patient() {
    let w = World::new().await;
    let rc = w.connect(&w.receptionist).await;
    let ad = w.connect(&w.admin).await;
    assert_ne!(
        w.inv_issued, w.p_own,
        "the fixture keeps invoice and patient ids apart"
    );
    let pid = one_i64(
        &rc,
        &format!(
            "INSERT INTO clinic.payments (invoice_id, amount_minor, method, idempotency_key)
             VALUES ({}, 100, 'cash', '00000000-0000-4000-8000-0000000000bb') RETURNING id",
            w.inv_issued
        ),
    )
    .await;
    assert_eq!(
        one_opt_i64(
            &ad,
            &format!("SELECT patient_id FROM clinic.audit_log WHERE table_name = 'payments' AND row_id = {pid}")
        )
        .await,
        Some(w.p_own)
    );
}

/// No login can make the others wait on the audit log: one sits in an open transaction after
/// audited writes (a patient edit and a booking, as from psql), and another desk's booking and
/// patient edit and a doctor's chart opening (each audited) all finish within a second. Under the
/// old chain every one of them waited for the idle transaction on the chain's head row.
#[tokio::test]
async fn an_idle_transaction_after_an_audited_write_stalls_nobody() {
    let w = World::new().await;
    let idle = w.connect(&w.receptionist).await;
    let desk = w.connect(&w.receptionist).await;
    let doctor = w.connect(&w.doctor).await;
    let ad = w.connect(&w.admin).await;
    let d = crate::common::sid(&w.doctor);
    ok(&idle, "BEGIN").await;
    ok(
        &idle,
        &format!(
            "UPDATE clinic.patients SET phone = '+44 20 7946 0001' WHERE id = {}",
            w.p_stranger
        ),
    )
    .await;
    ok(
        &idle,
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
             VALUES ({}, {d}, '2031-05-06 09:00+00', '2031-05-06 09:15+00')",
            w.p_stranger
        ),
    )
    .await;

    within_a_second(
        "another desk's booking",
        &desk,
        format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
             VALUES ({}, {d}, '2031-05-06 11:00+00', '2031-05-06 11:15+00')",
            w.p_own
        )
        .as_str(),
    )
    .await;
    within_a_second(
        "another desk's patient edit",
        &desk,
        format!(
            "UPDATE clinic.patients SET phone = '+44 20 7946 0002' WHERE id = {}",
            w.p_own
        )
        .as_str(),
    )
    .await;
    within_a_second(
        "a doctor's chart opening",
        &doctor,
        &format!("SELECT count(*) FROM clinic.open_chart({})", w.p_own),
    )
    .await;

    // Sealing skips the open transaction's entries and seals everything finished.
    assert!(one_i64(&desk, "SELECT clinic.audit_seal()").await >= 3);
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
    ok(&idle, "COMMIT").await;
    // The late commit's entries are sealed after the later ones, and the chain still holds.
    assert_eq!(
        one_i64(&ad, "SELECT unsealed FROM clinic.audit_status()").await,
        0
    );
    assert_eq!(one_opt_i64(&ad, "SELECT clinic.audit_verify()").await, None);
    let (late, first_after): (i64, i64) = {
        let r = ad
            .query_one(
                &format!(
                    "SELECT (SELECT seq FROM clinic.audit_log WHERE table_name = 'patients'
                              AND row_id = {} AND action = 'update'),
                            (SELECT seq FROM clinic.audit_log WHERE table_name = 'patients'
                              AND row_id = {} AND action = 'update')",
                    w.p_stranger, w.p_own
                ),
                &[],
            )
            .await
            .expect("seqs");
        (r.get(0), r.get(1))
    };
    assert!(
        late > first_after,
        "sealed in the order transactions finished: {late} after {first_after}"
    );
}

/// A sealer left in an open transaction holds the chain's head, and that only delays sealing:
/// writers go on, the next sealer returns at once with nothing sealed, and the admin sees entries
/// waiting; once it ends, sealing catches up.
#[tokio::test]
async fn a_sealer_left_open_delays_only_sealing() {
    let w = World::new().await;
    let rc = w.connect(&w.receptionist).await;
    let other = w.connect(&w.receptionist).await;
    let ad = w.connect(&w.admin).await;
    ok(&rc, "BEGIN").await;
    ok(&rc, "SELECT clinic.audit_seal()").await;
    within_a_second(
        "a patient edit while the head is held",
        &other,
        &format!(
            "UPDATE clinic.patients SET phone = '+44 20 7946 0003' WHERE id = {}",
            w.p_own
        ),
    )
    .await;
    let sealed = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        other.query_one("SELECT clinic.audit_seal()", &[]),
    )
    .await
    .expect("the second sealer does not wait")
    .expect("seal");
    assert_eq!(sealed.get::<_, i64>(0), 0);
    assert!(one_i64(&ad, "SELECT unsealed FROM clinic.audit_status()").await >= 1);
    ok(&rc, "COMMIT").await;
    assert!(one_i64(&other, "SELECT clinic.audit_seal()").await >= 1);
    assert_eq!(one_i64(&other, "SELECT clinic.audit_seal()").await, 0);
    assert_eq!(
        one_i64(&ad, "SELECT unsealed FROM clinic.audit_status()").await,
        0
    );
    // Only an administrator reads the chain's state.
    assert_eq!(
        err_code(&rc, "SELECT * FROM clinic.audit_status()").await,
        "42501"
    );
}

async fn within_a_second(what: &str, c: &tokio_postgres::Client, sql: &str) {
    let done = tokio::time::timeout(std::time::Duration::from_secs(1), c.batch_execute(sql)).await;
    assert!(matches!(done, Ok(Ok(()))), "{what}: {done:?}");
}

/// `clinic audit verify` as the admin: the chain's head on stdout, to keep outside the database;
/// after tampering, a non-zero exit naming the entry.
#[tokio::test]
async fn clinic_audit_verify_prints_the_head_and_fails_on_tampering() {
    let w = World::new().await;
    let su = w.su().await;
    let ad = w.connect(&w.admin).await;
    let home = tempfile::tempdir().expect("home");
    let server = w.db.server_config();
    let config = home.path().join("clinic.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhost = \"{}\"\nport = {}\ndbname = \"{}\"\n",
            server.host, server.port, server.dbname
        ),
    )
    .expect("config");
    let run = |what: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_clinic"))
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("PGPASSWORD", &w.admin.password)
            .stdin(std::process::Stdio::null())
            .args(["--config", config.to_str().expect("path"), "audit", what])
            .args(["-U", &w.admin.user])
            .output()
            .expect("clinic runs")
    };
    let sealed = run("seal");
    assert!(sealed.status.success(), "{sealed:?}");
    let out = run("verify");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("The audit chain is whole"), "{stdout}");
    let head = ad
        .query_one(
            "SELECT head_seq::text || ':' || encode(head_hash, 'hex') FROM clinic.audit_status()",
            &[],
        )
        .await
        .expect("head")
        .get::<_, String>(0);
    assert!(
        stdout.contains(&format!("head {head}")),
        "{stdout} vs {head}"
    );

    let victim = one_i64(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY seq LIMIT 1 OFFSET 2",
    )
    .await;
    ok(
        &su,
        &format!(
            "ALTER TABLE clinic.audit_log DISABLE TRIGGER audit_log_no_update;
             UPDATE clinic.audit_log SET action = 'nothing to see' WHERE id = {victim};
             ALTER TABLE clinic.audit_log ENABLE TRIGGER audit_log_no_update;"
        ),
    )
    .await;
    let out = run("verify");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        stderr.contains(&format!("broken at entry {victim}")),
        "{stderr}"
    );
}
