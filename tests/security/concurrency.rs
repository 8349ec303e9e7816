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
    // Every cent received is somewhere: the invoice took what it owed (5000), the rest is the
    // patient's credit.
    let received = start + 3500 + (1..=8).map(|k| 100 * k).sum::<i64>();
    let total = one_i64(
        &su,
        &format!("SELECT total_minor FROM clinic.invoices WHERE id = {inv}"),
    )
    .await;
    assert!(received > total, "the race overpays on purpose");
    assert_eq!(one_i64(&su, &paid).await, total);
    let sums = format!(
        "SELECT sum(amount_minor)::bigint, sum(applied_minor)::bigint FROM clinic.payments WHERE invoice_id = {inv}"
    );
    let row = su.query_one(&sums, &[]).await.expect("sums");
    assert_eq!(
        (row.get::<_, i64>(0), row.get::<_, i64>(1)),
        (received, total)
    );
    assert_eq!(
        one_i64(
            &su,
            &format!("SELECT clinic.credit_balance({}, 'EUR')", w.p_own)
        )
        .await,
        received - total
    );
    assert_eq!(
        crate::common::one_string(
            &su,
            &format!("SELECT status FROM clinic.invoices WHERE id = {inv}")
        )
        .await,
        "paid"
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

/// Eight connections (desks and accounts) saving the same payment at once, as a retry storm would:
/// one payment, and every one of them told the same receipt.
#[tokio::test]
async fn a_payment_saved_from_many_connections_at_once_lands_once() {
    let w = World::new().await;
    let su = w.su().await;
    let inv = w.inv_issued;
    let paid = format!("SELECT paid_minor FROM clinic.invoices WHERE id = {inv}");
    let start = one_i64(&su, &paid).await;
    let mut conns = Vec::new();
    for i in 0..8 {
        let who = if i % 2 == 0 {
            &w.receptionist
        } else {
            &w.accountant
        };
        conns.push(w.connect(who).await);
    }
    let sql = format!(
        "SELECT (r).payment_id, (r).applied_minor, (r).credit_minor
           FROM clinic.record_payment({inv}, 1200, 'cash', NULL, '00000000-0000-4000-8000-000000000401') AS r"
    );
    let answers = futures::future::join_all(conns.iter().map(|c| c.query_one(&sql, &[]))).await;
    let receipts: Vec<(i64, i64, i64)> = answers
        .into_iter()
        .map(|r| {
            let r = r.expect("every retry answers");
            (r.get(0), r.get(1), r.get(2))
        })
        .collect();
    assert!(receipts.windows(2).all(|p| p[0] == p[1]), "{receipts:?}");
    assert_eq!(one_i64(&su, &paid).await, start + 1200);
}

/// Two desks using the same patient's credit on two invoices at once: never more than there is.
#[tokio::test]
async fn credit_used_from_two_connections_is_never_overdrawn() {
    let w = World::new().await;
    let su = w.su().await;
    let ac = w.connect(&w.accountant).await;
    let p = w.p_own;
    let inv = w.inv_issued;
    // 1000 paid of 5000: pay 5000 more, 1000 of it becomes credit.
    ok(&ac, &format!("SELECT clinic.record_payment({inv}, 5000, 'card', NULL, '00000000-0000-4000-8000-000000000501')")).await;
    assert_eq!(
        one_i64(&su, &format!("SELECT clinic.credit_balance({p}, 'EUR')")).await,
        1000
    );
    let mut others = Vec::new();
    for _ in 0..2 {
        let other = crate::common::add_invoice(&su, p).await;
        crate::common::add_line(&su, other, 1, 5000).await;
        crate::common::issue(&su, other).await;
        others.push(other);
    }
    let a = w.connect(&w.receptionist).await;
    let b = w.connect(&w.accountant).await;
    let use_credit = |inv: i64, n: u32| {
        format!("SELECT clinic.record_payment({inv}, 800, 'credit', NULL, '00000000-0000-4000-8000-{n:012}')")
    };
    let (sql_a, sql_b) = (use_credit(others[0], 502), use_credit(others[1], 503));
    let (ra, rb) = tokio::join!(a.simple_query(&sql_a), b.simple_query(&sql_b));
    let refused: Vec<String> = [ra, rb]
        .into_iter()
        .filter_map(|r| r.err().map(|e| sqlstate(&e)))
        .collect();
    assert_eq!(refused, ["23514"], "exactly one is refused");
    assert_eq!(
        one_i64(&su, &format!("SELECT clinic.credit_balance({p}, 'EUR')")).await,
        200
    );
}
