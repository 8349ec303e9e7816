//! The books, end to end by real logins: lines with discount and tax, a status that follows the
//! money, overpayments turned into credit and credit used, refunds, credit notes, idempotent
//! retries, and invoicing completed appointments.

use tokio_postgres::Client;

use crate::common::{add_patient, err_code, ok, one_i64, one_string, sid, strings, World};

async fn new_invoice(ac: &Client, patient: i64, lines: &[(i32, i64, i64, &str)]) -> i64 {
    let inv = one_i64(
        ac,
        &format!("INSERT INTO clinic.invoices (patient_id, currency) VALUES ({patient}, 'EUR') RETURNING id"),
    )
    .await;
    for (qty, unit, discount, tax) in lines {
        ok(
            ac,
            &format!(
                "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor, discount_minor, tax_rate)
                 VALUES ({inv}, 'Service', {qty}, {unit}, {discount}, {tax})"
            ),
        )
        .await;
    }
    inv
}

async fn state(c: &Client, inv: i64) -> (String, i64, i64, i64) {
    let r = c
        .query_one(
            "SELECT status, total_minor, paid_minor, credited_minor FROM clinic.invoices WHERE id = $1",
            &[&inv],
        )
        .await
        .expect("invoice");
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

fn key(n: u32) -> String {
    format!("00000000-0000-4000-8003-{n:012}")
}

fn pay(inv: i64, amount: i64, method: &str, n: u32) -> String {
    format!(
        "SELECT (clinic.record_payment({inv}, {amount}, '{method}', 'ref {n}', '{}')).*",
        key(n)
    )
}

/// Net, tax and total by the database, per line, rounded half away from zero.
#[tokio::test]
async fn lines_carry_discount_and_tax_and_the_total_follows() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    // 2 x 33.33 - 1.00 = 65.66 net, 20% tax = 13.132 -> 13.13; 1 x 0.05 at 10% = 0.005 -> 0.01.
    let inv = new_invoice(&ac, w.p_own, &[(2, 3333, 100, "20"), (1, 5, 0, "10")]).await;
    let lines = strings(
        &ac,
        &format!(
            "SELECT net_minor || '+' || tax_minor || '=' || amount_minor FROM clinic.invoice_lines
              WHERE invoice_id = {inv} ORDER BY id"
        ),
    )
    .await;
    assert_eq!(lines, ["6566+1313=7879", "5+1=6"]);
    assert_eq!(
        one_string(
            &ac,
            &format!(
                "SELECT total_minor || ' ' || tax_minor FROM clinic.invoices WHERE id = {inv}"
            )
        )
        .await,
        "7885 1314"
    );
    // A discount beyond the line's price is refused at the column.
    assert_eq!(
        err_code(
            &ac,
            &format!("INSERT INTO clinic.invoice_lines (invoice_id, description, unit_price_minor, discount_minor) VALUES ({inv}, 'X', 100, 101)")
        )
        .await,
        "23514"
    );
    // Issued: numbered at once, lines fixed.
    let number = one_string(
        &ac,
        &format!("SELECT clinic.issue_invoice({inv}, current_date + 30)"),
    )
    .await;
    assert!(
        number.len() == 11 && number.as_bytes()[4] == b'-',
        "{number}"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!("UPDATE clinic.invoice_lines SET discount_minor = 0 WHERE invoice_id = {inv}")
        )
        .await,
        "23514"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!("SELECT clinic.issue_invoice({inv}, current_date + 30)")
        )
        .await,
        "23514"
    );
}

