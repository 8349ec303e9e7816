//! The aging and the day's cash: Tab goes through the parts a job has, Enter on a patient of the
//! aging shows their invoices, and the cash report moves by day.

use clinic::app::billing::{Reply, Request, Tab};
use clinic::domain::invoice::InvoiceFilter;
use clinic::domain::money::Currency;
use clinic::domain::receivables::{Aging, AgingRow, CashRow};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn aging_rows() -> Vec<AgingRow> {
    vec![
        AgingRow {
            patient_id: 103,
            patient_number: 10003,
            patient_name: "Doe, John".into(),
            invoices: 2,
            buckets: [1_000, 0, 0, 7_050],
            total_minor: 8_050,
            oldest_due: Some(date(7, 20)),
        },
        AgingRow {
            patient_id: 101,
            patient_number: 10001,
            patient_name: "Garcia, Luis".into(),
            invoices: 1,
            buckets: [6_500, 0, 0, 0],
            total_minor: 6_500,
            oldest_due: Some(date(12, 2)),
        },
    ]
}

#[test]
fn the_aging_adds_up_and_enter_shows_the_patient_s_invoices() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Tab); // reconcile
    let request = match one(&press(&mut app, KeyCode::Tab)) {
        Request::Aging {
            request,
            as_of,
            currency,
        } => {
            assert_eq!((as_of, currency), (date(12, 1), Currency::USD));
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::Aging {
            request,
            result: Ok(Aging {
                as_of: date(12, 1),
                currency: Currency::USD,
                rows: aging_rows(),
            }),
        },
    );
    assert_screen!("aging", render(&app));
    let drawn = render(&app);
    assert!(
        drawn.contains("145.50"),
        "the total of 80.50 and 65.00: {drawn}"
    );
    press(&mut app, KeyCode::Down);
    match one(&press(&mut app, KeyCode::Enter)) {
        Request::Load { filter, .. } => assert_eq!(
            filter,
            InvoiceFilter::Patient {
                patient_id: 101,
                name: "Garcia, Luis".into()
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(screen(&app).tab, Tab::Invoices);
    // Esc: back to the open invoices, not stuck on the patient's.
    match one(&press(&mut app, KeyCode::Esc)) {
        Request::Load { filter, .. } => assert_eq!(filter, InvoiceFilter::Open),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_day_s_cash_per_method_and_desk_moves_by_day() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Tab); // reconcile
    press(&mut app, KeyCode::Tab); // aging
    let request = match one(&press(&mut app, KeyCode::Tab)) {
        Request::Cash { request, from, to } => {
            assert_eq!((from, to), (date(12, 1), date(12, 1)));
            request
        }
        other => panic!("{other:?}"),
    };
    let row = |method: &str, by: &str, n, amount| CashRow {
        day: date(12, 1),
        method: method.into(),
        received_by: by.into(),
        currency: Currency::USD,
        payments: n,
        amount_minor: amount,
    };
    reply(
        &mut app,
        Reply::Cash {
            request,
            result: Ok(vec![
                row("card", "Rita Lopez", 3, 19_500),
                row("cash", "Rita Lopez", 2, 8_000),
                row("cash", "Sam Okoro", 1, -1_500),
            ]),
        },
    );
    assert_screen!("cash", render(&app));
    let drawn = render(&app);
    assert!(drawn.contains("Taken USD 260.00"), "{drawn}");
    assert!(drawn.contains("card 195.00 · cash 65.00"), "{drawn}");
    match one(&press(&mut app, KeyCode::Char('['))) {
        Request::Cash { from, .. } => assert_eq!(from, date(11, 30)),
        other => panic!("{other:?}"),
    }
    // Esc goes back to the invoices.
    assert!(matches!(
        one(&press(&mut app, KeyCode::Esc)),
        Request::Load { .. }
    ));
    assert_eq!(screen(&app).tab, Tab::Invoices);
}

#[test]
fn the_desk_goes_from_its_invoices_to_its_cash() {
    let mut app = books(Job::Receptionist);
    assert!(matches!(
        one(&press(&mut app, KeyCode::Tab)),
        Request::Cash { .. }
    ));
    assert_eq!(screen(&app).tab, Tab::Cash);
    assert!(!render(&app).contains("Aging"));
}
