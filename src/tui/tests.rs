//! The loop and the effect runner, with tokio's clock paused: when each effect is asked for.

use super::*;
use crate::app::patients;
use crate::app::registry::ScreenRequest;
use crate::domain::staff::{Job, StaffIdentity};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

#[test]
fn a_login_answer_is_kept_aside_until_the_app_takes_that_very_sign_in() {
    // Only the request bookkeeping is exercised here: no session is needed for a failure.
    let mut runner = Runner::new(ServerConfig::default());
    let action = runner.receive(Outcome::Login {
        request: RequestId(7),
        result: Err(LoginError::BadCredentials),
    });
    assert_eq!(
        action,
        Action::LoginDone {
            request: RequestId(7),
            result: Err(LoginError::BadCredentials)
        }
    );
    assert_eq!(
        runner.run(Effect::StartSession {
            request: RequestId(7)
        }),
        Flow::Continue
    );
    assert!(runner.session.is_none());
    assert_eq!(runner.run(Effect::Quit), Flow::Quit);
}

/// tokio's clock, paused in tests: it moves only when everything waits, straight to the next
/// timer, so when something happens can be asserted to the millisecond.
struct PausedClock {
    base: DateTime<Utc>,
    started: Instant,
}

impl Clock for PausedClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = Instant::now() - self.started;
        self.base + chrono::TimeDelta::from_std(elapsed).unwrap_or_default()
    }
}

/// Effects that only note when each was asked for; nothing ever answers.
struct Recorder {
    started: Instant,
    seen: Vec<(Duration, Effect)>,
}

impl Effects for Recorder {
    fn run(&mut self, effect: Effect) -> Flow {
        self.seen.push((Instant::now() - self.started, effect));
        Flow::Continue
    }

    async fn next(&mut self) -> anyhow::Result<Action> {
        std::future::pending().await
    }
}

fn key(c: char) -> io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

#[tokio::test(start_paused = true)]
async fn a_lookup_leaves_exactly_the_debounce_after_the_last_key() {
    let started = Instant::now();
    let clock = PausedClock {
        base: DateTime::from_timestamp(1_796_130_000, 0).expect("an instant"),
        started,
    };
    let mut app =
        App::new(&Config::default(), "test", Some("rita"), clock.now()).expect("default keys");
    // Signed in as a receptionist, on the patient lookup with the search box focused.
    for c in "secret".chars() {
        app.update(Action::Edit(InputRequest::InsertChar(c)));
    }
    let login = app
        .update(Action::Command(crate::app::keymap::Command::SignIn))
        .into_iter()
        .find_map(|e| match e {
            Effect::Login { request, .. } => Some(request),
            _ => None,
        })
        .expect("a sign-in");
    app.update(Action::LoginDone {
        request: login,
        result: Ok(StaffIdentity {
            staff_id: 1,
            login: "rita".into(),
            full_name: "Rita Moreno".into(),
            job: Job::Receptionist,
        }),
    });

    // "doe" typed at 0, 40 and 90 ms; then the terminal stays quiet for a second.
    let (tx, rx) = futures::channel::mpsc::unbounded();
    tokio::spawn(async move {
        for (at, c) in [(0, 'd'), (40, 'o'), (90, 'e')] {
            tokio::time::sleep_until(started + Duration::from_millis(at)).await;
            tx.unbounded_send(key(c)).expect("the loop listens");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    });
    let mut recorder = Recorder {
        started,
        seen: Vec::new(),
    };
    event_loop(
        &mut app,
        rx,
        &mut recorder,
        &clock,
        |_| Ok(()),
        std::future::pending(),
    )
    .await
    .expect("the loop ends when the terminal does");

    let searches: Vec<(Duration, &Effect)> = recorder
        .seen
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                Effect::Screen(ScreenRequest::Patients(patients::Request::Search { .. }))
            )
        })
        .map(|(at, e)| (*at, e))
        .collect();
    let debounce = patients::DEBOUNCE.to_std().expect("positive");
    assert_eq!(
        searches.iter().map(|(at, _)| *at).collect::<Vec<_>>(),
        vec![Duration::from_millis(90) + debounce],
        "one search, the debounce after the last key: {searches:?}"
    );
}
