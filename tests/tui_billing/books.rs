//! The accounts office's work: the list, an invoice, a payment kept through a lost answer and
//! recorded once, issuing, voiding and crediting with a reason, a day invoiced after its preview.

use clinic::app::billing::{Popup, Reply, Request, PAY_AMOUNT};
use clinic::domain::invoice::{InvoiceFilter, PaymentMethod, Receipt};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

#[test]
fn the_list_shows_what_is_owed_and_the_detail_adds_up() {
    let mut app = books(Job::Accountant);
    assert_screen!("list", render(&app));
    let drawn = render(&app);
    assert!(drawn.contains("USD 1,370.06 owed"), "{drawn}");
    assert!(drawn.contains("overdue"), "{drawn}");

    press(&mut app, KeyCode::Down);
    open_selected(&mut app);
    assert_screen!("detail", render(&app));
    let drawn = render(&app);
    assert!(drawn.contains("Owed USD 70.50"), "{drawn}");
    assert!(
        drawn.contains("slip 0042") && drawn.contains("Rita Lopez"),
        "{drawn}"
    );

    // Esc goes back to the list, which is read again.
    match one(&press(&mut app, KeyCode::Esc)) {
        Request::Load { filter, .. } => assert_eq!(filter, InvoiceFilter::Open),
        other => panic!("{other:?}"),
    }
    assert!(screen(&app).detail.is_none());
}

#[test]
fn a_payment_is_refused_at_its_field_kept_through_a_lost_answer_and_recorded_once() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Down);
    open_selected(&mut app);
    assert_eq!(press(&mut app, KeyCode::Char('p')), Vec::new());
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("the payment form is open");
    };
    assert_eq!(
        p.form.value(PAY_AMOUNT),
        "70.50",
        "prefilled with what is owed"
    );
    assert_screen!("payment", render(&app));

    // A typo: refused at the field, nothing sent, nothing lost.
    ctrl(&mut app, 'u');
    type_text(&mut app, "7O,50");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    let drawn = render(&app);
    assert!(
        drawn.contains("Not an amount: write it like 1,234.50."),
        "{drawn}"
    );
    for _ in 0..5 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "80.00");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down); // card
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "slip 77");
    // 80.00 on 70.50 owed: asked first (a slip of a digit would become credit).
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    let drawn = render(&app);
    assert!(drawn.contains("More than is owed?"), "{drawn}");
    assert!(drawn.contains("USD 9.50 more"), "{drawn}");
    let (first, key) = match one(&press(&mut app, KeyCode::Char('y'))) {
        Request::Pay {
            request,
            invoice_id,
            amount_minor,
            method,
            reference,
            key,
        } => {
            assert_eq!(
                (invoice_id, amount_minor, method),
                (3, 8_000, PaymentMethod::Card)
            );
            assert_eq!(reference.as_deref(), Some("slip 77"));
            (request, key)
        }
        other => panic!("{other:?}"),
    };
    // Pressed again while it is out: nothing more is sent.
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());

    // The connection drops before the answer: everything stays, and the retry carries the same key.
    reply(
        &mut app,
        Reply::Paid {
            request: first,
            result: Err("The database cannot be reached right now (connection closed); your input is kept, try again.".into()),
        },
    );
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("the form stays open");
    };
    assert_eq!(p.form.value(PAY_AMOUNT), "80.00");
    assert!(p
        .form
        .error
        .as_deref()
        .is_some_and(|e| e.contains("cannot be reached")));
    let second = match one(&ctrl(&mut app, 's')) {
        Request::Pay {
            request,
            key: again,
            ..
        } => {
            assert_eq!(again, key, "the same payment, the same key");
            request
        }
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::Paid {
            request: second,
            result: Ok(Receipt {
                payment_id: 88,
                invoice_id: 3,
                amount_minor: 8_000,
                applied_minor: 7_050,
                credit_minor: 950,
                method: "card".into(),
                received_at: at(12, 1, 14),
            }),
        },
    );
    let reloads = requests(&effects);
    assert!(
        reloads.iter().any(|r| matches!(r, Request::Load { .. }))
            && reloads
                .iter()
                .any(|r| matches!(r, Request::Detail { invoice_id: 3, .. })),
        "the list and the invoice are read again: {reloads:?}"
    );
    assert_screen!("receipt", render(&app));
    let drawn = render(&app);
    assert!(drawn.contains("Kept as credit:       USD 9.50"), "{drawn}");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app).popup.is_none());

    // A new payment is a new key.
    press(&mut app, KeyCode::Char('p'));
    let Some(Popup::Money(p)) = &screen(&app).popup else {
        panic!("open again");
    };
    assert_ne!(p.key, key);
}

