//! A draft's lines from the keyboard: added by a service code or typed in full, refused at the
//! field when something is missing or malformed, taken off after a question; a draft by hand.

use clinic::app::billing::{Popup, Reply, Request, LINE_DESCRIPTION, LINE_PRICE};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

/// The accounts office with the draft (Smith, Ann, #9) open.
fn draft_open() -> clinic::app::App {
    let mut app = books(Job::Accountant);
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    open_selected(&mut app);
    app
}

#[test]
fn a_line_by_service_code_and_one_typed_in_full() {
    let mut app = draft_open();
    assert!(render(&app).contains("a add line"), "{}", render(&app));
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(screen(&app).popup, Some(Popup::Line(_))));
    // Nothing but a quantity: the description and the price are asked for, nothing is sent.
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    let Some(Popup::Line(form)) = &screen(&app).popup else {
        panic!("the form stays");
    };
    assert!(form.fields[LINE_DESCRIPTION].error.is_some());
    assert!(form.fields[LINE_PRICE].error.is_some());
    // The focus went to the first field with a message; back to the service.
    press(&mut app, KeyCode::BackTab);
    type_text(&mut app, "cons");
    match one(&ctrl(&mut app, 's')) {
        Request::AddLine {
            invoice_id, line, ..
        } => {
            assert_eq!(invoice_id, 9);
            assert_eq!(line.service_code.as_deref(), Some("CONS"));
            assert_eq!(
                (line.quantity, line.unit_price_minor, line.discount_minor),
                (1, None, 0)
            );
        }
        other => panic!("{other:?}"),
    }

    let mut app = draft_open();
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Wound dressing");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2.50");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "6.00");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "7,5");
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    assert!(
        render(&app).contains("More than the line comes to."),
        "{}",
        render(&app)
    );
    // The focus is on the discount, the field with the message.
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "1.00");
    press(&mut app, KeyCode::Tab);
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::AddLine { request, line, .. } => {
            assert_eq!(line.description.as_deref(), Some("Wound dressing"));
            assert_eq!(
                (line.quantity, line.unit_price_minor, line.discount_minor),
                (2, Some(250), 100)
            );
            assert_eq!(line.tax_rate.as_deref(), Some("7.5"));
            request
        }
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::LineSaved {
            request,
            result: Ok(()),
        },
    );
    assert!(requests(&effects)
        .iter()
        .any(|r| matches!(r, Request::Detail { invoice_id: 9, .. })));
    assert!(screen(&app).popup.is_none());
}

#[test]
fn a_line_is_taken_off_after_a_question_and_a_new_draft_is_for_the_patient() {
    let mut app = draft_open();
    press(&mut app, KeyCode::Down);
    assert_eq!(screen(&app).detail.as_ref().map(|d| d.line), Some(1));
    press(&mut app, KeyCode::Delete);
    assert!(render(&app).contains("Take \"Wound dressing\" off the draft?"));
    let request = match one(&press(&mut app, KeyCode::Char('y'))) {
        Request::RemoveLine {
            request,
            invoice_id,
            line_id,
        } => {
            assert_eq!((invoice_id, line_id), (9, 2));
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::LineSaved {
            request,
            result: Ok(()),
        },
    );
    match one(&press(&mut app, KeyCode::Char('n'))) {
        Request::NewInvoice { patient_id, .. } => assert_eq!(patient_id, 109),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_issued_invoice_takes_no_line() {
    let mut app = books(Job::Accountant);
    open_selected(&mut app);
    assert_eq!(requests(&press(&mut app, KeyCode::Char('a'))), Vec::new());
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("never changes")));
    assert!(screen(&app).popup.is_none());
}
