//! Emergency accesses waiting for review: their count on the tab bar of the admin's home, the
//! reason in full under the list, a note required to mark one reviewed.

use clinic::app::admin::{Popup, Reply, Request, Tab};
use clinic::db::clinic_settings::AccessToReview;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn accesses() -> Vec<AccessToReview> {
    vec![
        AccessToReview {
            access_id: 7,
            doctor_name: "Greg House".into(),
            patient_id: 70,
            patient_number: 10_070,
            patient_name: "Doe, John".into(),
            reason: "Unconscious in the waiting room, his own doctor is away".into(),
            granted_at: at(11, 28, 15, 5),
            minutes: 60,
        },
        AccessToReview {
            access_id: 9,
            doctor_name: "Nkechi Okafor".into(),
            patient_id: 71,
            patient_number: 10_071,
            patient_name: "Lee, Amy".into(),
            reason: "Called from the ER about her allergies".into(),
            granted_at: at(11, 30, 10, 40),
            minutes: 30,
        },
    ]
}

#[test]
fn the_count_waits_on_the_home_and_a_note_marks_one_reviewed() {
    let mut app = admin_home(accesses());
    assert!(render(&app).contains("Emergency access (2 to review)"));
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(screen(&app).tab, Tab::Reviews);
    press(&mut app, KeyCode::Down);
    let drawn = render(&app);
    assert!(
        drawn.contains("Called from the ER about her allergies"),
        "{drawn}"
    );
    assert_screen!("admin_reviews", drawn);

    press(&mut app, KeyCode::Enter);
    assert!(matches!(screen(&app).popup, Some(Popup::Review(_))));
    type_text(&mut app, "ok");
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    assert!(render(&app).contains("Say what the review found"));
    type_text(&mut app, " - confirmed with the ER log");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::Review {
            request,
            access_id,
            note,
        } => {
            assert_eq!(
                (access_id, note.as_str()),
                (9, "ok - confirmed with the ER log")
            );
            request
        }
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::Reviewed {
            request,
            result: Ok(()),
        },
    );
    let Request::Reviews { request } = one(&effects) else {
        panic!("the queue is read again");
    };
    reply(
        &mut app,
        Reply::Reviews {
            request,
            result: Ok(accesses()[..1].to_vec()),
        },
    );
    assert!(render(&app).contains("Emergency access (1 to review)"));
}