#[test]
fn esc_in_a_typed_payment_asks_before_throwing_it_away() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Char('p'));
    // Prefilled only: Esc closes without a question.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).popup.is_none());
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "5");
    press(&mut app, KeyCode::Esc);
    assert!(app.popup.is_some(), "a question");
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(screen(&app).popup, Some(Popup::Money(_))));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(screen(&app).popup.is_none());
}

#[test]
fn issuing_asks_first_and_says_the_number() {
    let mut app = books(Job::Accountant);
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(screen(&app).invoices.selected_item().map(|r| r.id), Some(9));
    press(&mut app, KeyCode::Char('i'));
    let drawn = render(&app);
    assert!(drawn.contains("Issue the invoice?"), "{drawn}");
    assert!(drawn.contains("31/12/2026"), "due in 30 days: {drawn}");
    let request = match one(&press(&mut app, KeyCode::Char('y'))) {
        Request::Issue {
            request,
            invoice_id,
            due_on,
        } => {
            assert_eq!((invoice_id, due_on), (9, date(12, 31)));
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::Issued {
            request,
            result: Ok(Some("2026-000123".into())),
        },
    );
    assert_eq!(app.notice.as_deref(), Some("Issued as 2026-000123."));

    // An issued invoice is not issued again, and is not paid before it is issued.
    press(&mut app, KeyCode::Up);
    assert_eq!(requests(&press(&mut app, KeyCode::Char('i'))), Vec::new());
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("only a draft")));
}

#[test]
fn a_void_needs_a_reason_and_a_paid_invoice_is_not_voided() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Down); // Doe, part paid
    press(&mut app, KeyCode::Char('v'));
    assert!(screen(&app).popup.is_none());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("credit note")),
        "{:?}",
        app.notice
    );

    press(&mut app, KeyCode::Up); // Garcia, nothing paid
    press(&mut app, KeyCode::Char('v'));
    type_text(&mut app, "dup");
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    assert!(render(&app).contains("Say why, in a few words"));
    type_text(&mut app, "licate of 2026-000002");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::Void {
            request,
            invoice_id,
            version,
            reason,
        } => {
            assert_eq!((invoice_id, version), (1, 1));
            assert_eq!(reason, "duplicate of 2026-000002");
            request
        }
        other => panic!("{other:?}"),
    };
    // Refused by the database: the reason stays, with the refusal under it.
    reply(
        &mut app,
        Reply::Voided {
            request,
            result: Err(
                "The invoice changed since it was read (a payment, or another void): look again."
                    .into(),
            ),
        },
    );
    let drawn = render(&app);
    assert!(
        drawn.contains("duplicate of 2026-000002") && drawn.contains("look again"),
        "{drawn}"
    );
}

#[test]
fn a_credit_note_opens_as_a_draft_of_its_own() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Char('c'));
    type_text(&mut app, "Charged the wrong service");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::CreditNote {
            request,
            invoice_id,
            reason,
        } => {
            assert_eq!(
                (invoice_id, reason.as_str()),
                (1, "Charged the wrong service")
            );
            request
        }
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::Credited {
            request,
            result: Ok(55),
        },
    );
    assert!(requests(&effects)
        .iter()
        .any(|r| matches!(r, Request::Detail { invoice_id: 55, .. })));
    assert_eq!(screen(&app).detail.as_ref().map(|d| d.invoice_id), Some(55));
}

#[test]
fn a_day_is_previewed_then_invoiced_after_one_question() {
    use clinic::domain::invoice::UninvoicedVisit;
    let mut app = books(Job::Accountant);
    let (request, day) = match one(&press(&mut app, KeyCode::Char('d'))) {
        Request::Uninvoiced { request, day, .. } => (request, day),
        other => panic!("{other:?}"),
    };
    assert_eq!(day, date(11, 30), "yesterday at the clinic");
    let visit = |id, name: &str, services: &str, total| UninvoicedVisit {
        appointment_id: id,
        starts_at: at(11, 30, 14),
        patient_name: name.into(),
        doctor_name: "Alice Smith".into(),
        services: services.into(),
        total_minor: total,
    };
    reply(
        &mut app,
        Reply::Uninvoiced {
            request,
            result: Ok(vec![
                visit(31, "Doe, John", "CONS", 6_500),
                visit(32, "Garcia, Luis", "", 0),
                visit(33, "Smith, Ann", "CONS DRESS", 7_050),
            ]),
        },
    );
    assert_screen!("day", render(&app));
    // A future day is refused at the field.
    for _ in 0..10 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "2026-12-25");
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    assert!(render(&app).contains("still to come"));
    for _ in 0..10 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "30/11/2026");
    // The same day as previewed: the question, naming what is invoiced.
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    let drawn = render(&app);
    assert!(
        drawn.contains("Invoice and issue 2 appointments"),
        "{drawn}"
    );
    assert!(drawn.contains("USD 135.50"), "{drawn}");
    let request = match one(&press(&mut app, KeyCode::Char('y'))) {
        Request::InvoiceDay {
            request,
            appointment_ids,
            due_on,
            ..
        } => {
            assert_eq!(
                appointment_ids,
                [31, 33],
                "the one with no service is left out"
            );
            assert_eq!(due_on, date(12, 31));
            request
        }
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::DayInvoiced {
            request,
            result: Ok(vec![301, 302]),
        },
    );
    assert!(matches!(
        one(&effects),
        Request::Load {
            filter: InvoiceFilter::Recent,
            ..
        }
    ));
    assert_eq!(app.notice.as_deref(), Some("2 invoices issued."));
    assert!(screen(&app).popup.is_none());
}

