//! The chunked chain check with progress agrees with clinic.audit_verify(), whole and broken.

use super::support::TestDb;
use super::{ids, write_entries};
use clinic::db::audit_trail::{self};
use clinic::domain::staff::Job;
use tokio_postgres::Client;

async fn verify_both(admin: &mut Client) -> (Option<i64>, Vec<(u64, u64)>, String) {
    let mut seen = Vec::new();
    let check =
        audit_trail::verify_chain_in_chunks(admin, 4, &mut |done, of| seen.push((done, of)))
            .await
            .expect("verify");
    let whole: Option<i64> = admin
        .query_one("SELECT clinic.audit_verify()", &[])
        .await
        .expect("audit_verify")
        .get(0);
    assert_eq!(check.broken.as_ref().map(|b| b.id), whole, "{check:?}");
    (whole, seen, check.words(chrono_tz::UTC))
}

async fn tamper(su: &Client, sql: &str) {
    su.batch_execute(&format!(
        "ALTER TABLE clinic.audit_log DISABLE TRIGGER audit_log_no_update; {sql};
         ALTER TABLE clinic.audit_log ENABLE TRIGGER audit_log_no_update;"
    ))
    .await
    .expect("tampered");
}

#[tokio::test]
async fn the_chain_check_in_chunks_agrees_with_audit_verify() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let mut admin = db.connect(&ada).await;
    write_entries(&su, &ada, 30, "chained").await;

    let (broken, seen, words) = verify_both(&mut admin).await;
    assert_eq!(broken, None);
    let sealed: i64 = admin
        .query_one("SELECT sealed FROM clinic.audit_status()", &[])
        .await
        .expect("status")
        .get(0);
    let sealed = u64::try_from(sealed).expect("a count");
    assert!(seen.len() >= 8, "chunks of 4: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(seen.last(), Some(&(sealed, sealed)));
    assert!(
        words.starts_with(&format!(
            "The audit trail is whole: {sealed} entries, the newest sealed at "
        )),
        "{words}"
    );

    let id_at = |seq: i64| format!("SELECT id FROM clinic.audit_log WHERE seq = {seq}");
    // An entry changed in the middle (in the sixth chunk).
    let victim = ids(&su, &id_at(22)).await[0];
    tamper(
        &su,
        &format!("UPDATE clinic.audit_log SET actor_login = 'nobody' WHERE id = {victim}"),
    )
    .await;
    let (broken, _, words) = verify_both(&mut admin).await;
    assert_eq!(broken, Some(victim));
    assert!(
        words.contains(&format!("broken at entry {victim} (at ")) && words.contains("by nobody"),
        "{words}"
    );
    // A fresh chain for the next breaks.
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let mut admin = db.connect(&ada).await;
    write_entries(&su, &ada, 30, "chained").await;
    verify_both(&mut admin).await;
    // Cut off the end: the head remembers the last entry.
    let last = ids(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY seq DESC LIMIT 1",
    )
    .await[0];
    tamper(
        &su,
        &format!("DELETE FROM clinic.audit_log WHERE id = {last}"),
    )
    .await;
    let (broken, _, words) = verify_both(&mut admin).await;
    assert_eq!(broken, Some(last));
    assert!(words.contains("the entry is gone"), "{words}");
    // Cut out of the middle, on a chunk's edge: the next entry no longer follows.
    let (gone, next) = (ids(&su, &id_at(8)).await[0], ids(&su, &id_at(9)).await[0]);
    tamper(
        &su,
        &format!("DELETE FROM clinic.audit_log WHERE id = {gone}"),
    )
    .await;
    let (broken, _, _) = verify_both(&mut admin).await;
    assert_eq!(broken, Some(next));
}
