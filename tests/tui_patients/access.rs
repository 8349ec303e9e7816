//! Access: the read-only roles' keys, and the accountant's billing fields.

use clinic::app::patients::{Details, Reply, Request, Summary};
use clinic::app::registry::{ScreenId, ScreenReply};
use clinic::app::Action;
use clinic::domain::money::{Currency, Money};
use clinic::domain::patient::BillingPatient;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{
    date, desk, does, found, john, one_patients_effect, screen, search_for, visits,
};
use crate::support::*;

#[test]
fn read_only_roles_get_no_register_edit_book_or_check_in() {
    for job in [Job::Doctor, Job::Admin, Job::Accountant] {
        let mut app = desk(job);
        let footer: Vec<&str> = app.footer_hints().into_iter().map(|(_, l)| l).collect();
        assert!(!footer.contains(&"new patient"), "{job}: {footer:?}");
        assert_eq!(ctrl(&mut app, 'n'), Vec::new(), "{job}");
        assert!(screen(&app).form.is_none(), "{job}");

        let request = search_for(&mut app, "doe");
        found(&mut app, request, does());
        press(&mut app, KeyCode::Tab);
        for key in ['n', 'b', 'c'] {
            assert_eq!(
                press(&mut app, KeyCode::Char(key)),
                Vec::new(),
                "{job} {key}"
            );
        }
        let request = match one_patients_effect(press(&mut app, KeyCode::Enter)) {
            Request::Summary { request, scope, .. } => {
                assert_eq!(scope.billing_only, job == Job::Accountant, "{job}");
                assert_eq!(
                    scope.balance,
                    job != Job::Doctor,
                    "{job}: a doctor never asks"
                );
                request
            }
            other => panic!("{other:?}"),
        };
        let details = match job {
            Job::Accountant => Details::Billing(Box::new(BillingPatient {
                id: 1,
                patient_number: 10231,
                family_name: "Doe".into(),
                given_names: "John".into(),
                preferred_name: None,
                date_of_birth: date(1985, 6, 15),
                phone: None,
                email: None,
                address_line1: None,
                address_line2: None,
                city: None,
                postcode: None,
                insurer: Some("Acme Health".into()),
                insurance_number: None,
            })),
            _ => Details::Full(Box::new(john(1))),
        };
        app.update(Action::Screen(ScreenReply::Patients(Reply::Summary {
            request,
            result: Ok(Box::new(Summary {
                details,
                appointments: visits(),
                balance: None,
            })),
        })));
        for key in ['e', 'b', 'c'] {
            assert_eq!(
                press(&mut app, KeyCode::Char(key)),
                Vec::new(),
                "{job} {key}"
            );
        }
        assert!(screen(&app).form.is_none(), "{job}");
        assert_eq!(shell(&app).current, ScreenId::Patients, "{job}");
        let drawn = render(&app);
        assert!(drawn.contains("read only"), "{job}:\n{drawn}");
        assert!(!drawn.contains("Balance"), "{job}:\n{drawn}");
    }
}

#[test]
fn an_accountant_sees_billing_fields_only() {
    let mut app = desk(Job::Accountant);
    let request = search_for(&mut app, "doe");
    found(&mut app, request, does());
    let request = match one_patients_effect(press(&mut app, KeyCode::Enter)) {
        Request::Summary { request, .. } => request,
        other => panic!("{other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Summary {
        request,
        result: Ok(Box::new(Summary {
            details: Details::Billing(Box::new(BillingPatient {
                id: 1,
                patient_number: 10231,
                family_name: "Doe".into(),
                given_names: "John".into(),
                preferred_name: None,
                date_of_birth: date(1985, 6, 15),
                phone: Some("123 456 7890".into()),
                email: None,
                address_line1: Some("123 Main St".into()),
                address_line2: None,
                city: Some("Springfield".into()),
                postcode: None,
                insurer: Some("Acme Health".into()),
                insurance_number: Some("AC-123".into()),
            })),
            appointments: Vec::new(),
            balance: Some(vec![Money::new(4000, Currency::USD)]),
        })),
    })));
    let drawn = render(&app);
    assert!(
        drawn.contains("USD 40.00") && drawn.contains("AC-123"),
        "{drawn}"
    );
    assert!(
        !drawn.contains("Emergency") && !drawn.contains("Sex"),
        "{drawn}"
    );
}
