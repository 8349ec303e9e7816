//! Money paid back, the accounts office's: the real binary in a pseudo-terminal against the
//! throwaway cluster (a refund from a paid invoice with the figures the database computes, one
//! beyond what was paid refused at its field with what was typed kept, a patient's credit paid
//! back, the desk offered none of it), and the screen driven by Actions for the admin and for the
//! key kept through a lost answer.

use clinic::app::billing::{Popup, Reply, Request, PAY_AMOUNT};
use clinic::domain::invoice::{PaymentMethod, RefundRefused};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;
use tokio_postgres::Client;

use crate::common::*;
use crate::db::TestDb;
use crate::pty::{config_for, quit, spawn_on, Term};
use crate::support::*;

/// Keys as a terminal sends them.
const CTRL_S: &str = "\x13";
const CTRL_U: &str = "\x15";
const DOWN: &str = "\x1b[B";

/// A patient of this test's database.
async fn patient(su: &Client) -> i64 {
    su.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                      emergency_contact_name, emergency_contact_phone, insurer, phone)
         VALUES ('Okoye', 'Ada', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789',
                 'Acme Health', '0201234567')
         RETURNING id",
        &[],
    )
    .await
    .expect("a patient")
    .get(0)
}

/// An issued, numbered USD invoice of `total` for `patient`, paid `paid` by card (more than the
/// total becomes the patient's credit).
async fn invoice_paid(su: &Client, patient: i64, total: i64, paid: i64) -> i64 {
    let id: i64 = su
        .query_one(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'USD') RETURNING id",
            &[&patient],
        )
        .await
        .expect("invoice")
        .get(0);
    su.execute(
        "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
         VALUES ($1, 'Consultation', 1, $2)",
        &[&id, &total],
    )
    .await
    .expect("line");
    su.batch_execute(&format!(
        "UPDATE clinic.invoices SET status = 'issued', issued_at = now(), due_on = current_date + 30
          WHERE id = {id}; SELECT clinic.number_invoices();"
    ))
    .await
    .expect("issued");
    if paid > 0 {
        su.execute(
            "SELECT clinic.record_payment($1, $2, 'card', 'slip 1', gen_random_uuid())",
            &[&id, &paid],
        )
        .await
        .expect("paid");
    }
    id
}

/// (paid, status, what it owes) of an invoice, as the database has them.
async fn figures(su: &Client, invoice: i64) -> (i64, String, i64) {
    let row = su
        .query_one(
            "SELECT paid_minor, status, total_minor - paid_minor - credited_minor
               FROM clinic.invoices WHERE id = $1",
            &[&invoice],
        )
        .await
        .expect("figures");
    (row.get(0), row.get(1), row.get(2))
}

/// The invoice's refunds, as the database recorded them.
async fn refunds(su: &Client, invoice: i64) -> Vec<(i64, String)> {
    su.query(
        "SELECT amount_minor, method FROM clinic.payments
          WHERE invoice_id = $1 AND kind = 'refund' ORDER BY id",
        &[&invoice],
    )
    .await
    .expect("refunds")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// "1,234.50" from minor units, as the clinic writes amounts.
fn amount(minor: i64) -> String {
    clinic::domain::money::Money::new(minor, clinic::domain::money::Currency::USD)
        .amount(clinic::domain::money::NumberFormat::from_example("1,234.50").expect("format"))
}

/// Signed in as the accounts office, the one invoice there is open on its detail (all invoices:
/// a paid one is not among the open ones).
fn open_the_invoice(term: &mut Term, user: &str, password: &str) {
    term.sign_in(user, password, "(accounts)");
    term.wait_for("No invoices here");
    term.send("f");
    term.wait_for("Drafts");
    term.send("f");
    term.wait_for("All invoices");
    term.wait_for("2026-");
    term.send("\r");
    term.wait_for("Payments and refunds");
}

/// The amount field emptied and `text` typed into it.
fn type_amount(term: &mut Term, text: &str) {
    term.send(CTRL_U);
    term.send(text);
}

#[tokio::test(flavor = "multi_thread")]
async fn part_of_a_paid_invoice_goes_back_and_the_detail_shows_the_database_s_figures() {
    let db = TestDb::new().await;
    let adam = db.staff("adam", Job::Accountant).await;
    let su = db.superuser().await;
    let p = patient(&su).await;
    let invoice = invoice_paid(&su, p, 8_000, 8_000).await;
    let (home, config) = config_for(&db.server_config());

    let term = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        open_the_invoice(&mut term, &adam.user, &adam.password);
        let screen = term.wait_for("paid 80.00");
        assert!(screen.contains("b refund"), "offered: {screen}");
        term.send("b");
        let form = term.wait_for("Refund from");
        assert!(
            form.contains("80.00") && form.contains("at most that goes back"),
            "prefilled with what was paid: {form}"
        );
        type_amount(&mut term, "30.00");
        term.send("\t");
        term.send(DOWN); // card
        term.send("\t");
        term.send("back 1");
        term.send(CTRL_S);
        // Money going out is asked about first.
        term.wait_for("Pay money back?");
        term.send("y");
        term.wait_for("paid back from");
        term.wait_for("ref back 1");
        term
    })
    .await
    .expect("pty run");

    assert_eq!(refunds(&su, invoice).await, vec![(-3_000, "card".into())]);
    let (paid, status, owed) = figures(&su, invoice).await;
    assert_eq!(
        (paid, status.as_str(), owed),
        (5_000, "partially_paid", 3_000)
    );
    let screen = term.screen();
    assert!(
        screen.contains(&format!("paid {}", amount(paid)))
            && screen.contains(&format!("Owed USD {}", amount(owed))),
        "the detail shows the database's figures:\n{screen}"
    );
    assert!(
        screen.contains("refund") && screen.contains("-30.00"),
        "the refund among the payments:\n{screen}"
    );
    let mut term = term;
    tokio::task::spawn_blocking(move || quit(&mut term))
        .await
        .expect("quit");
    drop(home);
}

