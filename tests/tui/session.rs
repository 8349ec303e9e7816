//! After sign-in: the idle lock, unlocking, the connection state, and redrawing only on change.

use chrono::TimeDelta;
use clinic::app::keymap::Place;
use clinic::app::lock::UnlockHash;
use clinic::app::registry::ScreenId;
use clinic::app::shell::Connection;
use clinic::app::{Action, Effect, RequestId};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use super::support::*;

// ---- idle lock ----------------------------------------------------------------------------------

#[test]
fn the_screen_locks_after_the_idle_minutes_and_a_key_resets_the_count() {
    let (mut app, hash, _) = signed_in(Job::Doctor);
    app.update(Action::PasswordHashed {
        request: hash,
        hash: Some("$argon2id$stand-in".into()),
    });
    tick(&mut app, t0() + TimeDelta::minutes(9));
    assert!(shell(&app).lock.is_none());
    press(&mut app, KeyCode::F(4));
    tick(&mut app, t0() + TimeDelta::minutes(18));
    assert!(
        shell(&app).lock.is_none(),
        "the key at 9 minutes restarted the count"
    );
    tick(&mut app, t0() + TimeDelta::minutes(19));
    assert!(shell(&app).lock.is_some());
    assert_eq!(app.front(), Place::Lock);
    let screen = render(&app);
    assert!(screen.contains("Locked after 10 minutes"), "{screen}");
    assert!(
        !screen.contains("Records"),
        "the lock hides the screens:\n{screen}"
    );

    // Screen keys do not reach behind the lock; `q` is typed into the password.
    press(&mut app, KeyCode::F(2));
    assert_eq!(shell(&app).current, ScreenId::Records);
    assert_eq!(press(&mut app, KeyCode::Char('q')), Vec::new());
}

#[test]
fn zero_idle_minutes_never_locks() {
    let mut config = config();
    config.session.idle_lock_minutes = 0;
    let mut app = new_app_with(&config);
    let request = submit_login(&mut app, "rita", "secret");
    app.update(Action::LoginDone {
        request,
        result: Ok(identity(Job::Receptionist)),
    });
    tick(&mut app, t0() + TimeDelta::days(2));
    assert!(shell(&app).lock.is_none());
}

#[test]
fn unlocking_checks_the_password_against_the_hash() {
    let (mut app, hash, _) = signed_in(Job::Receptionist);
    ctrl(&mut app, 'l');
    assert!(shell(&app).lock.is_some(), "Ctrl-L locks at once");

    // Before the hash is ready the password cannot be checked, and it is not kept.
    type_text(&mut app, "secret");
    assert_eq!(press(&mut app, KeyCode::Enter), Vec::new());
    assert!(shell(&app)
        .lock
        .as_ref()
        .is_some_and(|l| l.error.is_some() && l.password.value().is_empty()));

    app.update(Action::PasswordHashed {
        request: RequestId(999),
        hash: Some("stale".into()),
    });
    assert_eq!(
        shell(&app).unlock_hash,
        UnlockHash::Making(hash),
        "a stale hash is ignored"
    );
    app.update(Action::PasswordHashed {
        request: hash,
        hash: Some("the-hash".into()),
    });

    type_text(&mut app, "guess");
    let request = match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::CheckUnlock {
            request,
            password,
            hash,
        }] => {
            assert_eq!(password.expose(), "guess");
            assert_eq!(hash, "the-hash");
            *request
        }
        other => panic!("expected CheckUnlock, got {other:?}"),
    };
    app.update(Action::UnlockChecked { request, ok: false });
    let lock = shell(&app).lock.as_ref().expect("still locked");
    assert!(lock
        .error
        .as_deref()
        .is_some_and(|e| e.starts_with("Wrong password")));
    assert!(render(&app).contains("Wrong password"));

    type_text(&mut app, "secret");
    let request = match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::CheckUnlock { request, .. }] => *request,
        other => panic!("expected CheckUnlock, got {other:?}"),
    };
    app.update(Action::UnlockChecked {
        request: RequestId(request.0 + 100),
        ok: true,
    });
    assert!(
        shell(&app).lock.is_some(),
        "an answer to another request does not unlock"
    );
    app.update(Action::UnlockChecked { request, ok: true });
    assert!(shell(&app).lock.is_none());
    assert_eq!(app.front(), Place::Screen(ScreenId::Patients));
}

#[test]
fn a_pending_confirm_survives_the_lock() {
    let (mut app, hash, _) = signed_in(Job::Receptionist);
    app.update(Action::PasswordHashed {
        request: hash,
        hash: Some("h".into()),
    });
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "x");
    ctrl(&mut app, 'c');
    tick(&mut app, t0() + TimeDelta::minutes(11));
    assert_eq!(app.front(), Place::Lock, "the lock comes over the popup");
    assert!(!render(&app).contains("Quit?"));
    type_text(&mut app, "secret");
    let request = match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::CheckUnlock { request, .. }] => *request,
        other => panic!("expected CheckUnlock, got {other:?}"),
    };
    app.update(Action::UnlockChecked { request, ok: true });
    assert_eq!(app.front(), Place::Confirm);
}

