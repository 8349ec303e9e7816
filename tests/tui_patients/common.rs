//! What the patients screen tests share: hand-built patients, hits and appointments (what the
//! database would answer), and the keys and replies that drive the screen to a given state.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use clinic::app::patients::{
    Details, PatientsScreen, Reply, Request, SaveFailure, SaveTarget, StaleInfo, Summary,
};
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::appointment::{AppointmentStatus, PatientAppointment};
use clinic::domain::money::{Currency, Money};
use clinic::domain::patient::{
    DuplicateCandidate, NextAppointment, Patient, PatientField, PatientHit, SearchQuery, Sex,
};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::support::*;

// ---- fixtures -----------------------------------------------------------------------------------

pub fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .expect("a valid instant")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

pub fn hit(id: i64, number: i64, family: &str, given: &str, born: NaiveDate) -> PatientHit {
    PatientHit {
        id,
        patient_number: number,
        family_name: family.into(),
        given_names: given.into(),
        date_of_birth: born,
        phone: None,
        email: None,
        next_appointment: None,
        similar: false,
    }
}

/// The three of the lookup sketch; the clinic is in New York, so 15:30 UTC is 10:30 there.
pub fn does() -> Vec<PatientHit> {
    let mut john = hit(1, 10231, "Doe", "John", date(1985, 6, 15));
    john.phone = Some("123 456 7890".into());
    john.next_appointment = Some(NextAppointment {
        starts_at: at(1, 15, 30),
        doctor: "Alice Smith".into(),
    });
    let mut joanna = hit(2, 88412, "Doe", "Joanna", date(1990, 2, 1));
    joanna.phone = Some("555 010 2231".into());
    joanna.next_appointment = Some(NextAppointment {
        starts_at: at(3, 16, 0),
        doctor: "Greg House".into(),
    });
    let mut jon = hit(3, 40117, "Dowe", "Jon", date(1984, 11, 30));
    jon.phone = Some("555 010 9911".into());
    jon.similar = true;
    vec![john, joanna, jon]
}

pub fn john(version: i32) -> Patient {
    Patient {
        id: 1,
        patient_number: 10231,
        family_name: "Doe".into(),
        given_names: "John".into(),
        preferred_name: Some("Johnny".into()),
        date_of_birth: date(1985, 6, 15),
        sex: Sex::Male,
        gender_identity: None,
        phone: Some("123 456 7890".into()),
        email: Some("john.doe@example.com".into()),
        address_line1: Some("123 Main St".into()),
        address_line2: None,
        city: Some("Springfield".into()),
        postcode: Some("12345".into()),
        emergency_contact_name: Some("Jane Doe".into()),
        emergency_contact_phone: Some("555 010 2231".into()),
        insurer: Some("Acme Health".into()),
        insurance_number: Some("AC-123".into()),
        created_at: at(1, 9, 0),
        created_by: Some(1),
        updated_at: at(1, 9, 0),
        updated_by: Some(1),
        version,
    }
}

pub fn visits() -> Vec<PatientAppointment> {
    let visit =
        |id, starts_at: DateTime<Utc>, doctor: &str, status, reason: &str| PatientAppointment {
            id,
            version: 1,
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(15),
            doctor: doctor.into(),
            status,
            reason: Some(reason.into()),
        };
    vec![
        visit(
            31,
            at(1, 15, 30),
            "Alice Smith",
            AppointmentStatus::Scheduled,
            "check-up",
        ),
        visit(
            32,
            at(15, 14, 0),
            "Greg House",
            AppointmentStatus::Scheduled,
            "results",
        ),
        visit(
            30,
            Utc.with_ymd_and_hms(2026, 11, 3, 14, 0, 0)
                .single()
                .expect("instant"),
            "Alice Smith",
            AppointmentStatus::Completed,
            "flu",
        ),
    ]
}

pub fn summary_of(patient: Patient) -> Box<Summary> {
    Box::new(Summary {
        details: Details::Full(Box::new(patient)),
        appointments: visits(),
        balance: Some(vec![Money::new(12050, Currency::USD)]),
    })
}

// ---- driving ------------------------------------------------------------------------------------

pub fn screen(app: &App) -> &PatientsScreen {
    &shell(app).states.patients
}

/// Signed in, the connection proved, on the patients screen.
pub fn desk(job: Job) -> App {
    let (mut app, _, ping) = signed_in(job);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    if shell(&app).current != ScreenId::Patients {
        // A doctor starts on their day: the lookup is the first screen of the bar.
        press(&mut app, crossterm::event::KeyCode::F(2));
    }
    assert_eq!(shell(&app).current, ScreenId::Patients);
    app
}

