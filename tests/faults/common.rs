//! What the fault tests share: keys as a terminal sends them, fixtures made as the owner, and
//! watching several screens at once for the moment each shows something.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::pty::Term;

pub const CTRL_S: &str = "\x13";
pub const CTRL_U: &str = "\x15";
pub const ESC: &str = "\x1b";

/// The status bar's word for each state (its symbol before it depends on the terminal).
pub const OFFLINE: &str = "offline (retrying)";
pub const CONNECTED: &str = " connected";

/// Connected, with live updates heard (the status bar's "· live", "- live" in ASCII).
pub fn live(screen: &str) -> bool {
    screen.contains(CONNECTED) && screen.contains(" live") && !screen.contains("not live")
}

/// How long after `since` each of `terms` first showed `needle`, polling them all together (so
/// one slow screen does not make the others' times late). Panics with the screens if one has not
/// within `patience`.
pub fn first_seen(
    terms: &[&Term],
    needle: &str,
    since: Instant,
    patience: Duration,
) -> Vec<Duration> {
    let mut seen: Vec<Option<Duration>> = vec![None; terms.len()];
    loop {
        for (term, at) in terms.iter().zip(seen.iter_mut()) {
            if at.is_none() && term.screen().contains(needle) {
                *at = Some(since.elapsed());
            }
        }
        if seen.iter().all(Option::is_some) {
            return seen.into_iter().flatten().collect();
        }
        if since.elapsed() > patience {
            let screens: Vec<String> = terms
                .iter()
                .zip(&seen)
                .filter(|(_, at)| at.is_none())
                .map(|(t, _)| t.screen())
                .collect();
            panic!(
                "{needle:?} not shown within {patience:?} on:\n{}",
                screens.join("\n-----\n")
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Keys typed show up as `shown` on the screen promptly: the screen answers keys (not frozen).
/// How long that took.
pub fn typed_and_echoed(term: &mut Term, keys: &str, shown: &str) -> Duration {
    let start = Instant::now();
    term.send_now(keys);
    while !term.screen().contains(shown) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{keys:?} typed but {shown:?} not shown: the screen does not answer keys:\n{}",
            term.screen()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

/// A patient registered as the owner would (a returning one the desk already knows).
pub async fn patient(su: &Client, family: &str, given: &str) -> i64 {
    su.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                      emergency_contact_name, emergency_contact_phone, insurer, phone)
         VALUES ($1, $2, DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', 'Acme', '0201234567')
         RETURNING id",
        &[&family, &given],
    )
    .await
    .expect("a patient")
    .get(0)
}

/// An appointment today at `h:m` (the clinic's clock) with `doctor`, in `status`.
pub async fn appointment_today(
    su: &Client,
    patient: i64,
    doctor: i64,
    h: u32,
    status: &str,
) -> i64 {
    let at = crate::db::clinic_today(h, 0);
    su.query_one(
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status)
             VALUES ($1, $2, {at}, {at} + interval '15 minutes', '{status}') RETURNING id"
        ),
        &[&patient, &doctor],
    )
    .await
    .expect("an appointment")
    .get(0)
}

/// An issued, numbered USD invoice of `total` minor units for `patient`, nothing paid yet.
pub async fn invoice_issued(su: &Client, patient: i64, total: i64) -> i64 {
    let id: i64 = su
        .query_one(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'USD') RETURNING id",
            &[&patient],
        )
        .await
        .expect("invoice")
        .get(0);
    su.execute(
        "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
         VALUES ($1, 'Consultation', 1, $2)",
        &[&id, &total],
    )
    .await
    .expect("line");
    su.batch_execute(&format!(
        "UPDATE clinic.invoices SET status = 'issued', issued_at = now(), due_on = current_date + 30
          WHERE id = {id}; SELECT clinic.number_invoices();"
    ))
    .await
    .expect("issued");
    id
}

/// The screen as running text: rows joined, box borders dropped and blanks collapsed, so a
/// message the screen wrapped over two rows (or inside a frame) still reads as one sentence.
pub fn prose(screen: &str) -> String {
    let no_frames: String = screen
        .chars()
        .map(|c| {
            if ('\u{2500}'..='\u{257f}').contains(&c) || c == '|' {
                ' '
            } else {
                c
            }
        })
        .collect();
    no_frames.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Waits until the screen says `words` (as running text, see [`prose`]).
pub fn wait_said(term: &Term, words: &str) -> String {
    term.wait_until(words, |s| prose(s).contains(words))
}
