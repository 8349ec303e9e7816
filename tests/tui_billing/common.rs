//! Invoices built by hand (what the database would answer) and the keys that bring the screen up.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clinic::app::billing::{BillingScreen, Reply, Request};
use clinic::app::registry::{ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::invoice::{
    InvoiceDetail, InvoiceKind, InvoiceLine, InvoiceRow, InvoiceStatus, PaymentEntry,
};
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::support::*;

/// A snapshot of the whole screen at 80x24, kept with the others in tests/snapshots/.
macro_rules! assert_screen {
    ($name:literal, $drawn:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!(env!("CARGO_CRATE_NAME"), "__", $name), $drawn);
        });
    };
}
pub(crate) use assert_screen;

pub fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("date")
}

pub fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0)
        .single()
        .expect("instant")
}

pub fn row(id: i64, name: &str, status: InvoiceStatus, total: i64, paid: i64) -> InvoiceRow {
    let issued = status != InvoiceStatus::Draft;
    InvoiceRow {
        id,
        number: issued.then(|| format!("2026-{id:06}")),
        kind: InvoiceKind::Invoice,
        status,
        patient_id: 100 + id,
        patient_number: 10_000 + id,
        patient_name: name.into(),
        currency: Currency::USD,
        created_at: at(11, 2, 15),
        issued_at: issued.then(|| at(11, 2, 15)),
        due_on: issued.then(|| date(12, 2)),
        total_minor: total,
        paid_minor: paid,
        credited_minor: 0,
        version: 1,
    }
}

/// Three open invoices (Doe's overdue on the fixed clock's 2026-12-01, the others due 12-02)
/// and a draft.
pub fn rows() -> Vec<InvoiceRow> {
    let mut late = row(3, "Doe, John", InvoiceStatus::PartiallyPaid, 12_050, 5_000);
    late.due_on = Some(date(11, 20));
    vec![
        row(1, "Garcia, Luis", InvoiceStatus::Issued, 6_500, 0),
        late,
        row(
            7,
            "Okafor, Ngozi Adaeze Chiamaka",
            InvoiceStatus::Issued,
            123_456,
            0,
        ),
        row(9, "Smith, Ann", InvoiceStatus::Draft, 7_400, 0),
    ]
}

pub fn detail_of(row: InvoiceRow) -> Box<InvoiceDetail> {
    Box::new(InvoiceDetail {
        tax_minor: 50,
        void_reason: None,
        credit_reason: None,
        credits: None,
        credit_notes: Vec::new(),
        lines: vec![
            InvoiceLine {
                id: 1,
                service_code: Some("CONS".into()),
                description: "Consultation".into(),
                quantity: 1,
                unit_price_minor: 12_000,
                discount_minor: 500,
                tax_rate: "0.00".into(),
                net_minor: 11_500,
                tax_minor: 0,
                amount_minor: 11_500,
            },
            InvoiceLine {
                id: 2,
                service_code: Some("DRESS".into()),
                description: "Wound dressing".into(),
                quantity: 2,
                unit_price_minor: 250,
                discount_minor: 0,
                tax_rate: "10.00".into(),
                net_minor: 500,
                tax_minor: 50,
                amount_minor: 550,
            },
        ],
        payments: vec![PaymentEntry {
            id: 41,
            refund: false,
            amount_minor: 5_000,
            applied_minor: 5_000,
            method: "card".into(),
            reference: Some("slip 0042".into()),
            received_at: at(11, 3, 15),
            received_by: Some("Rita Lopez".into()),
        }],
        patient_credit_minor: 0,
        row,
    })
}

pub fn screen(app: &App) -> &BillingScreen {
    &shell(app).states.billing
}

pub fn requests(effects: &[Effect]) -> Vec<Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Billing(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

pub fn one(effects: &[Effect]) -> Request {
    match requests(effects).as_slice() {
        [r] => r.clone(),
        other => panic!("expected one billing request, got {other:?}"),
    }
}

pub fn reply(app: &mut App, reply: Reply) -> Vec<Effect> {
    app.update(Action::Screen(ScreenReply::Billing(reply)))
}

/// `:billing` from wherever the person is; the list's load request.
pub fn open_billing(app: &mut App) -> RequestId {
    leave_search_box(app);
    press(app, KeyCode::Char(':'));
    type_text(app, "billing");
    match one(&press(app, KeyCode::Enter)) {
        Request::Load { request, .. } => request,
        other => panic!("expected the list's load, got {other:?}"),
    }
}

/// Signed in as `job` on the billing screen with `rows()` listed.
pub fn books(job: Job) -> App {
    let (mut app, _, _) = signed_in(job);
    let request = open_billing(&mut app);
    reply(
        &mut app,
        Reply::Loaded {
            request,
            result: Ok(rows()),
        },
    );
    app
}

/// Open the selected invoice and answer with its detail.
pub fn open_selected(app: &mut App) {
    let selected = screen(app)
        .invoices
        .selected_item()
        .cloned()
        .expect("a selected invoice");
    let request = match one(&press(app, KeyCode::Enter)) {
        Request::Detail {
            request,
            invoice_id,
        } => {
            assert_eq!(invoice_id, selected.id);
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        app,
        Reply::Detail {
            request,
            result: Ok(detail_of(selected)),
        },
    );
}
