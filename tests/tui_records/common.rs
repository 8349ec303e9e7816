//! A doctor signed in on their day, visits and a chart built by hand.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use clinic::app::records::{RecordsScreen, Reply, Request};
use clinic::app::registry::{ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::appointment::AppointmentStatus;
use clinic::domain::record::{
    Access, Allergy, Chart, DayVisit, Encounter, Severity, UnsignedRecord,
};
use clinic::domain::staff::Job;

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

/// Tuesday 2026-12-01 in New York (t0 is 09:41 there).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

pub fn local(h: u32, m: u32) -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(2026, 12, 1, h, m, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

pub fn screen(app: &App) -> &RecordsScreen {
    &shell(app).states.records
}

/// The screen's requests among `effects`.
pub fn requests(effects: &[Effect]) -> Vec<Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Records(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

pub fn reply(app: &mut App, reply: Reply) -> Vec<Effect> {
    app.update(Action::Screen(ScreenReply::Records(reply)))
}

pub fn visit(id: i64, (h, m): (u32, u32), family: &str, status: AppointmentStatus) -> DayVisit {
    DayVisit {
        appointment_id: id,
        starts_at: local(h, m),
        ends_at: local(h, m) + Duration::minutes(15),
        status,
        status_changed_at: None,
        reason: Some("Follow-up".into()),
        patient_id: 100 + id,
        patient_number: 10_000 + id,
        family_name: family.into(),
        given_names: "Pat".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1974, 5, 2).expect("date"),
        has_allergies: false,
        record_id: None,
        record_signed_at: None,
    }
}

/// Alice's Tuesday: done and signed, with her now, waiting 12 minutes (allergic), expected.
pub fn visits() -> Vec<DayVisit> {
    use AppointmentStatus::*;
    let mut done = visit(1, (9, 0), "Doe", Completed);
    done.reason = Some("Follow-up BP".into());
    done.record_id = Some(501);
    done.record_signed_at = Some(local(9, 18));
    let mut with_her = visit(2, (9, 15), "Lee", InProgress);
    with_her.reason = Some("Cough 3 weeks".into());
    with_her.record_id = Some(502);
    let mut waiting = visit(3, (9, 30), "Garcia", CheckedIn);
    waiting.reason = Some("Knee pain".into());
    waiting.status_changed_at = Some(local(9, 29));
    waiting.has_allergies = true;
    let mut expected = visit(4, (10, 45), "Wilson", Scheduled);
    expected.reason = Some("Repeat prescription".into());
    vec![done, with_her, waiting, expected]
}

pub fn unsigned() -> Vec<UnsignedRecord> {
    vec![UnsignedRecord {
        record_id: 490,
        recorded_at: local(9, 0) - Duration::days(3),
        summary: "Back pain".into(),
        patient_id: 99,
        family_name: "Brown".into(),
        given_names: "Tom".into(),
        appointment_id: Some(77),
    }]
}

pub fn encounter(id: i64, appointment: Option<i64>, signed: bool) -> Encounter {
    Encounter {
        id,
        kind: "consultation".into(),
        recorded_at: local(9, 31),
        author_id: 1,
        author: "Alice Smith".into(),
        appointment_id: appointment,
        summary: "Knee pain".into(),
        subjective: None,
        objective: None,
        assessment: None,
        plan: None,
        diagnosis_text: None,
        treatment_text: None,
        notes_text: None,
        amends_id: None,
        signed_at: signed.then(|| local(9, 50)),
        version: 1,
        written_under_emergency: false,
    }
}

/// Garcia's chart: allergic to penicillin, today's draft (record 503) and nothing else.
pub fn chart() -> Chart {
    Chart {
        access: Access::Care,
        records: vec![encounter(503, Some(3), false)],
        vitals: vec![],
        diagnoses: vec![],
        prescriptions: vec![],
        allergies: vec![Allergy {
            id: 1,
            substance: "Penicillin".into(),
            reaction: Some("rash".into()),
            severity: Severity::Moderate,
            recorded_at: local(9, 0) - Duration::days(400),
            ended_at: None,
            end_reason: None,
        }],
    }
}

/// A doctor signed in (the connection proved), on their day, loaded with [`visits`].
pub fn doctors_day() -> (App, RequestId) {
    let (mut app, hash, ping) = signed_in(Job::Doctor);
    let effects = app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    assert!(requests(&effects).is_empty());
    let request = match screen(&app).loading.id() {
        Some(r) => r,
        None => panic!("the day is being loaded at sign-in"),
    };
    reply(
        &mut app,
        Reply::Day {
            request,
            result: Ok((visits(), unsigned())),
        },
    );
    (app, hash)
}

/// From the day, start the checked-in visit (Garcia) and answer with `chart`.
pub fn start_garcia(app: &mut App) -> RequestId {
    crate::support::press(app, crossterm::event::KeyCode::Down);
    crate::support::press(app, crossterm::event::KeyCode::Down);
    let effects = crate::support::press(app, crossterm::event::KeyCode::Char('s'));
    let request = match requests(&effects).as_slice() {
        [Request::Start {
            request,
            appointment_id: 3,
            patient_id: 103,
        }] => *request,
        other => panic!("expected the start of visit 3: {other:?}"),
    };
    reply(
        app,
        Reply::Started {
            request,
            result: Ok((503, chart())),
        },
    );
    assert!(screen(app).encounter.is_some(), "the encounter is open");
    request
}
