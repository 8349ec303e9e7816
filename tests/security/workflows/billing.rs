//! Invoices and payments, with totals kept by the database.

use crate::common::{err_code, ok, one_bool, one_i64, one_string, sid, World};

#[tokio::test]
async fn invoice_totals_and_balances_are_kept_by_the_database() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let rc = w.connect(&w.receptionist).await;
    let su = w.su().await;
    let p = w.p_own;

    let inv = one_i64(
        &ac,
        &format!(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ({p}, 'EUR') RETURNING id"
        ),
    )
    .await;
    let total = format!("SELECT total_minor FROM clinic.invoices WHERE id = {inv}");
    let paid = format!("SELECT paid_minor FROM clinic.invoices WHERE id = {inv}");
    let l1 = one_i64(
        &ac,
        &format!(
            "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
             VALUES ({inv}, 'Consultation', 2, 1500) RETURNING id"
        ),
    )
    .await;
    ok(
        &ac,
        &format!(
            "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
             VALUES ({inv}, 'Dressing', 1, 700)"
        ),
    )
    .await;
    assert_eq!(one_i64(&ac, &total).await, 3700);
    ok(
        &ac,
        &format!("UPDATE clinic.invoice_lines SET quantity = 3 WHERE id = {l1}"),
    )
    .await;
    assert_eq!(one_i64(&ac, &total).await, 5200);
    ok(
        &ac,
        &format!("DELETE FROM clinic.invoice_lines WHERE id = {l1}"),
    )
    .await;
    assert_eq!(one_i64(&ac, &total).await, 700);

    let pay = |who: &str, kind: &str, amount: i64, key: u32, on: i64| {
        format!(
            "INSERT INTO clinic.payments (invoice_id, kind, amount_minor, method, idempotency_key{})
             VALUES ({on}, '{kind}', {amount}, 'card', '00000000-0000-4000-8001-{key:012}'{})",
            if who.is_empty() { "" } else { ", received_by" },
            if who.is_empty() { String::new() } else { format!(", {who}") }
        )
    };
    // A draft takes no payment.
    assert_eq!(
        err_code(&rc, &pay("", "payment", 700, 1, inv)).await,
        "23514"
    );
    assert_eq!(
        err_code(&ac, &pay("", "payment", 700, 1, inv)).await,
        "23514"
    );
    assert_eq!(one_i64(&ac, &paid).await, 0);

    ok(
        &ac,
        &format!(
            "UPDATE clinic.invoices SET status = 'issued', issued_at = now() WHERE id = {inv}"
        ),
    )
    .await;
    // An issued invoice's lines are fixed.
    assert_eq!(
        err_code(
            &ac,
            &format!("INSERT INTO clinic.invoice_lines (invoice_id, description, unit_price_minor) VALUES ({inv}, 'More', 100)")
        )
        .await,
        "23514"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!("UPDATE clinic.invoice_lines SET quantity = 9 WHERE invoice_id = {inv}")
        )
        .await,
        "23514"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!("DELETE FROM clinic.invoice_lines WHERE invoice_id = {inv}")
        )
        .await,
        "23514"
    );
    assert_eq!(one_i64(&ac, &total).await, 700);

    // Reception takes a payment in their own name; not a refund, not in someone else's name.
    ok(&rc, &pay("", "payment", 500, 2, inv)).await;
    assert_eq!(one_i64(&rc, &paid).await, 500);
    assert_eq!(
        one_i64(
            &rc,
            "SELECT received_by FROM clinic.payments WHERE idempotency_key = '00000000-0000-4000-8001-000000000002'"
        )
        .await,
        sid(&w.receptionist)
    );
    assert_eq!(
        err_code(&rc, &pay("", "refund", -100, 3, inv)).await,
        "42501"
    );
    assert_eq!(
        err_code(
            &rc,
            &pay(&sid(&w.accountant).to_string(), "payment", 100, 3, inv)
        )
        .await,
        "42501"
    );
    // The accountant refunds; nobody edits or removes a payment, not even the superuser.
    ok(&ac, &pay("", "refund", -200, 4, inv)).await;
    assert_eq!(one_i64(&ac, &paid).await, 300);
    assert_eq!(
        err_code(
            &ac,
            &format!("UPDATE clinic.payments SET amount_minor = 1 WHERE invoice_id = {inv}")
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!("DELETE FROM clinic.payments WHERE invoice_id = {inv}")
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &su,
            &format!("UPDATE clinic.payments SET amount_minor = 1 WHERE invoice_id = {inv}")
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &su,
            &format!("DELETE FROM clinic.payments WHERE invoice_id = {inv}")
        )
        .await,
        "42501"
    );
    // A retry with the same key is refused and counts once.
    assert_eq!(
        err_code(&rc, &pay("", "payment", 500, 2, inv)).await,
        "23505"
    );
    assert_eq!(
        err_code(&ac, &pay("", "payment", 500, 2, inv)).await,
        "23505"
    );
    assert_eq!(one_i64(&ac, &paid).await, 300);
    assert_eq!(
        one_i64(
            &ac,
            &format!(
                "SELECT sum(amount_minor)::bigint FROM clinic.payments WHERE invoice_id = {inv}"
            )
        )
        .await,
        300
    );
    // An invoice that was paid is not voided; once what was paid is paid back, it may be.
    let void = format!("UPDATE clinic.invoices SET status = 'void', void_reason = 'Wrong patient' WHERE id = {inv}");
    assert_eq!(err_code(&ac, &void).await, "23514");
    ok(&ac, &pay("", "refund", -300, 6, inv)).await;
    assert_eq!(err_code(&ac, &pay("", "refund", -1, 7, inv)).await, "23514");
    // Refunded in full, it still shows it had payments: void goes by what is left paid.
    ok(&ac, &void).await;
    // A void invoice takes nothing more.
    assert_eq!(
        err_code(&rc, &pay("", "payment", 100, 5, inv)).await,
        "23514"
    );
}