/// issued -> partially_paid -> paid and back by a refund; an overpayment becomes credit, credit
/// pays another invoice, never more than there is; refunds never exceed what was paid.
#[tokio::test]
async fn the_status_follows_the_money_and_no_cent_is_lost() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let rc = w.connect(&w.receptionist).await;
    let p = add_patient(&w.su().await, "Credit").await;
    let a = new_invoice(&ac, p, &[(1, 10000, 0, "0")]).await;
    let b = new_invoice(&ac, p, &[(1, 3000, 0, "0")]).await;
    for inv in [a, b] {
        ok(
            &ac,
            &format!("SELECT clinic.issue_invoice({inv}, current_date + 30)"),
        )
        .await;
    }
    assert_eq!(state(&ac, a).await, ("issued".into(), 10000, 0, 0));

    // The desk takes part, then more than is left: the rest is the patient's credit.
    let r = rc
        .query_one(&pay(a, 4000, "cash", 1), &[])
        .await
        .expect("pays");
    assert_eq!(
        (
            r.get::<_, i64>("applied_minor"),
            r.get::<_, i64>("credit_minor")
        ),
        (4000, 0)
    );
    assert_eq!(state(&ac, a).await.0, "partially_paid");
    let r = rc
        .query_one(&pay(a, 8000, "card", 2), &[])
        .await
        .expect("pays");
    assert_eq!(
        (
            r.get::<_, i64>("applied_minor"),
            r.get::<_, i64>("credit_minor")
        ),
        (6000, 2000)
    );
    assert_eq!(state(&ac, a).await, ("paid".into(), 10000, 10000, 0));
    let credit = format!("SELECT clinic.credit_balance({p}, 'EUR')");
    assert_eq!(one_i64(&rc, &credit).await, 2000);

    // Credit pays another invoice, no more than it owes and no more than there is.
    assert_eq!(err_code(&ac, &pay(b, 2500, "credit", 3)).await, "23514");
    ok(&ac, &pay(b, 1500, "credit", 4)).await;
    assert_eq!(
        state(&ac, b).await,
        ("partially_paid".into(), 3000, 1500, 0)
    );
    assert_eq!(one_i64(&ac, &credit).await, 500);
    assert_eq!(err_code(&ac, &pay(b, 600, "credit", 5)).await, "23514");

    // Refunds: the desk may not; accounts never more than was paid.
    let refund = |inv: i64, amount: i64, n: u32| {
        format!(
            "SELECT clinic.record_refund({inv}, {amount}, 'card', NULL, '{}')",
            key(n)
        )
    };
    assert_eq!(err_code(&rc, &refund(a, 100, 6)).await, "42501");
    assert_eq!(err_code(&ac, &refund(a, 10001, 7)).await, "23514");
    ok(&ac, &refund(a, 100, 8)).await;
    assert_eq!(
        state(&ac, a).await,
        ("partially_paid".into(), 10000, 9900, 0)
    );
    assert_eq!(
        err_code(
            &ac,
            &format!(
                "SELECT clinic.record_refund({a}, 100, 'credit', NULL, '{}')",
                key(9)
            )
        )
        .await,
        "23514"
    );

    // Credit paid back: accounts only, never more than the credit.
    let back = |amount: i64, n: u32| {
        format!(
            "SELECT clinic.refund_credit({p}, 'EUR', {amount}, 'cash', 'counter', '{}')",
            key(n)
        )
    };
    assert_eq!(err_code(&rc, &back(100, 10)).await, "42501");
    assert_eq!(err_code(&ac, &back(501, 11)).await, "23514");
    let first = one_i64(&ac, &back(500, 12)).await;
    assert_eq!(
        one_i64(&ac, &back(500, 12)).await,
        first,
        "a retry answers as the first"
    );
    assert_eq!(err_code(&ac, &back(400, 12)).await, "23505");
    assert_eq!(one_i64(&ac, &credit).await, 0);

    // Every cent: money in less money out equals what the invoices were paid plus the credit.
    let su = w.su().await;
    let received = one_i64(
        &su,
        &format!(
            "SELECT sum(amount_minor)::bigint FROM clinic.payments y JOIN clinic.invoices i ON i.id = y.invoice_id
              WHERE i.patient_id = {p} AND y.method <> 'credit'"
        ),
    )
    .await;
    let paid_back = one_i64(
        &su,
        &format!("SELECT -COALESCE(sum(amount_minor), 0)::bigint FROM clinic.patient_credit WHERE patient_id = {p} AND kind = 'refunded'"),
    )
    .await;
    let on_invoices = one_i64(
        &su,
        &format!("SELECT sum(paid_minor)::bigint FROM clinic.invoices WHERE patient_id = {p}"),
    )
    .await;
    assert_eq!(
        received - paid_back,
        on_invoices + one_i64(&su, &credit).await
    );
    // The ledger is append-only for everyone, the superuser included.
    assert_eq!(
        err_code(
            &su,
            &format!("DELETE FROM clinic.patient_credit WHERE patient_id = {p}")
        )
        .await,
        "42501"
    );
}

