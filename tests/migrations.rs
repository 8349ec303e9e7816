//! Migrations: a fresh apply, a re-run that changes nothing, an edited migration refused.

mod support;

use clinic::db::migrate::{self, MigrateError, MIGRATIONS};
use support::TestDb;

#[tokio::test]
async fn fresh_apply_then_rerun_is_a_no_op() {
    let db = TestDb::empty().await;
    let mut su = db.superuser().await;
    let applied = migrate::migrate(&mut su).await.expect("fresh apply");
    assert_eq!(applied.len(), MIGRATIONS.len());
    assert!(
        applied.windows(2).all(|w| w[0] < w[1]),
        "applied in order: {applied:?}"
    );
    let recorded: i64 = su
        .query_one("SELECT count(*) FROM clinic_meta.migrations", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(recorded as usize, MIGRATIONS.len());

    let again = migrate::migrate(&mut su).await.expect("re-run");
    assert!(again.is_empty(), "nothing to do the second time: {again:?}");
    let tables: i64 = su
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'clinic' AND tablename = ANY($1)",
            &[&vec![
                "staff",
                "patients",
                "appointments",
                "medical_records",
                "invoices",
                "invoice_lines",
                "payments",
                "audit_log",
            ]],
        )
        .await
        .expect("tables")
        .get(0);
    assert_eq!(tables, 8);
}

#[tokio::test]
async fn an_edited_migration_is_refused_with_its_name() {
    let db = TestDb::empty().await;
    let mut su = db.superuser().await;
    migrate::migrate(&mut su).await.expect("fresh apply");
    let mut edited: Vec<(&str, String)> = MIGRATIONS
        .iter()
        .map(|(n, t)| (*n, (*t).to_string()))
        .collect();
    edited[1].1.push_str("\n-- a sneaky edit\n");
    let list: Vec<(&str, &str)> = edited.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let err = migrate::migrate_with(&mut su, &list)
        .await
        .expect_err("edited migration refused");
    match &err {
        MigrateError::Edited { name, .. } => assert_eq!(name, MIGRATIONS[1].0),
        other => panic!("expected Edited, got {other:?}"),
    }
    assert!(err.to_string().contains(MIGRATIONS[1].0), "{err}");
    // And the lock was released: a normal run still works.
    assert!(migrate::migrate(&mut su)
        .await
        .expect("still fine")
        .is_empty());
}

#[tokio::test]
async fn a_failing_migration_leaves_nothing_half_applied() {
    let db = TestDb::empty().await;
    let mut su = db.superuser().await;
    let mut list: Vec<(&str, &str)> = MIGRATIONS.to_vec();
    list.push((
        "9999_broken.sql",
        "CREATE TABLE clinic.half (id int); SELECT no_such_function();",
    ));
    let err = migrate::migrate_with(&mut su, &list)
        .await
        .expect_err("broken migration fails");
    assert!(err.to_string().contains("9999_broken.sql"), "{err}");
    let half: i64 = su
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'clinic' AND tablename = 'half'",
            &[],
        )
        .await
        .expect("q")
        .get(0);
    assert_eq!(
        half, 0,
        "the broken migration's first statement was rolled back"
    );
    let recorded: i64 = su
        .query_one("SELECT count(*) FROM clinic_meta.migrations", &[])
        .await
        .expect("q")
        .get(0);
    assert_eq!(
        recorded as usize,
        MIGRATIONS.len(),
        "the good ones stay applied"
    );
}

#[tokio::test]
async fn two_concurrent_runs_do_not_interleave() {
    let db = TestDb::empty().await;
    let mut a = db.superuser().await;
    let mut b = db.superuser().await;
    let (ra, rb) = tokio::join!(migrate::migrate(&mut a), migrate::migrate(&mut b));
    let (ra, rb) = (ra.expect("run a"), rb.expect("run b"));
    assert_eq!(
        ra.len() + rb.len(),
        MIGRATIONS.len(),
        "each migration applied exactly once"
    );
    assert!(
        ra.is_empty() || rb.is_empty(),
        "one run did everything, the other waited: {ra:?} {rb:?}"
    );
}
