//! Concurrency: several real connections racing to pay the same invoice.

use crate::common::{ok, one_i64, wait_for_lock_waiter, World};
use crate::support::sqlstate;

#[tokio::test]
async fn racing_payments_on_one_invoice_lose_nothing() {
    let w = World::new().await;
    let su = w.su().await;
    let inv = w.inv_issued;
    let paid = format!("SELECT paid_minor FROM clinic.invoices WHERE id = {inv}");
    let start = one_i64(&su, &paid).await;
    let pay = |amount: i64, key: u32| {
        format!(
            "INSERT INTO clinic.payments (invoice_id, amount_minor, method, idempotency_key)
             VALUES ({inv}, {amount}, 'card', '00000000-0000-4000-8000-{key:012}')"
        )
    };

    // Forced interleaving: A holds the invoice row, B queues behind it, A commits, B goes on.
    let a = w.connect(&w.receptionist).await;
    let b = w.connect(&w.accountant).await;
    ok(&a, "BEGIN").await;
    ok(&a, &pay(1000, 101)).await;
    let b_sql = pay(2500, 102);
    let b_pays = b.batch_execute(&b_sql);
    let a_commits = async {
        wait_for_lock_waiter(&su).await;
        a.batch_execute("COMMIT").await
    };
    let (rb, ra) = tokio::join!(b_pays, a_commits);
    ra.expect("A commits");
    rb.expect("B's payment lands after A's");
    assert_eq!(one_i64(&su, &paid).await, start + 3500);

    // And a free-for-all from many connections.
    let mut conns = Vec::new();
    for i in 0..8 {
        let who = if i % 2 == 0 {
            &w.receptionist
        } else {
            &w.accountant
        };
        conns.push(w.connect(who).await);
    }
    let results = futures::future::join_all(conns.iter().enumerate().map(|(i, c)| async move {
        c.batch_execute(&pay(100 * (i as i64 + 1), 200 + i as u32))
            .await
    }))
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let expected = start + 3500 + (1..=8).map(|k| 100 * k).sum::<i64>();
    assert_eq!(one_i64(&su, &paid).await, expected);
    assert_eq!(
        one_i64(
            &su,
            &format!(
                "SELECT sum(amount_minor)::bigint FROM clinic.payments WHERE invoice_id = {inv}"
            )
        )
        .await,
        expected
    );
}

#[tokio::test]
async fn the_same_idempotency_key_from_two_desks_lands_once() {
    let w = World::new().await;
    let su = w.su().await;
    let inv = w.inv_issued;
    let paid = format!("SELECT paid_minor FROM clinic.invoices WHERE id = {inv}");
    let start = one_i64(&su, &paid).await;
    let pay = |key: &str| {
        format!(
            "INSERT INTO clinic.payments (invoice_id, amount_minor, method, idempotency_key)
             VALUES ({inv}, 700, 'card', '{key}')"
        )
    };
    let a = w.connect(&w.receptionist).await;
    let b = w.connect(&w.accountant).await;

    // A commits: B, which waited on the key, is refused.
    let k1 = "00000000-0000-4000-8000-000000000301";
    ok(&a, "BEGIN").await;
    ok(&a, &pay(k1)).await;
    let b_sql = pay(k1);
    let b_pays = b.simple_query(&b_sql);
    let a_commits = async {
        wait_for_lock_waiter(&su).await;
        a.batch_execute("COMMIT").await
    };
    let (rb, ra) = tokio::join!(b_pays, a_commits);
    ra.expect("A commits");
    assert_eq!(
        rb.map(|_| ()).map_err(|e| sqlstate(&e)),
        Err("23505".to_string())
    );
    assert_eq!(one_i64(&su, &paid).await, start + 700);

    // A rolls back: B's waiting insert is the one that lands.
    let k2 = "00000000-0000-4000-8000-000000000302";
    ok(&a, "BEGIN").await;
    ok(&a, &pay(k2)).await;
    let b_sql = pay(k2);
    let b_pays = b.simple_query(&b_sql);
    let a_rolls_back = async {
        wait_for_lock_waiter(&su).await;
        a.batch_execute("ROLLBACK").await
    };
    let (rb, ra) = tokio::join!(b_pays, a_rolls_back);
    ra.expect("A rolls back");
    assert!(rb.is_ok(), "{rb:?}");
    assert_eq!(one_i64(&su, &paid).await, start + 1400);
    assert_eq!(
        one_i64(
            &su,
            &format!(
                "SELECT count(*) FROM clinic.payments WHERE idempotency_key IN ('{k1}', '{k2}')"
            )
        )
        .await,
        2
    );
}
