//! A payment at the desk from the patient's summary: `p` brings up the patient's invoices on the
//! billing screen with the payment form on the one that is open.

use clinic::app::billing::{self, Popup, PAY_AMOUNT};
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::{Action, Effect};
use clinic::domain::invoice::{InvoiceFilter, InvoiceKind, InvoiceRow, InvoiceStatus};
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{at, date, desk, john, open_john};
use crate::support::*;

fn invoice(id: i64, status: InvoiceStatus, total: i64, paid: i64) -> InvoiceRow {
    InvoiceRow {
        id,
        number: Some(format!("2026-{id:06}")),
        kind: InvoiceKind::Invoice,
        status,
        patient_id: 1,
        patient_number: 10231,
        patient_name: "Doe, John".into(),
        currency: Currency::USD,
        created_at: at(1, 9, 0),
        issued_at: Some(at(1, 9, 0)),
        due_on: Some(date(2026, 12, 31)),
        total_minor: total,
        paid_minor: paid,
        credited_minor: 0,
        version: 1,
    }
}

fn billing_load(effects: &[Effect]) -> (clinic::app::RequestId, InvoiceFilter) {
    let loads: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Billing(billing::Request::Load {
                request,
                filter,
                ..
            })) => Some((*request, filter.clone())),
            _ => None,
        })
        .collect();
    match loads.as_slice() {
        [one] => one.clone(),
        other => panic!("expected one billing load, got {other:?} in {effects:?}"),
    }
}

#[test]
fn p_on_the_summary_opens_the_payment_of_the_open_invoice() {
    let mut app = desk(Job::Receptionist);
    open_john(&mut app, john(1));
    let effects = press(&mut app, KeyCode::Char('p'));
    assert_eq!(shell(&app).current, ScreenId::Billing);
    let (request, filter) = billing_load(&effects);
    assert_eq!(
        filter,
        InvoiceFilter::Patient {
            patient_id: 1,
            name: "Doe, John".into()
        }
    );
    app.update(Action::Screen(ScreenReply::Billing(
        billing::Reply::Loaded {
            request,
            result: Ok(vec![
                invoice(5, InvoiceStatus::PartiallyPaid, 9_000, 2_500),
                invoice(4, InvoiceStatus::Paid, 6_500, 6_500),
            ]),
        },
    )));
    let state = &shell(&app).states.billing;
    let Some(Popup::Money(p)) = &state.popup else {
        panic!("the payment form is open: {:?}", state.popup);
    };
    assert_eq!((p.invoice.id, p.form.value(PAY_AMOUNT)), (5, "65.00"));
    let drawn = render(&app);
    assert!(drawn.contains("Payment for 2026-000005"), "{drawn}");
}

#[test]
fn nothing_owed_is_said_and_several_open_invoices_are_left_to_choose() {
    for (rows, words) in [
        (
            vec![invoice(4, InvoiceStatus::Paid, 6_500, 6_500)],
            "owes nothing",
        ),
        (
            vec![
                invoice(5, InvoiceStatus::Issued, 9_000, 0),
                invoice(6, InvoiceStatus::Issued, 1_000, 0),
            ],
            "2 open invoices",
        ),
    ] {
        let mut app = desk(Job::Receptionist);
        open_john(&mut app, john(1));
        let (request, _) = billing_load(&press(&mut app, KeyCode::Char('p')));
        app.update(Action::Screen(ScreenReply::Billing(
            billing::Reply::Loaded {
                request,
                result: Ok(rows),
            },
        )));
        assert!(shell(&app).states.billing.popup.is_none());
        let notice = app.notice.clone().unwrap_or_default();
        assert!(notice.contains(words), "{notice}");
    }
}

/// The accounts office reads patients: `p` on the summary shows the patient's invoices (no form);
/// a doctor, who sees no money, is told so and stays.
#[test]
fn p_on_a_read_only_summary_shows_the_patient_s_invoices() {
    let mut app = desk(Job::Accountant);
    open_john(&mut app, john(1));
    let effects = press(&mut app, KeyCode::Char('p'));
    assert_eq!(shell(&app).current, ScreenId::Billing);
    let (request, filter) = billing_load(&effects);
    assert_eq!(
        filter,
        InvoiceFilter::Patient {
            patient_id: 1,
            name: "Doe, John".into()
        }
    );
    app.update(Action::Screen(ScreenReply::Billing(
        billing::Reply::Loaded {
            request,
            result: Ok(vec![invoice(5, InvoiceStatus::Issued, 9_000, 0)]),
        },
    )));
    assert!(
        shell(&app).states.billing.popup.is_none(),
        "the invoices only"
    );

    let mut app = desk(Job::Doctor);
    open_john(&mut app, john(1));
    let before = shell(&app).current;
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(shell(&app).current, before, "a doctor sees no billing");
}
