//! Keystroke to screen (issue 11, item 1), measured with the real binary in a pseudo-terminal
//! against a real database seeded as the demo clinic: a receptionist types the first letters of
//! the demo patients' family names, and the time from
//! the last key to (a) its echo in the search box, the baseline, and (b) the first match on screen
//! is taken for 200 lookups; p50 and p95 printed side by side. The lookup waits for typing to pause
//! (the debounce, 150 ms) before it asks, so (b) is the debounce plus the query and the redraw.
//!
//! Not part of the suite's run (it takes about a minute): `cargo test --test keystroke_latency --
//! --ignored --nocapture`. Figures in docs/benchmarks.md.

#[path = "support/mod.rs"]
mod db;
#[path = "support/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

use clinic::config::Config;
use clinic::demo::{DEMO_PASSWORD, DEMO_STAFF};
use clinic::domain::staff::Job;

use db::TestDb;
use pty::{config_for, quit, spawn_on};

const CTRL_U: &str = "\x15";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Waits (polling the screen every half millisecond) until `ready`; the time it took.
fn until(term: &pty::Term, from: Instant, ready: impl Fn(&str) -> bool) -> Duration {
    loop {
        if ready(&term.screen()) {
            return from.elapsed();
        }
        assert!(
            from.elapsed() < Duration::from_secs(10),
            "{}",
            term.screen()
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn keystroke_to_results_on_screen() {
    // The demo clinic, as `clinic demo` seeds it: its staff logins (cluster-wide; this test binary
    // has its own cluster) and its patients, whose surnames the lookups type.
    let db = TestDb::new().await;
    let su = db.superuser().await;
    for (login, name, job) in DEMO_STAFF {
        clinic::db::staff::add_staff(&su, login, DEMO_PASSWORD, name, *job)
            .await
            .expect("demo staff");
    }
    clinic::demo::seed::seed(&su, &Config::default(), &mut |_| {})
        .await
        .expect("the demo seed");
    // Surnames typed as a desk would, plain letters only (what is typed is then what is shown).
    let surnames: Vec<String> = su
        .query(
            "SELECT DISTINCT family_name FROM clinic.patients
              WHERE family_name ~ '^[A-Za-z]{4,}$' ORDER BY 1",
            &[],
        )
        .await
        .expect("the demo's surnames")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(surnames.len() >= 10, "the demo has surnames: {surnames:?}");
    let rita = DEMO_STAFF
        .iter()
        .find(|(_, _, job)| *job == Job::Receptionist)
        .map(|(login, _, _)| login.to_string())
        .expect("a demo receptionist");
    let count = surnames.len();
    let (_home, config) = config_for(&db.server_config());
    let (mut echo, mut results) = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        term.sign_in(&rita, DEMO_PASSWORD, "(reception)");
        let (mut echo, mut results) = (Vec::new(), Vec::new());
        for i in 0..200 {
            let name = &surnames[(i * 7) % surnames.len()];
            let typed: String = name
                .chars()
                .take(3 + i % 3)
                .collect::<String>()
                .to_lowercase();
            // Surnames are listed in capitals: the typed letters in capitals are a first match.
            let want = typed.to_uppercase();
            term.send(CTRL_U);
            term.wait_until("an empty list", |s| !s.contains(&want));
            let (head, last) = typed.split_at(typed.len() - 1);
            term.send_now(head);
            std::thread::sleep(Duration::from_millis(30));
            let sent = Instant::now();
            term.send_now(last);
            let shown = typed.clone();
            echo.push(until(&term, sent, |s| s.contains(&shown)));
            results.push(until(&term, sent, |s| s.contains(&want)));
        }
        quit(&mut term);
        (echo, results)
    })
    .await
    .expect("the session");
    echo.sort();
    results.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "keystroke to screen over 200 lookups of the demo's {} surnames: echo p50 {:.1} ms p95 {:.1} ms (baseline); \
         results p50 {:.1} ms p95 {:.1} ms (debounce 150 ms + query + redraw)",
        count,
        ms(percentile(&echo, 0.5)),
        ms(percentile(&echo, 0.95)),
        ms(percentile(&results, 0.5)),
        ms(percentile(&results, 0.95))
    );
    assert_eq!(results.len(), 200);
}
