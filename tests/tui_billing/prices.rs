//! The fee schedule on screen: a new price from a day on, checked at its fields; only the
//! accounts office changes it.

use chrono::NaiveDate;
use clinic::app::billing::{Popup, Reply, Request, Tab};
use clinic::domain::invoice::{PriceChange, ServicePrice};
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn schedule() -> Vec<ServicePrice> {
    vec![ServicePrice {
        id: 1,
        code: "CONS".into(),
        description: "Consultation".into(),
        price_minor: 6_500,
        currency: Currency::USD,
        tax_rate: "0.00".into(),
        valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        valid_to: None,
        suggested_for: vec!["Check-up".into(), "Follow-up".into()],
    }]
}

fn on_prices(job: Job) -> clinic::app::App {
    let mut app = books(job);
    let request = match one(&press(&mut app, KeyCode::BackTab)) {
        Request::Prices { request, day } => {
            assert_eq!(day, date(12, 1));
            request
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(screen(&app).tab, Tab::Prices);
    reply(
        &mut app,
        Reply::Prices {
            request,
            result: Ok(schedule()),
        },
    );
    app
}

#[test]
fn a_new_price_starts_on_a_day_and_not_in_the_past() {
    let mut app = on_prices(Job::Accountant);
    assert_screen!("prices", render(&app));
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(screen(&app).popup, Some(Popup::Price(_))));
    type_text(&mut app, "70.00");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-01");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    assert!(
        render(&app).contains("past invoices keep theirs"),
        "{}",
        render(&app)
    );
    ctrl(&mut app, 'u');
    type_text(&mut app, "2027-01-01");
    match one(&ctrl(&mut app, 's')) {
        Request::ChangePrice { change, .. } => assert_eq!(
            change,
            PriceChange::NewPrice {
                code: "CONS".into(),
                price_minor: 7_000,
                tax_rate: None,
                from: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            }
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_desk_reads_the_schedule_and_changes_nothing() {
    let mut app = books(Job::Receptionist);
    press(&mut app, KeyCode::Tab);
    let request = match one(&press(&mut app, KeyCode::Tab)) {
        Request::Prices { request, .. } => request,
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::Prices {
            request,
            result: Ok(schedule()),
        },
    );
    for key in ['c', 'n'] {
        assert_eq!(requests(&press(&mut app, KeyCode::Char(key))), Vec::new());
        assert!(screen(&app).popup.is_none());
        assert!(app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("accounts office")));
    }
}
