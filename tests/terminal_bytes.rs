//! What a lookup keystroke costs the terminal (issue 11, item 6): the real binary in a
//! pseudo-terminal at 80x24 against a real database, a receptionist typing a name letter by letter;
//! the bytes the app writes for each keystroke (its echo, then the results that replace the list)
//! are counted and printed. Over SSH to a thin client every byte is latency: the target is at most
//! 4 KB per keystroke, where a whole coloured screen is several times that.

#[path = "support/mod.rs"]
mod db;
#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

use clinic::domain::staff::Job;

use db::TestDb;
use pty::{config_for, quit, spawn_on};

#[tokio::test(flavor = "multi_thread")]
async fn a_lookup_keystroke_sends_the_terminal_a_few_hundred_bytes() {
    let db = TestDb::new().await;
    let rita = db.staff("ri", Job::Receptionist).await;
    db.superuser()
        .await
        .batch_execute(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             SELECT f, g || ' ' || n, DATE '1950-01-01' + n * 97, 'female', 'woman', 'Kin', '0123456789',
                    'Acme', '0201 000 ' || lpad(n::text, 4, '0')
               FROM unnest(ARRAY['Doe', 'Dowe', 'Doherty', 'Donovan', 'Dobson']) f,
                    unnest(ARRAY['John', 'Joanna', 'Jonas', 'Amy']) g,
                    generate_series(1, 3) n",
        )
        .await
        .expect("patients");
    let (_home, config) = config_for(&db.server_config());
    let figures = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        term.sign_in(&rita.user, &rita.password, "(reception)");
        std::thread::sleep(Duration::from_millis(500));
        let mut figures = Vec::new();
        for c in "doe jo".chars() {
            let before = term.raw.lock().expect("raw").len();
            term.send(&c.to_string());
            // The debounce, the query and the redraw of the results.
            std::thread::sleep(Duration::from_millis(700));
            let after = term.raw.lock().expect("raw").len();
            figures.push((c, after - before));
        }
        term.wait_for("DOE, Joanna");
        quit(&mut term);
        figures
    })
    .await
    .expect("the session");
    let line: Vec<String> = figures
        .iter()
        .map(|(c, n)| format!("{c:?} {n} B"))
        .collect();
    println!("bytes per lookup keystroke: {}", line.join(", "));
    let most = figures.iter().map(|(_, n)| *n).max().unwrap_or(0);
    assert!(most > 0, "each keystroke draws something");
    assert!(most <= 4096, "a keystroke sent {most} bytes: {line:?}");
}