/// Totals and paid amounts follow from lines and payments only; an issued or void invoice does not
/// go back to draft (where its lines could be rewritten under payments already taken).
#[tokio::test]
async fn the_accountant_cannot_forge_totals_or_reopen_an_invoice() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let p = w.p_own;
    assert_eq!(
        err_code(
            &ac,
            &format!(
                "INSERT INTO clinic.invoices (patient_id, currency, total_minor, paid_minor)
                 VALUES ({p}, 'EUR', 50000, 50000)"
            )
        )
        .await,
        "23514"
    );
    assert_eq!(
        err_code(
            &ac,
            &format!("INSERT INTO clinic.invoices (patient_id, currency, paid_minor) VALUES ({p}, 'EUR', 100)")
        )
        .await,
        "23514"
    );
    let issued = w.inv_issued;
    assert_eq!(
        err_code(
            &ac,
            &format!(
                "UPDATE clinic.invoices SET status = 'draft', issued_at = NULL WHERE id = {issued}"
            )
        )
        .await,
        "23514"
    );
    assert_eq!(
        err_code(&ac, &format!("UPDATE clinic.invoices SET issued_at = now() - interval '1 year' WHERE id = {issued}")).await,
        "23514"
    );
    // Paid in part, it is not voided: what was paid goes back first.
    let void = format!(
        "UPDATE clinic.invoices SET status = 'void', void_reason = 'Duplicate' WHERE id = {issued}"
    );
    assert_eq!(err_code(&ac, &void).await, "23514");
    ok(
        &ac,
        &format!(
            "SELECT clinic.record_refund({issued}, 1000, 'cash', NULL, '00000000-0000-4000-8002-000000000001')"
        ),
    )
    .await;
    ok(&ac, &void).await;
    for set in [
        "status = 'issued'",
        "status = 'draft', issued_at = NULL",
        "void_reason = 'Something else'",
    ] {
        assert_eq!(
            err_code(
                &ac,
                &format!("UPDATE clinic.invoices SET {set} WHERE id = {issued}")
            )
            .await,
            "23514",
            "void invoice: SET {set}"
        );
    }
    // The ordinary path still works: draft -> issued, due date changes while issued.
    let draft = w.inv_draft;
    ok(
        &ac,
        &format!("UPDATE clinic.invoices SET due_on = current_date + 30 WHERE id = {draft}"),
    )
    .await;
    ok(
        &ac,
        &format!(
            "UPDATE clinic.invoices SET status = 'issued', issued_at = now() WHERE id = {draft}"
        ),
    )
    .await;
    ok(
        &ac,
        &format!("UPDATE clinic.invoices SET due_on = current_date + 60 WHERE id = {draft}"),
    )
    .await;
}

