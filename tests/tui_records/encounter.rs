//! The encounter: typing into the note, saving by itself and keeping everything through a lost
//! connection, vitals checked at the field, the diagnosis box, the allergy question, signing.

use chrono::Duration;
use clinic::app::records::{Popup, Prescribed, Reply, Request, Section};
use clinic::app::Action;
use clinic::domain::diagnosis::{Icd10Code, Icd10Query};
use clinic::domain::record::VitalsProblem;
use crossterm::event::KeyCode;

use crate::common::{assert_screen, *};
use crate::support::*;

fn saves(effects: &[clinic::app::Effect]) -> Vec<Request> {
    requests(effects)
        .into_iter()
        .filter(|r| matches!(r, Request::Save { .. }))
        .collect()
}

#[test]
fn the_draft_saves_itself_after_a_pause_and_keeps_every_keystroke_offline() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    let typed = "Fell on the stairs.";
    for c in typed.chars() {
        assert!(
            requests(&press(&mut app, KeyCode::Char(c))).is_empty(),
            "no save per keystroke"
        );
    }
    press(&mut app, KeyCode::Enter);
    for c in "Knee swollen".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(saves(&tick(&mut app, t0() + Duration::milliseconds(1500))).is_empty());
    let sent = saves(&tick(&mut app, t0() + Duration::seconds(2)));
    let request = match sent.as_slice() {
        [Request::Save {
            request,
            record_id: 503,
            version: 1,
            snapshot,
            ..
        }] => {
            assert_eq!(
                snapshot.note.subjective,
                "Fell on the stairs.\nKnee swollen"
            );
            *request
        }
        other => panic!("one save of the draft: {other:?}"),
    };
    // The connection is gone: the text stays, the screen says so, and it is tried again.
    reply(
        &mut app,
        Reply::Saved {
            request,
            result: Err("The database cannot be reached right now".into()),
        },
    );
    let form = screen(&app).encounter.as_ref().expect("still open");
    assert_eq!(form.note_text(0), "Fell on the stairs.\nKnee swollen");
    assert!(
        render(&app).contains("NOT SAVED (kept here, trying again)"),
        "{}",
        render(&app)
    );
    assert!(app.has_unsaved_input(), "quitting now asks first");
    let retry = saves(&tick(&mut app, t0() + Duration::seconds(8)));
    let request = match retry.as_slice() {
        [Request::Save { request, .. }] => *request,
        other => panic!("the retry: {other:?}"),
    };
    reply(
        &mut app,
        Reply::Saved {
            request,
            result: Ok(2),
        },
    );
    let form = screen(&app).encounter.as_ref().expect("open");
    assert_eq!(form.version, 2);
    assert!(!app.has_unsaved_input());
    assert!(
        saves(&tick(&mut app, t0() + Duration::seconds(20))).is_empty(),
        "nothing more to save"
    );
}

#[test]
fn undo_takes_back_typing_in_the_note() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    for c in "abc".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    ctrl(&mut app, 'z');
    let form = screen(&app).encounter.as_ref().expect("open");
    assert!(form.note_text(0).len() < 3, "{:?}", form.note_text(0));
}

#[test]
fn esc_saves_what_is_typed_before_closing() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    for c in "Better".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let effects = press(&mut app, KeyCode::Esc);
    let request = match saves(&effects).as_slice() {
        [Request::Save { request, .. }] => *request,
        other => panic!("Esc saves first: {other:?}"),
    };
    assert!(
        screen(&app).encounter.is_some(),
        "open until the database has it"
    );
    let after = reply(
        &mut app,
        Reply::Saved {
            request,
            result: Ok(2),
        },
    );
    assert!(screen(&app).encounter.is_none());
    assert!(requests(&after).iter().any(|r| matches!(
        r,
        Request::Chart {
            patient_id: 103,
            ..
        }
    )));
}

#[test]
fn an_impossible_vital_is_refused_at_its_field_and_held_back() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    // S, O, then the vitals: BP systolic, diastolic, pulse.
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(
        screen(&app).encounter.as_ref().map(|f| f.focus),
        Some(Section::Vitals(clinic::domain::record::VitalField::Pulse))
    );
    for c in "720".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let form = screen(&app).encounter.as_ref().expect("open");
    assert!(matches!(
        form.problems.as_slice(),
        [(_, VitalsProblem::Error(_))]
    ));
    assert!(
        render(&app).contains("not a possible pulse: 20-300 /min"),
        "{}",
        render(&app)
    );
    assert!(
        saves(&tick(&mut app, t0() + Duration::seconds(3))).is_empty(),
        "nothing savable"
    );
    let esc = press(&mut app, KeyCode::Esc);
    assert!(saves(&esc).is_empty());
    assert!(
        screen(&app).encounter.is_some(),
        "Esc does not throw the typed value away"
    );
    assert!(
        render(&app).contains("fix or clear it before closing"),
        "{}",
        render(&app)
    );
    assert_screen!("records_encounter_vitals_error", render(&app));
}

