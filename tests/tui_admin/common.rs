//! Staff, reviews and settings built by hand (what the database would answer), and the keys that
//! bring the screen up.

use chrono::{DateTime, TimeZone, Utc};
use clinic::app::admin::{AdminScreen, Reply, Request};
use clinic::app::registry::{ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect};
use clinic::db::staff::StaffRow;
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

pub fn at(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, min, 0)
        .single()
        .expect("instant")
}

pub fn person(id: i64, login: &str, name: &str, job: &str) -> StaffRow {
    StaffRow {
        id,
        login: login.into(),
        full_name: name.into(),
        job: job.into(),
        active: true,
        can_log_in: true,
        must_change_password: false,
        signed_in_since: None,
        last_sign_in: None,
    }
}

/// The signed-in admin ("adam" in the tests' logins), a receptionist signed in now, a doctor who
/// signed in yesterday, one deactivated and one whose password was reset.
pub fn staff() -> Vec<StaffRow> {
    let mut adam = person(1, "adam", "Adam Admin", "admin");
    adam.signed_in_since = Some(at(12, 1, 13, 0));
    let mut rita = person(2, "rita", "Rita Moreno", "receptionist");
    rita.signed_in_since = Some(at(12, 1, 13, 2));
    rita.last_sign_in = Some(at(12, 1, 13, 2));
    let mut greg = person(3, "greg", "Greg House", "doctor");
    greg.active = false;
    greg.can_log_in = false;
    greg.last_sign_in = Some(at(11, 20, 9, 0));
    let mut alice = person(4, "alice", "Alice Smith", "doctor");
    alice.last_sign_in = Some(at(11, 30, 22, 15));
    let mut nina = person(5, "nina", "Nina Nurse", "receptionist");
    nina.must_change_password = true;
    vec![adam, alice, greg, nina, rita]
}

pub fn screen(app: &App) -> &AdminScreen {
    &shell(app).states.admin
}

pub fn requests(effects: &[Effect]) -> Vec<Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Admin(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

pub fn one(effects: &[Effect]) -> Request {
    match requests(effects).as_slice() {
        [r] => r.clone(),
        other => panic!("expected one admin request, got {other:?}"),
    }
}

pub fn reply(app: &mut App, reply: Reply) -> Vec<Effect> {
    app.update(Action::Screen(ScreenReply::Admin(reply)))
}

/// Signed in as an admin: the Admin screen is home; its staff list and the review count are
/// answered (none to review unless `reviews` says so).
pub fn admin_home(reviews: Vec<clinic::db::clinic_settings::AccessToReview>) -> App {
    let mut app = new_app();
    let request = submit_login(&mut app, "adam", "secret");
    let effects = app.update(Action::LoginDone {
        request,
        result: Ok(identity(Job::Admin)),
    });
    let asked = requests(&effects);
    assert_eq!(asked.len(), 2, "{asked:?}");
    for r in asked {
        match r {
            Request::Reviews { request } => {
                reply(
                    &mut app,
                    Reply::Reviews {
                        request,
                        result: Ok(reviews.clone()),
                    },
                );
            }
            Request::Staff { request } => {
                reply(
                    &mut app,
                    Reply::Staff {
                        request,
                        result: Ok(staff()),
                    },
                );
            }
            other => panic!("{other:?}"),
        }
    }
    app
}