/// A price changes from a date on and never under an invoice already made: the old row ends the day
/// before, the new one starts, one price a day per code; prices are never edited or deleted, not
/// even by the owner; a visit's reason suggests its service at the price of its day.
#[tokio::test]
async fn the_fee_schedule_keeps_old_prices_and_suggests_by_reason() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let rc = w.connect(&w.receptionist).await;
    let dc = w.connect(&w.doctor).await;
    let su = w.su().await;
    ok(
        &ac,
        "INSERT INTO clinic.services (code, description, price_minor, currency, valid_from, suggested_for)
         VALUES ('FOLLOW', 'Follow-up visit', 5000, 'EUR', '2026-01-01', '{follow-up, Review}')",
    )
    .await;
    assert_eq!(
        err_code(
            &ac,
            "INSERT INTO clinic.services (code, description, price_minor, currency, valid_from)
             VALUES ('FOLLOW', 'Follow-up visit', 5200, 'EUR', '2026-06-01')"
        )
        .await,
        "23P01",
        "two prices on one day"
    );
    let new_id = one_i64(
        &ac,
        "SELECT clinic.set_service_price('FOLLOW', 6000, NULL, '2026-12-01')",
    )
    .await;
    let price_on = |day: &'static str| {
        format!(
            "SELECT price_minor FROM clinic.services
              WHERE code = 'FOLLOW' AND daterange(valid_from, valid_to, '[]') @> DATE '{day}'"
        )
    };
    assert_eq!(one_i64(&ac, &price_on("2026-11-30")).await, 5000);
    assert_eq!(one_i64(&ac, &price_on("2026-12-01")).await, 6000);
    assert_eq!(
        one_string(
            &ac,
            &format!("SELECT suggested_for::text FROM clinic.services WHERE id = {new_id}")
        )
        .await,
        "{follow-up,Review}"
    );
    assert_eq!(
        err_code(
            &ac,
            "SELECT clinic.set_service_price('FOLLOW', 6500, NULL, '2026-12-01')"
        )
        .await,
        "23514",
        "the same day again"
    );
    assert_eq!(
        err_code(
            &ac,
            "SELECT clinic.set_service_price('NOPE', 100, NULL, '2026-12-01')"
        )
        .await,
        "P0002"
    );
    for sql in [
        "UPDATE clinic.services SET price_minor = 1 WHERE code = 'FOLLOW'",
        "UPDATE clinic.services SET valid_from = '2020-01-01' WHERE code = 'FOLLOW'",
        "DELETE FROM clinic.services WHERE code = 'FOLLOW'",
    ] {
        assert_eq!(
            err_code(&su, sql).await,
            "42501",
            "even the superuser: {sql}"
        );
    }

    // A follow-up on 2026-12-10 is suggested the price of its day; the reason itself stays hidden
    // from accounts, and doctors see no billing.
    let appt = one_i64(
        &su,
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason)
             VALUES ({}, {}, '2026-12-10 10:00+00', '2026-12-10 10:15+00', 'Follow-up') RETURNING id",
            w.p_other,
            sid(&w.other_doctor)
        ),
    )
    .await;
    let suggest = format!(
        "SELECT string_agg(code || ' ' || price_minor, ', ' ORDER BY code) FROM clinic.suggest_services({appt})"
    );
    assert_eq!(one_string(&ac, &suggest).await, "CONSULT 5000, FOLLOW 6000");
    assert_eq!(one_string(&rc, &suggest).await, "CONSULT 5000, FOLLOW 6000");
    assert_eq!(err_code(&dc, &suggest).await, "42501");
    assert_eq!(
        err_code(
            &ac,
            &format!("SELECT reason FROM clinic.appointments WHERE id = {appt}")
        )
        .await,
        "42501"
    );
}