/// The Search effects among `effects`: (request, query).
pub fn searches(effects: &[Effect]) -> Vec<(RequestId, SearchQuery)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Patients(Request::Search { request, query, .. })) => {
                Some((*request, query.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Types `text` into the box and lets the pause pass; returns the one search it sent.
pub fn search_for(app: &mut App, text: &str) -> RequestId {
    type_text(app, text);
    let now = app.now + TimeDelta::milliseconds(200);
    match searches(&tick(app, now)).as_slice() {
        [(request, _)] => *request,
        other => panic!("expected one search, got {other:?}"),
    }
}

pub fn found(app: &mut App, request: RequestId, hits: Vec<PatientHit>) {
    app.update(Action::Screen(ScreenReply::Patients(Reply::Found {
        request,
        result: Ok(hits),
    })));
}

pub fn one_patients_effect(effects: Vec<Effect>) -> Request {
    match <[Effect; 1]>::try_from(effects) {
        Ok([Effect::Screen(ScreenRequest::Patients(request))]) => request,
        Ok(other) => panic!("expected a patients effect, got {other:?}"),
        Err(other) => panic!("expected one effect, got {other:?}"),
    }
}

/// Opens John Doe's summary from the lookup and answers it with `patient`.
pub fn open_john(app: &mut App, patient: Patient) {
    let request = search_for(app, "doe jo");
    found(app, request, does());
    let request = match one_patients_effect(press(app, KeyCode::Enter)) {
        Request::Summary {
            request,
            patient_id: 1,
            ..
        } => request,
        other => panic!("expected John's summary to load, got {other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Summary {
        request,
        result: Ok(summary_of(patient)),
    })));
}

/// Types into the form's fields from the focused one on, Tab between them.
pub fn fill(app: &mut App, values: &[&str]) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            press(app, KeyCode::Tab);
        }
        type_text(app, value);
    }
}

pub fn save(app: &mut App) -> Vec<Effect> {
    ctrl(app, 's')
}

pub fn field_value(app: &App, field: PatientField) -> String {
    let form = screen(app).form.as_ref().expect("the form is open");
    form.text(field).to_string()
}

/// A new patient, Jane Roe, typed into a fresh form.
pub fn register_jane(app: &mut App) {
    ctrl(app, 'n');
    assert!(screen(app).form.is_some(), "Ctrl-N opens the form");
    // Family, given, preferred, date of birth, sex.
    fill(app, &["Roe", "Jane", "", "1991-04-02", "f"]);
}

pub fn duplicate(h: PatientHit, reason: &str) -> DuplicateCandidate {
    DuplicateCandidate {
        patient: h,
        reason: reason.into(),
        score: 1.0,
    }
}

pub fn stale_john(app: &mut App) -> RequestId {
    open_john(app, john(1));
    press(app, KeyCode::Char('e'));
    assert_eq!(field_value(app, PatientField::FamilyName), "Doe");
    // To the phone, and a new number.
    for _ in 0..6 {
        press(app, KeyCode::Tab);
    }
    assert_eq!(
        screen(app).form.as_ref().map(|f| f.field()),
        Some(PatientField::Phone)
    );
    for _ in 0.."123 456 7890".len() {
        press(app, KeyCode::Backspace);
    }
    type_text(app, "555 010 0000");
    let request = match one_patients_effect(save(app)) {
        Request::Duplicates {
            request,
            exclude: Some(1),
            ..
        } => request,
        other => panic!("a changed phone is checked for duplicates, got {other:?}"),
    };
    let request = match one_patients_effect(app.update(Action::Screen(ScreenReply::Patients(
        Reply::Duplicates {
            request,
            result: Ok(Vec::new()),
        },
    )))) {
        Request::Save {
            request,
            target: SaveTarget::Existing { id: 1, version: 1 },
            ..
        } => request,
        other => panic!("expected a save of version 1, got {other:?}"),
    };
    let mut theirs = john(2);
    theirs.email = Some("jd@example.org".into());
    theirs.updated_at = at(1, 14, 35);
    let differences = vec![
        (
            PatientField::Phone,
            "123 456 7890".to_string(),
            "555 010 0000".to_string(),
        ),
        (
            PatientField::Email,
            "jd@example.org".to_string(),
            "john.doe@example.com".to_string(),
        ),
    ];
    app.update(Action::Screen(ScreenReply::Patients(Reply::Saved {
        request,
        result: Err(SaveFailure::Stale(Box::new(StaleInfo {
            current: theirs,
            changed_by: "Dana Desk".into(),
            changed_at: at(1, 14, 35),
            differences,
        }))),
    })));
    request
}

/// Draws `$app` and checks it against tests/snapshots/tui_patients__<name>.snap. Insta names a
/// snapshot after the module that asserts it; these files were named when this target was a
/// single file, so the name is given here in full (the crate's name is the root module's path)
/// along with the directory they are in, and every module keeps using them unchanged.
macro_rules! assert_screen {
    ($name:literal, $app:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!(env!("CARGO_CRATE_NAME"), "__", $name), render($app));
        });
    };
}
pub(crate) use assert_screen;