/// Ctrl-O in the preview invoices only the marked appointment, as a draft to change before it is
/// issued (one with no known service too: its lines are then added by hand).
#[test]
fn one_appointment_of_the_day_becomes_a_draft() {
    use clinic::domain::invoice::UninvoicedVisit;
    let mut app = books(Job::Accountant);
    let request = match one(&press(&mut app, KeyCode::Char('d'))) {
        Request::Uninvoiced { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let visit = |id, name: &str, services: &str, total| UninvoicedVisit {
        appointment_id: id,
        starts_at: at(11, 30, 14),
        patient_name: name.into(),
        doctor_name: "Alice Smith".into(),
        services: services.into(),
        total_minor: total,
    };
    reply(
        &mut app,
        Reply::Uninvoiced {
            request,
            result: Ok(vec![
                visit(31, "Doe, John", "CONS", 6_500),
                visit(32, "Garcia, Luis", "", 0),
            ]),
        },
    );
    assert!(render(&app).contains("> "), "{}", render(&app));
    press(&mut app, KeyCode::Down);
    let request = match one(&ctrl(&mut app, 'o')) {
        Request::InvoiceAppointment {
            request,
            appointment_id,
            ..
        } => {
            assert_eq!(appointment_id, 32, "the marked one");
            request
        }
        other => panic!("{other:?}"),
    };
    let asked = requests(&reply(
        &mut app,
        Reply::AppointmentInvoiced {
            request,
            result: Ok(401),
        },
    ));
    assert!(asked.iter().any(|r| matches!(
        r,
        Request::Load {
            filter: InvoiceFilter::Drafts,
            ..
        }
    )));
    assert!(asked.iter().any(|r| matches!(
        r,
        Request::Detail {
            invoice_id: 401,
            ..
        }
    )));
    assert!(screen(&app).popup.is_none());
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("Garcia, Luis")));
}

/// A payment whose answer was lost, typed again in a new form, goes with the first key: if the
/// database did record it, it is not recorded twice.
#[test]
fn a_payment_retyped_after_a_lost_answer_keeps_its_key() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Char('p'));
    let (request, key) = match one(&ctrl(&mut app, 's')) {
        Request::Pay { request, key, .. } => (request, key),
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::Paid {
            request,
            result: Err("The database cannot be reached right now (connection closed); your input is kept, try again.".into()),
        },
    );
    press(&mut app, KeyCode::Esc);
    assert!(
        screen(&app).popup.is_none(),
        "prefilled and untouched: it closes"
    );
    press(&mut app, KeyCode::Char('p'));
    match one(&ctrl(&mut app, 's')) {
        Request::Pay { key: again, .. } => assert_eq!(again, key),
        other => panic!("{other:?}"),
    }
}

/// Choosing the patient's credit as the method puts what the credit can pay in the amount (not
/// what is owed, which it cannot cover), and moving off it puts what is owed back.
#[test]
fn paying_with_credit_prefills_what_the_credit_covers() {
    let mut app = books(Job::Accountant);
    let selected = screen(&app)
        .invoices
        .selected_item()
        .cloned()
        .expect("a row");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::Detail { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let mut detail = detail_of(selected);
    detail.patient_credit_minor = 400;
    reply(
        &mut app,
        Reply::Detail {
            request,
            result: Ok(detail),
        },
    );
    press(&mut app, KeyCode::Char('p'));
    let amount = |app: &clinic::app::App| match &screen(app).popup {
        Some(Popup::Money(p)) => p.form.value(PAY_AMOUNT).to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(amount(&app), "65.00");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Up); // from cash round to the last: the patient's credit
    assert_eq!(amount(&app), "4.00", "what the credit covers");
    assert!(
        render(&app).contains("credit (USD 4.00 held)"),
        "{}",
        render(&app)
    );
    press(&mut app, KeyCode::Down); // cash again
    assert_eq!(amount(&app), "65.00", "what is owed, back");
}
