//! What each job gets: the desk takes payments and nothing else, an admin reads, a doctor has no
//! billing at all. The database refuses the rest too (tests/billing_ui_db.rs); here the screen
//! says so in words and sends nothing.

use clinic::app::billing::{Popup, Request};
use clinic::app::registry::ScreenId;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

#[test]
fn the_desk_takes_payments_and_is_told_the_rest_is_the_accounts_office_s() {
    let mut app = books(Job::Receptionist);
    let footer: Vec<&str> = app.footer_hints().into_iter().map(|(_, l)| l).collect();
    assert!(footer.contains(&"payment"), "{footer:?}");
    assert!(
        !footer.contains(&"issue") && !footer.contains(&"invoice a day"),
        "{footer:?}"
    );
    for key in ['v', 'c', 'd'] {
        assert_eq!(
            requests(&press(&mut app, KeyCode::Char(key))),
            Vec::new(),
            "{key}"
        );
        assert!(screen(&app).popup.is_none(), "{key}");
        let notice = app.notice.clone().unwrap_or_default();
        assert!(
            notice.contains("Only the accounts office"),
            "{key}: {notice}"
        );
    }
    press(&mut app, KeyCode::Char('p'));
    assert!(matches!(screen(&app).popup, Some(Popup::Money(_))));
}

#[test]
fn an_admin_reads_and_takes_no_money() {
    let mut app = books(Job::Admin);
    for key in ['p', 'v', 'c', 'd', 'i'] {
        assert_eq!(
            requests(&press(&mut app, KeyCode::Char(key))),
            Vec::new(),
            "{key}"
        );
        assert!(screen(&app).popup.is_none(), "{key}");
        let notice = app.notice.clone().unwrap_or_default();
        assert!(notice.contains("read-only"), "{key}: {notice}");
    }
    open_selected(&mut app);
    assert!(render(&app).contains("Payments and refunds"));
}

#[test]
fn a_doctor_has_no_billing() {
    let (mut app, _, _) = signed_in(Job::Doctor);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "billing");
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(requests(&effects), Vec::<Request>::new());
    assert_ne!(shell(&app).current, ScreenId::Billing);
}