#[test]
fn the_diagnosis_box_searches_after_the_pause_and_adds_only_a_billable_code() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    ctrl(&mut app, 'd');
    for c in "e11".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(requests(&tick(&mut app, t0() + Duration::milliseconds(100))).is_empty());
    let effects = tick(&mut app, t0() + Duration::milliseconds(200));
    let request = match requests(&effects).as_slice() {
        [Request::SearchIcd { request, query }] => {
            assert_eq!(*query, Icd10Query::Code("E11".into()));
            *request
        }
        other => panic!("one search: {other:?}"),
    };
    let code = |c: &str, d: &str, billable: bool| Icd10Code {
        code: c.into(),
        description: d.into(),
        chapter: 4,
        billable,
    };
    reply(
        &mut app,
        Reply::IcdFound {
            request,
            result: Ok(vec![
                code("E11", "Type 2 diabetes mellitus", false),
                code(
                    "E11.9",
                    "Type 2 diabetes mellitus without complications",
                    true,
                ),
            ]),
        },
    );
    assert_screen!("records_diagnosis_box", render(&app));
    assert!(
        requests(&press(&mut app, KeyCode::Enter)).is_empty(),
        "a category is not added"
    );
    assert!(
        render(&app).contains("E11 is a category"),
        "{}",
        render(&app)
    );
    press(&mut app, KeyCode::Down);
    let added = requests(&press(&mut app, KeyCode::Enter));
    assert!(
        matches!(added.as_slice(), [Request::AddDiagnosis { record_id: 503, code, primary: true, .. }] if code.code == "E11.9"),
        "{added:?}"
    );
}

#[test]
fn prescribing_past_an_allergy_warns_at_the_field_asks_and_yes_prescribes() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    ctrl(&mut app, 'p');
    for c in "Penicillin V".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let drawn = render(&app);
    assert!(
        drawn.contains("ALLERGY: Penicillin (rash, moderate)"),
        "{drawn}"
    );
    assert_screen!("records_prescription_allergy", drawn);
    let first = requests(&ctrl(&mut app, 's'));
    let request = match first.as_slice() {
        [Request::Prescribe {
            request,
            allergy_confirmed: false,
            prescription,
            ..
        }] if prescription.drug == "Penicillin V" => *request,
        other => panic!("a first try, unconfirmed: {other:?}"),
    };
    reply(
        &mut app,
        Reply::PrescriptionAdded {
            request,
            result: Ok(Prescribed::Allergy(
                "recorded allergy: Penicillin (rash, moderate)".into(),
            )),
        },
    );
    assert!(
        render(&app).contains("Prescribe Penicillin V anyway?"),
        "{}",
        render(&app)
    );
    let yes = requests(&press(&mut app, KeyCode::Char('y')));
    assert!(
        matches!(yes.as_slice(), [Request::Prescribe { allergy_confirmed: true, prescription, .. }] if prescription.drug == "Penicillin V"),
        "{yes:?}"
    );
}

#[test]
fn signing_asks_for_the_password_and_a_wrong_one_signs_nothing() {
    let (mut app, hash) = doctors_day();
    app.update(Action::PasswordHashed {
        request: hash,
        hash: Some("$argon2id$the-hash".into()),
    });
    start_garcia(&mut app);
    for c in "Sprain".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    ctrl(&mut app, 'g');
    assert!(matches!(
        screen(&app)
            .encounter
            .as_ref()
            .and_then(|f| f.popup.as_ref()),
        Some(Popup::Sign { .. })
    ));
    for c in "secret".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let drawn = render(&app);
    assert!(
        drawn.contains("******") && !drawn.contains("secret"),
        "{drawn}"
    );
    let effects = press(&mut app, KeyCode::Enter);
    let request = match requests(&effects).as_slice() {
        [Request::Sign {
            request,
            record_id: 503,
            password,
            hash,
            save: Some(save),
        }] => {
            assert_eq!(password.expose(), "secret");
            assert_eq!(hash, "$argon2id$the-hash");
            assert!(
                matches!(**save, Request::Save { .. }),
                "what is typed goes with it"
            );
            *request
        }
        other => panic!("one signing: {other:?}"),
    };
    reply(
        &mut app,
        Reply::Signed {
            request,
            result: Err("That is not your password; nothing was signed.".into()),
        },
    );
    assert!(screen(&app).encounter.is_some());
    assert!(
        render(&app).contains("That is not your password"),
        "{}",
        render(&app)
    );
    for c in "demo".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let again = requests(&press(&mut app, KeyCode::Enter));
    let Some(Request::Sign { request, .. }) = again.first() else {
        panic!("signing again: {again:?}");
    };
    let after = reply(
        &mut app,
        Reply::Signed {
            request: *request,
            result: Ok(()),
        },
    );
    assert!(screen(&app).encounter.is_none());
    assert!(
        render(&app).contains("Signed: Garcia, Pat's encounter is final now."),
        "{}",
        render(&app)
    );
    assert!(requests(&after)
        .iter()
        .any(|r| matches!(r, Request::Day { .. })));
}

#[test]
fn snapshot_of_the_encounter_form() {
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    for c in "Knee pain since a fall 2 weeks ago, worse on stairs.".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_screen!("records_encounter", render(&app));
}

#[test]
fn an_allergy_is_recorded_from_the_encounter_with_its_severity() {
    use clinic::domain::record::Severity;
    let (mut app, _) = doctors_day();
    start_garcia(&mut app);
    ctrl(&mut app, 't');
    assert!(
        requests(&ctrl(&mut app, 's')).is_empty(),
        "nothing named yet"
    );
    assert!(
        render(&app).contains("name the substance"),
        "{}",
        render(&app)
    );
    for c in "Latex".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Tab);
    for c in "hives".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down);
    let sent = requests(&ctrl(&mut app, 's'));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::RecordAllergy { patient_id: 103, substance, reaction: Some(r), severity: Severity::Mild, .. }]
                if substance == "Latex" && r == "hives"
        ),
        "{sent:?}"
    );
}