#[tokio::test(flavor = "multi_thread")]
async fn more_than_was_paid_is_refused_at_the_amount_with_what_was_typed_kept() {
    let db = TestDb::new().await;
    let adam = db.staff("adam", Job::Accountant).await;
    let su = db.superuser().await;
    let p = patient(&su).await;
    let invoice = invoice_paid(&su, p, 8_000, 5_000).await;
    let (home, config) = config_for(&db.server_config());

    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(1);
    let run = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        term.sign_in(&adam.user, &adam.password, "(accounts)");
        // Part paid: among the open invoices.
        term.wait_for("2026-");
        term.send("\r");
        term.wait_for("paid 50.00");
        term.send("b");
        term.wait_for("Refund from");

        // Beyond what the screen knows was paid: refused at the field, nothing sent.
        type_amount(&mut term, "90.00");
        term.send(CTRL_S);
        let screen = term.wait_for("can go back");
        assert!(
            screen.contains("At most USD 50.00 can go back") && screen.contains("90.00"),
            "{screen}"
        );

        // Someone else pays 40.00 back meanwhile; 20.00 is within what the screen knows, so it
        // goes to the database, which refuses it: in words at the field, the 20.00 kept.
        done_tx.blocking_send(()).expect("tell");
        rx.recv().expect("the other refund");
        type_amount(&mut term, "20.00");
        term.send(CTRL_S);
        term.wait_for("Pay money back?");
        term.send("y");
        let screen = term.wait_for("At most USD 10.00 can go back");
        assert!(screen.contains("20.00"), "typed text kept:\n{screen}");
        assert!(
            screen.contains("Refund from"),
            "the form stays open:\n{screen}"
        );
        quit(&mut term);
    });
    done_rx.recv().await.expect("the form is open");
    su.execute(
        "SELECT clinic.record_refund($1, 4000, 'cash', NULL, gen_random_uuid())",
        &[&invoice],
    )
    .await
    .expect("another refund");
    tx.send(()).expect("go on");
    run.await.expect("pty run");

    assert_eq!(
        refunds(&su, invoice).await,
        vec![(-4_000, "cash".into())],
        "only the other refund is recorded"
    );
    assert_eq!(figures(&su, invoice).await.0, 1_000);
    drop(home);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_s_credit_is_paid_back_never_beyond_what_they_hold() {
    let db = TestDb::new().await;
    let adam = db.staff("adam", Job::Accountant).await;
    let su = db.superuser().await;
    let p = patient(&su).await;
    // 70.00 paid on 50.00: 20.00 of credit.
    invoice_paid(&su, p, 5_000, 7_000).await;
    let (home, config) = config_for(&db.server_config());

    tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        open_the_invoice(&mut term, &adam.user, &adam.password);
        let screen = term.wait_for("holds USD 20.00 of credit");
        assert!(screen.contains("B pay credit back"), "offered: {screen}");
        term.send("B");
        let form = term.wait_for("Credit paid back to");
        assert!(form.contains("20.00"), "prefilled with the credit: {form}");
        type_amount(&mut term, "15.00");
        term.send(CTRL_S);
        term.wait_for("Pay credit back?");
        term.send("y");
        term.wait_for("holds USD 5.00 of credit");

        term.send("B");
        term.wait_for("Credit paid back to");
        type_amount(&mut term, "6.00");
        term.send(CTRL_S);
        let screen = term.wait_for("can go back");
        assert!(
            screen.contains("At most USD 5.00 can go back") && screen.contains("6.00"),
            "{screen}"
        );
        quit(&mut term);
    })
    .await
    .expect("pty run");

    let row = su
        .query_one(
            "SELECT clinic.credit_balance($1, 'USD'),
                    (SELECT count(*) FROM clinic.patient_credit WHERE kind = 'refunded')",
            &[&p],
        )
        .await
        .expect("credit");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (500, 1));
    drop(home);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_is_offered_no_refund_and_gets_none() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let su = db.superuser().await;
    let p = patient(&su).await;
    invoice_paid(&su, p, 5_000, 7_000).await; // credit held
    let open = invoice_paid(&su, p, 8_000, 3_000).await; // part paid: the desk's list
    let (home, config) = config_for(&db.server_config());

    tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        term.sign_in(&rita.user, &rita.password, "(reception)");
        term.send("\x1b");
        term.wait_for("n new patient");
        term.send(":billing\r");
        term.wait_for("Open invoices");
        term.wait_for("2026-");
        term.send("\r");
        let screen = term.wait_for("holds USD 20.00 of credit");
        assert!(screen.contains("p payment"), "{screen}");
        assert!(
            !screen.contains("b refund") && !screen.contains("B pay credit back"),
            "no refund keys for the desk:\n{screen}"
        );
        for key in ["b", "B"] {
            term.send(key);
            let screen = term.wait_for("Only the accounts office can pay money back");
            assert!(
                !screen.contains("Refund from") && !screen.contains("Credit paid back"),
                "{key}: {screen}"
            );
        }
        quit(&mut term);
    })
    .await
    .expect("pty run");

    assert_eq!(refunds(&su, open).await, Vec::new());
    drop(home);
}

