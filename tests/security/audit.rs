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
