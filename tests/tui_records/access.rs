//! Outside today's list: a walk-in found with the desk's lookup, a chart refused for want of a
//! care relationship, break-the-glass with a sentence of reason, a new note, an amendment.

use chrono::Duration;
use clinic::app::records::{ChartRefusal, Reply, Request, ScreenPopup};
use clinic::domain::patient::{PatientHit, SearchQuery};
use crossterm::event::KeyCode;

use crate::common::{assert_screen, *};
use crate::support::*;

fn hit() -> PatientHit {
    PatientHit {
        id: 200,
        patient_number: 10_200,
        family_name: "Stranger".into(),
        given_names: "Sam".into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1960, 1, 2).expect("date"),
        phone: None,
        email: None,
        next_appointment: None,
        similar: false,
    }
}

/// From the day: w, type a name, wait out the pause, choose; the chart is asked for.
fn find_stranger(app: &mut clinic::app::App) -> clinic::app::RequestId {
    press(app, KeyCode::Char('w'));
    for c in "stranger".chars() {
        assert!(requests(&press(app, KeyCode::Char(c))).is_empty());
    }
    let effects = tick(app, t0() + Duration::seconds(1));
    let request = match requests(&effects).as_slice() {
        [Request::SearchPatients { request, query, .. }] => {
            assert_ne!(*query, SearchQuery::Empty);
            *request
        }
        other => panic!("one lookup: {other:?}"),
    };
    reply(
        app,
        Reply::Patients {
            request,
            result: Ok(vec![hit()]),
        },
    );
    let opened = requests(&press(app, KeyCode::Enter));
    match opened.as_slice() {
        [Request::Chart {
            request,
            patient_id: 200,
        }] => *request,
        other => panic!("the chart of the one found: {other:?}"),
    }
}

#[test]
fn a_patient_outside_the_care_relationship_takes_a_reason_to_open() {
    let (mut app, _) = doctors_day();
    let request = find_stranger(&mut app);
    reply(
        &mut app,
        Reply::Chart {
            request,
            result: Err(ChartRefusal::NoCare),
        },
    );
    let drawn = render(&app);
    assert!(drawn.contains("is not in your care"), "{drawn}");
    assert!(app
        .footer_hints()
        .iter()
        .any(|(_, l)| *l == "emergency access"));

    press(&mut app, KeyCode::Char('b'));
    assert!(matches!(
        screen(&app).popup,
        Some(ScreenPopup::BreakGlass { .. })
    ));
    for c in "urgent".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(
        requests(&press(&mut app, KeyCode::Enter)).is_empty(),
        "one word is not a reason"
    );
    assert!(
        render(&app).contains("say why in a sentence"),
        "{}",
        render(&app)
    );
    for c in ": collapsed in the waiting room".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_screen!("records_break_glass", render(&app));
    let asked = requests(&press(&mut app, KeyCode::Enter));
    let request = match asked.as_slice() {
        [Request::BreakGlass {
            request,
            patient_id: 200,
            reason,
            minutes: 60,
        }] if reason == "urgent: collapsed in the waiting room" => *request,
        other => panic!("emergency access for the configured minutes: {other:?}"),
    };
    let after = reply(
        &mut app,
        Reply::GlassBroken {
            request,
            result: Ok(t0() + Duration::minutes(60)),
        },
    );
    assert!(screen(&app).popup.is_none());
    assert!(
        render(&app).contains("Emergency access until 10:41"),
        "{}",
        render(&app)
    );
    assert!(requests(&after).iter().any(|r| matches!(
        r,
        Request::Chart {
            patient_id: 200,
            ..
        }
    )));
}

#[test]
fn a_walk_in_gets_a_new_note_and_a_signed_record_an_amendment() {
    let (mut app, _) = doctors_day();
    let request = find_stranger(&mut app);
    let mut chart = chart();
    chart.records = vec![encounter(600, None, true)];
    reply(
        &mut app,
        Reply::Chart {
            request,
            result: Ok(chart.clone()),
        },
    );
    let asked = requests(&press(&mut app, KeyCode::Char('n')));
    let request = match asked.as_slice() {
        [Request::NewNote {
            request,
            patient_id: 200,
        }] => *request,
        other => panic!("a new note: {other:?}"),
    };
    let mut with_note = chart.clone();
    with_note.records.push(encounter(601, None, false));
    reply(
        &mut app,
        Reply::NoteStarted {
            request,
            result: Ok((601, with_note)),
        },
    );
    assert_eq!(
        screen(&app).encounter.as_ref().map(|f| f.record_id),
        Some(601)
    );
    // Nothing typed: Esc closes at once, back to the chart.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).encounter.is_none());

    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(
        screen(&app).popup,
        Some(ScreenPopup::Amend { .. })
    ));
    assert!(
        requests(&ctrl(&mut app, 's')).is_empty(),
        "an empty amendment is refused"
    );
    for c in "BP was 140/90".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Tab);
    for c in "The reading was misheard.".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let sent = requests(&ctrl(&mut app, 's'));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Amend { record_id: 600, patient_id: 200, summary, text, .. }]
                if summary == "BP was 140/90" && text == "The reading was misheard."
        ),
        "{sent:?}"
    );
}
