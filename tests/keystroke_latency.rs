//! Keystroke to screen (issue 11, item 1), measured with the real binary in a pseudo-terminal
//! against a real database: a receptionist types a family name's first letters, and the time from
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

use clinic::domain::staff::Job;

use db::TestDb;
use pty::{config_for, quit, spawn_on};

const CTRL_U: &str = "\x15";
const NAMES: [&str; 10] = [
    "Abernathy",
    "Bergstrom",
    "Castellano",
    "Dimitriou",
    "Eriksson",
    "Fitzgerald",
    "Gallagher",
    "Halvorsen",
    "Iglesias",
    "Jovanovic",
];

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
    let db = TestDb::new().await;
    let rita = db.staff("ri", Job::Receptionist).await;
    db.superuser()
        .await
        .batch_execute(&format!(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             SELECT f, 'Pat ' || n, DATE '1950-01-01' + n * 37, 'female', 'woman', 'Kin', '0123456789',
                    'Acme', '0201 000 ' || lpad(n::text, 4, '0')
               FROM unnest(ARRAY['{}']) f, generate_series(1, 40) n",
            NAMES.join("','")
        ))
        .await
        .expect("patients");
    let (_home, config) = config_for(&db.server_config());
    let (mut echo, mut results) = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        term.sign_in(&rita.user, &rita.password, "(reception)");
        let (mut echo, mut results) = (Vec::new(), Vec::new());
        for i in 0..200 {
            let name = NAMES[i % NAMES.len()];
            let typed: String = name
                .chars()
                .take(3 + i % 3)
                .collect::<String>()
                .to_lowercase();
            term.send(CTRL_U);
            term.wait_until("an empty list", |s| !s.contains(&name.to_uppercase()));
            let (head, last) = typed.split_at(typed.len() - 1);
            term.send_now(head);
            std::thread::sleep(Duration::from_millis(30));
            let sent = Instant::now();
            term.send_now(last);
            let shown = typed.clone();
            echo.push(until(&term, sent, |s| s.contains(&shown)));
            let want = name.to_uppercase();
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
        "keystroke to screen over 200 lookups: echo p50 {:.1} ms p95 {:.1} ms (baseline); \
         results p50 {:.1} ms p95 {:.1} ms (debounce 150 ms + query + redraw)",
        ms(percentile(&echo, 0.5)),
        ms(percentile(&echo, 0.95)),
        ms(percentile(&results, 0.5)),
        ms(percentile(&results, 0.95))
    );
    assert_eq!(results.len(), 200);
}