// ---- connection ---------------------------------------------------------------------------------

#[test]
fn pings_drive_the_connection_state_and_stale_answers_are_dropped() {
    let (mut app, _, ping) = signed_in(Job::Receptionist);
    assert_eq!(shell(&app).connection, Connection::Connected);
    assert_eq!(
        tick(&mut app, t0() + TimeDelta::seconds(40)),
        Vec::new(),
        "one ping at a time"
    );
    app.update(Action::PingDone {
        request: RequestId(ping.0 + 50),
        ok: false,
    });
    assert_eq!(
        shell(&app).connection,
        Connection::Connected,
        "a stale answer changed the state"
    );

    app.update(Action::PingDone {
        request: ping,
        ok: false,
    });
    assert_eq!(shell(&app).connection, Connection::Offline);
    assert!(render(&app).contains("offline (retrying)"));

    let retry = match tick(&mut app, t0() + TimeDelta::seconds(46)).as_slice() {
        [Effect::Ping { request }] => *request,
        other => panic!("expected a retry, got {other:?}"),
    };
    assert_eq!(shell(&app).connection, Connection::Reconnecting);
    tick(&mut app, t0() + TimeDelta::seconds(47));
    assert!(
        app.spinner_visible(),
        "a ping outstanding for a second shows a spinner"
    );
    app.update(Action::PingDone {
        request: retry,
        ok: true,
    });
    assert_eq!(shell(&app).connection, Connection::Connected);
    assert!(!app.spinner_visible());

    // While connected the next ping waits its 30 seconds.
    assert_eq!(tick(&mut app, t0() + TimeDelta::seconds(70)), Vec::new());
    assert!(matches!(
        tick(&mut app, t0() + TimeDelta::seconds(78)).as_slice(),
        [Effect::Ping { .. }]
    ));
}

#[test]
fn only_visible_changes_ask_for_a_redraw() {
    let (mut app, _, ping) = signed_in(Job::Receptionist);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    app.take_dirty();
    tick(&mut app, t0() + TimeDelta::seconds(10));
    assert!(!app.take_dirty(), "same minute, nothing moving");
    tick(&mut app, t0() + TimeDelta::seconds(20));
    assert!(!app.take_dirty());
    press(&mut app, KeyCode::F(3));
    assert!(app.take_dirty());
    tick(&mut app, t0() + TimeDelta::seconds(29));
    assert!(!app.take_dirty());
    let ping = match tick(&mut app, t0() + TimeDelta::seconds(31)).as_slice() {
        [Effect::Ping { request }] => *request,
        other => panic!("expected a ping, got {other:?}"),
    };
    assert!(
        !app.take_dirty(),
        "a ping that has just started shows nothing yet"
    );
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    app.take_dirty();
    tick(&mut app, t0() + TimeDelta::seconds(59));
    assert!(!app.take_dirty());
    tick(&mut app, t0() + TimeDelta::seconds(61));
    assert!(app.take_dirty(), "the clock moved to 09:42");
}

/// The one ping among `effects`, if any.
fn ping_in(effects: &[Effect]) -> Option<RequestId> {
    let pings: Vec<RequestId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Ping { request } => Some(*request),
            _ => None,
        })
        .collect();
    assert!(pings.len() <= 1, "one ping at a time: {effects:?}");
    pings.first().copied()
}

#[test]
fn live_updates_lost_or_back_and_a_slow_answer_prove_the_connection_at_once() {
    use clinic::domain::live::LiveEvent;
    let (mut app, _, ping) = signed_in(Job::Receptionist);
    assert_eq!(
        ping_in(&app.update(Action::Live(LiveEvent::Lost))),
        None,
        "a ping is on its way already"
    );
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    // The server went: the live connection hears it first, and the desk checks now.
    let check = ping_in(&app.update(Action::Live(LiveEvent::Lost))).expect("a ping now");
    app.update(Action::PingDone {
        request: check,
        ok: false,
    });
    assert_eq!(shell(&app).connection, Connection::Offline);
    // Back: the live connection is made again, and the desk checks now, not at its retry.
    let check = ping_in(&app.update(Action::Live(LiveEvent::Reconnected))).expect("a ping now");
    assert_eq!(shell(&app).connection, Connection::Reconnecting);
    app.update(Action::PingDone {
        request: check,
        ok: true,
    });
    assert_eq!(shell(&app).connection, Connection::Connected);
    assert_eq!(
        ping_in(&app.update(Action::Live(LiveEvent::Reconnected))),
        None,
        "connected: nothing to check"
    );
    // A request left unanswered (a network that stalls): the desk checks now.
    let check = ping_in(&app.update(Action::AnswerSlow)).expect("a ping now");
    assert_eq!(
        ping_in(&app.update(Action::AnswerSlow)),
        None,
        "one at a time"
    );
    app.update(Action::PingDone {
        request: check,
        ok: false,
    });
    assert_eq!(shell(&app).connection, Connection::Offline);
    assert_eq!(
        ping_in(&app.update(Action::AnswerSlow)),
        None,
        "offline already: the retries go on at their pace"
    );
}