/// A retry with the same key records nothing and answers as the first did; the key of another
/// payment is refused.
#[tokio::test]
async fn a_retried_payment_is_recorded_once_and_answers_alike() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let rc = w.connect(&w.receptionist).await;
    let inv = w.inv_issued;
    let first = rc
        .query_one(&pay(inv, 700, "card", 20), &[])
        .await
        .expect("first");
    let again = ac
        .query_one(&pay(inv, 700, "card", 20), &[])
        .await
        .expect("retry");
    for col in [
        "payment_id",
        "amount_minor",
        "applied_minor",
        "credit_minor",
    ] {
        assert_eq!(first.get::<_, i64>(col), again.get::<_, i64>(col), "{col}");
    }
    assert_eq!(
        first.get::<_, chrono::DateTime<chrono::Utc>>("received_at"),
        again.get::<_, chrono::DateTime<chrono::Utc>>("received_at")
    );
    assert_eq!(err_code(&rc, &pay(inv, 701, "card", 20)).await, "23505");
    assert_eq!(
        one_i64(
            &ac,
            &format!(
                "SELECT count(*) FROM clinic.payments WHERE idempotency_key = '{}'",
                key(20)
            )
        )
        .await,
        1
    );
    // Stamped by the database with the person who took it.
    assert_eq!(
        one_i64(
            &ac,
            &format!(
                "SELECT received_by FROM clinic.payments WHERE idempotency_key = '{}'",
                key(20)
            )
        )
        .await,
        sid(&w.receptionist)
    );
}

/// A credit note corrects an issued invoice: numbered in the same series, it takes its total off
/// the invoice; what had been paid beyond what is now owed becomes credit.
#[tokio::test]
async fn credit_notes_correct_issued_invoices() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let p = add_patient(&w.su().await, "Corrected").await;
    let inv = new_invoice(&ac, p, &[(1, 6000, 0, "0"), (1, 2000, 0, "0")]).await;
    ok(
        &ac,
        &format!("SELECT clinic.issue_invoice({inv}, current_date + 30)"),
    )
    .await;
    ok(&ac, &pay(inv, 8000, "card", 30)).await;
    assert_eq!(
        err_code(&ac, &format!("SELECT clinic.credit_note({inv}, '  ')")).await,
        "23514"
    );
    let cn = one_i64(
        &ac,
        &format!("SELECT clinic.credit_note({inv}, 'ECG not done')"),
    )
    .await;
    // Prefilled with every line; keep the one to credit.
    ok(
        &ac,
        &format!(
            "DELETE FROM clinic.invoice_lines WHERE invoice_id = {cn} AND unit_price_minor = 6000"
        ),
    )
    .await;
    let number = one_string(&ac, &format!("SELECT clinic.issue_invoice({cn}, NULL)")).await;
    assert!(number.starts_with(&one_string(&ac, "SELECT extract(year FROM now())::text").await));
    assert_eq!(state(&ac, inv).await, ("paid".into(), 8000, 6000, 2000));
    assert_eq!(state(&ac, cn).await.0, "issued");
    assert_eq!(
        one_i64(&ac, &format!("SELECT clinic.credit_balance({p}, 'EUR')")).await,
        2000
    );
    // No payment on a credit note; no more credit than is left; nothing voided once credited.
    assert_eq!(err_code(&ac, &pay(cn, 100, "cash", 31)).await, "23514");
    let cn2 = one_i64(
        &ac,
        &format!("SELECT clinic.credit_note({inv}, 'Everything')"),
    )
    .await;
    assert_eq!(
        err_code(&ac, &format!("SELECT clinic.issue_invoice({cn2}, NULL)")).await,
        "23514"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!(
                "UPDATE clinic.invoices SET status = 'void', void_reason = 'x' WHERE id = {cn}"
            )
        )
        .await,
        "23514"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!(
                "UPDATE clinic.invoices SET status = 'void', void_reason = 'x' WHERE id = {inv}"
            )
        )
        .await,
        "23514"
    );
}