/// Numbers go to issued invoices only, one year's series without a hole: a rolled-back issue burns
/// nothing, drafts have none, a number never changes, and one login sitting in an open transaction
/// after issuing holds up nobody's issue (its numbering only waits its turn).
#[tokio::test]
async fn invoice_numbers_are_gap_free_per_year_and_given_at_issue() {
    let w = World::new().await;
    let ac = w.connect(&w.accountant).await;
    let idle = w.connect(&w.accountant).await;
    let su = w.su().await;
    let draft = |c: &'static str| {
        format!(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ({}, '{c}') RETURNING id",
            w.p_own
        )
    };
    let issue = |id: i64| {
        format!("UPDATE clinic.invoices SET status = 'issued', issued_at = '2026-11-20 10:00+00'::timestamptz + make_interval(secs => {id}) WHERE id = {id}")
    };
    let number = |id: i64| {
        format!("SELECT COALESCE(invoice_number, '-') FROM clinic.invoices WHERE id = {id}")
    };
    let (a, b, c) = (
        one_i64(&ac, &draft("EUR")).await,
        one_i64(&ac, &draft("EUR")).await,
        one_i64(&ac, &draft("EUR")).await,
    );
    assert_eq!(
        one_string(&ac, &number(a)).await,
        "-",
        "a draft has no number"
    );
    // The fixtures' issued invoice is numbered first.
    ok(&ac, "SELECT clinic.number_invoices()").await;
    let first = one_string(&ac, &number(w.inv_issued)).await;
    assert!(first.ends_with("-000001"), "{first}");

    ok(&ac, "BEGIN").await;
    ok(&ac, &issue(a)).await;
    ok(&ac, "SELECT clinic.number_invoices()").await;
    ok(&ac, "ROLLBACK").await;
    // One issue left open (as from psql), numbered inside it: the others go on regardless.
    ok(&idle, "BEGIN").await;
    ok(&idle, &issue(c)).await;
    ok(&idle, "SELECT clinic.number_invoices()").await;
    let done = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        ac.batch_execute(&issue(b)),
    )
    .await;
    assert!(
        matches!(done, Ok(Ok(()))),
        "an issue next to an open one: {done:?}"
    );
    assert_eq!(
        one_i64(&ac, "SELECT clinic.number_invoices()").await,
        0,
        "its turn comes later"
    );
    ok(&idle, "COMMIT").await;
    assert!(one_i64(&ac, "SELECT clinic.number_invoices()").await >= 1);
    assert_eq!(one_string(&ac, &number(c)).await, "2026-000002");
    assert_eq!(one_string(&ac, &number(b)).await, "2026-000003");
    assert_eq!(
        one_string(&ac, &number(a)).await,
        "-",
        "the rolled-back issue burned no number"
    );
    ok(&ac, &issue(a)).await;
    ok(&ac, "SELECT clinic.number_invoices()").await;
    assert_eq!(one_string(&ac, &number(a)).await, "2026-000004");
    assert_eq!(
        err_code(
            &su,
            &format!("UPDATE clinic.invoices SET invoice_number = '2026-000009' WHERE id = {a}")
        )
        .await,
        "42501",
        "not even the superuser renumbers"
    );
    assert!(
        one_bool(
            &su,
            &format!(
                "INSERT INTO clinic.invoices (patient_id, currency, invoice_number)
                 VALUES ({}, 'EUR', 'X-1') RETURNING invoice_number IS NULL",
                w.p_own
            )
        )
        .await,
        "a number cannot come with the insert"
    );
}

/// Many accountants issuing at once: every issued invoice numbered, the numbers 1..n of the year
/// without a hole or a twin.
#[tokio::test]
async fn racing_issues_number_without_holes_or_twins() {
    let w = World::new().await;
    let mut desks = Vec::new();
    for _ in 0..8 {
        desks.push(w.connect(&w.accountant).await);
    }
    let p = w.p_own;
    let results = futures::future::join_all(desks.iter().map(|c| async move {
        for _ in 0..5 {
            let id: i64 = c
                .query_one(
                    &format!("INSERT INTO clinic.invoices (patient_id, currency) VALUES ({p}, 'EUR') RETURNING id"),
                    &[],
                )
                .await?
                .get(0);
            c.batch_execute(&format!(
                "UPDATE clinic.invoices SET status = 'issued', issued_at = now() WHERE id = {id};
                 SELECT clinic.number_invoices();"
            ))
            .await?;
        }
        Ok::<_, tokio_postgres::Error>(())
    }))
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let ac = w.connect(&w.accountant).await;
    ok(&ac, "SELECT clinic.number_invoices()").await;
    let (n, lo, hi, distinct, unnumbered): (i64, i32, i32, i64, i64) = {
        let r = ac
            .query_one(
                "SELECT count(*), min(number_seq), max(number_seq), count(DISTINCT number_seq),
                        count(*) FILTER (WHERE invoice_number IS NULL)
                   FROM clinic.invoices WHERE issued_at IS NOT NULL",
                &[],
            )
            .await
            .expect("numbers");
        (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))
    };
    assert_eq!(unnumbered, 0);
    assert_eq!(
        (lo, i64::from(hi), distinct),
        (1, n, n),
        "1..{n}, each once"
    );
}