#[test]
fn an_admin_is_offered_no_refund_and_gets_none() {
    let mut app = books(Job::Admin);
    press(&mut app, KeyCode::Down);
    open_selected(&mut app);
    let footer: Vec<&str> = app.footer_hints().into_iter().map(|(_, l)| l).collect();
    assert!(
        !footer.contains(&"refund") && !footer.contains(&"pay credit back"),
        "{footer:?}"
    );
    for key in ['b', 'B'] {
        assert_eq!(requests(&press(&mut app, KeyCode::Char(key))), Vec::new());
        assert!(screen(&app).popup.is_none(), "{key}");
        let notice = app.notice.clone().unwrap_or_default();
        assert!(notice.contains("read-only"), "{key}: {notice}");
    }
}

/// The refund request a save sent: (request, amount, method, key).
fn refund_sent(
    effects: &[clinic::app::Effect],
) -> (
    clinic::app::RequestId,
    i64,
    PaymentMethod,
    clinic::domain::invoice::IdempotencyKey,
) {
    match one(effects) {
        Request::Refund {
            request,
            invoice_id: 3,
            amount_minor,
            method,
            key,
            ..
        } => (request, amount_minor, method, key),
        other => panic!("expected a refund of invoice 3, got {other:?}"),
    }
}

#[test]
fn a_refund_keeps_its_key_through_a_lost_answer_even_in_a_new_form() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Down);
    open_selected(&mut app);
    press(&mut app, KeyCode::Char('b'));
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("the refund form is open");
    };
    assert_eq!(
        p.form.value(PAY_AMOUNT),
        "50.00",
        "prefilled with what was paid"
    );
    let form_key = p.key.clone();

    ctrl(&mut app, 'u');
    type_text(&mut app, "12.50");
    assert!(
        requests(&ctrl(&mut app, 's')).is_empty(),
        "money going back is asked about first"
    );
    assert!(render(&app).contains("Pay money back?"), "{}", render(&app));
    let (first, amount, method, key) = refund_sent(&press(&mut app, KeyCode::Char('y')));
    assert_eq!(
        (amount, method, &key),
        (1_250, PaymentMethod::Cash, &form_key)
    );
    reply(
        &mut app,
        Reply::Refunded {
            request: first,
            result: Err(RefundRefused::Other(
                "The database cannot be reached right now (connection closed); your input is kept, try again.".into(),
            )),
        },
    );
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("the form stays open");
    };
    assert_eq!(p.form.value(PAY_AMOUNT), "12.50");

    // Closed and opened again: a new form, but the same money goes with the same key.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(screen(&app).popup.is_none());
    press(&mut app, KeyCode::Char('b'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "12.50");
    let (second, _, _, again) = refund_sent(&ctrl(&mut app, 's'));
    assert_eq!(again, key, "the same refund, the same key");

    // The database's refusal at the amount, in words, with what can go back now.
    reply(
        &mut app,
        Reply::Refunded {
            request: second,
            result: Err(RefundRefused::TooMuch {
                at_most_minor: 1_000,
            }),
        },
    );
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("the form stays open");
    };
    assert_eq!(p.form.value(PAY_AMOUNT), "12.50");
    assert_eq!(
        p.form.fields[PAY_AMOUNT].error.as_deref(),
        Some("At most USD 10.00 can go back: what the invoice was paid, net of its refunds.")
    );

    // Something else typed is other money: the form's own key again (nothing was recorded).
    ctrl(&mut app, 'u');
    type_text(&mut app, "10.00");
    assert!(
        requests(&ctrl(&mut app, 's')).is_empty(),
        "other money: asked"
    );
    let (third, amount, _, key3) = refund_sent(&press(&mut app, KeyCode::Char('y')));
    assert_eq!(amount, 1_000);
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("open");
    };
    assert_eq!(key3, p.key);
    let effects = reply(
        &mut app,
        Reply::Refunded {
            request: third,
            result: Ok(90),
        },
    );
    assert!(screen(&app).popup.is_none());
    assert!(
        requests(&effects)
            .iter()
            .any(|r| matches!(r, Request::Detail { invoice_id: 3, .. })),
        "the detail is read again"
    );
    assert!(screen(&app).uncertain.is_none());
}