/// A completed appointment is invoiced with its suggested services once; a day's are previewed
/// (no reason shown) and then invoiced, issued and numbered together.
#[tokio::test]
async fn completed_appointments_are_invoiced_once_from_their_services() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let su = w.su().await;
    let doctor = sid(&w.doctor);
    let mut appts = Vec::new();
    for (i, reason) in ["Follow-up", "Follow-up", "Something unlisted"]
        .iter()
        .enumerate()
    {
        let p = add_patient(&su, &format!("Day{i}")).await;
        appts.push(
            one_i64(
                &su,
                &format!(
                    "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, reason)
                     VALUES ({p}, {doctor}, date_trunc('day', now()) - interval '1 day' + interval '{h} hours',
                             date_trunc('day', now()) - interval '1 day' + interval '{h} hours 15 minutes', 'completed', '{reason}')
                     RETURNING id",
                    h = 8 + i
                ),
            )
            .await,
        );
    }
    ok(&su, "UPDATE clinic.settings SET time_zone = 'UTC'").await;
    let day = "(current_date - 1)";
    let preview = ac
        .query(
            &format!("SELECT appointment_id, services, total_minor FROM clinic.uninvoiced_appointments({day}, 'EUR')"),
            &[],
        )
        .await
        .expect("preview");
    let seen: Vec<(i64, String, i64)> = preview
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        seen,
        [
            (appts[0], "CONSULT".into(), 5000),
            (appts[1], "CONSULT".into(), 5000),
            (appts[2], String::new(), 0)
        ]
    );
    // One by hand first; the day's run skips it and the one with nothing to charge.
    let one = one_i64(
        &ac,
        &format!("SELECT clinic.invoice_appointment({}, 'EUR')", appts[0]),
    )
    .await;
    assert_eq!(state(&ac, one).await, ("draft".into(), 5000, 0, 0));
    assert_eq!(
        err_code(
            &ac,
            &format!("SELECT clinic.invoice_appointment({}, 'EUR')", appts[0])
        )
        .await,
        "23505"
    );
    let ids = appts
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let made = one_i64(
        &ac,
        &format!("SELECT count(*) FROM clinic.invoice_appointments(ARRAY[{ids}], 'EUR', current_date + 30)"),
    )
    .await;
    assert_eq!(made, 1);
    let issued = one_string(
        &ac,
        &format!(
            "SELECT status || ' ' || invoice_number FROM clinic.invoices WHERE appointment_id = {}",
            appts[1]
        ),
    )
    .await;
    assert!(issued.starts_with("issued 20"), "{issued}");
    assert_eq!(
        one_i64(
            &ac,
            &format!("SELECT count(*) FROM clinic.uninvoiced_appointments({day}, 'EUR')")
        )
        .await,
        1
    );
    // The scheduled one is not invoiced.
    assert_eq!(
        err_code(
            &ac,
            &format!(
                "SELECT clinic.invoice_appointment({}, 'EUR')",
                w.appt_scheduled
            )
        )
        .await,
        "23514"
    );
}
