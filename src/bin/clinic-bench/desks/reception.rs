//! A receptionist's day at human speed: patients found by typing into the lookup box key by key,
//! their summary opened, arrivals checked in, bookings into the calendars every desk books into,
//! and new patients registered after the duplicate check. Every request goes through the app's
//! own path: a connection from the person's pool (`effects::with_client`), then the db function
//! the screen's effect calls.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use rand::Rng;

use clinic::app::patients::{APPOINTMENTS_EACH_WAY, DEBOUNCE, SEARCH_LIMIT};
use clinic::db::appointments::{self, BookError};
use clinic::db::{patients, DbError};
use clinic::domain::appointment::{AppointmentStatus, NewAppointment};
use clinic::domain::patient::{PatientHit, SearchQuery, Sex, ValidPatient};
use clinic::domain::schedule::local_instant;
use clinic::effects::with_client;

use super::live::Front;
use super::{pause, Desk};

/// The clinic's local date format as the bench types it.
const LOCAL_DATE: &str = "%d/%m/%Y";
/// Weeks ahead a desk looks for a free slot before giving up on that doctor.
const WEEKS_LOOKED: i64 = 4;
/// Tries at a booking after "taken": the desk looks at the week again and picks another slot.
const BOOKING_TRIES: usize = 3;

pub async fn work(desk: &mut Desk) {
    while Instant::now() < desk.deadline {
        match desk.rng.gen_range(0..100) {
            0..30 => {
                find_patient(desk).await;
            }
            30..60 => check_in(desk).await,
            60..88 => book(desk).await,
            _ => register(desk).await,
        }
        // Talking to the patient, the phone, the printer.
        pause(desk, 2.0..6.0).await;
    }
}

/// The gap after one key, as a receptionist types (about 55 words a minute, with longer pauses
/// at a word's end and before the last word).
fn key_gap(desk: &mut Desk, after_space: bool) -> Duration {
    let ms = if after_space {
        desk.rng.gen_range(200..600)
    } else {
        desk.rng.gen_range(80..320)
    };
    Duration::from_millis(ms)
}

/// Type `text` into the lookup box one key at a time. The box is searched when typing pauses
/// for the debounce (150 ms) and after the last key, as the picker does; each search is timed.
/// The hits of the last search.
pub async fn type_and_search(desk: &mut Desk, text: &str) -> Vec<PatientHit> {
    let debounce = DEBOUNCE.to_std().unwrap_or(Duration::from_millis(150));
    let chars: Vec<char> = text.chars().collect();
    let mut hits = Vec::new();
    for i in 1..=chars.len() {
        desk.tally.keys += 1;
        let last = i == chars.len();
        let gap = if last {
            debounce
        } else {
            key_gap(desk, chars[i - 1] == ' ')
        };
        if gap < debounce {
            tokio::time::sleep(gap).await;
            continue;
        }
        tokio::time::sleep(debounce).await;
        let prefix: String = chars[..i].iter().collect();
        let query = SearchQuery::parse(&prefix, LOCAL_DATE);
        let spent = Instant::now();
        if query != SearchQuery::Empty {
            desk.tally.searches += 1;
            let t = Instant::now();
            match with_client(&desk.pool, async |c| {
                patients::search(c, &query, SEARCH_LIMIT).await
            })
            .await
            {
                Ok(h) => {
                    desk.tally.ok("lookup, as typed", t);
                    hits = h;
                }
                Err(e) => desk.tally.error("lookup, as typed", t, e),
            }
        }
        if !last {
            tokio::time::sleep((gap - debounce).saturating_sub(spent.elapsed())).await;
        }
    }
    hits
}

/// What a receptionist types to find someone: mostly names, surname first or given name first,
/// a surname alone, sometimes a slip of the keyboard; a birth date or a phone number's end.
fn what_is_typed(
    desk: &mut Desk,
    family: &str,
    given: &str,
    dob: NaiveDate,
    phone: Option<&str>,
) -> String {
    let first = given
        .split_whitespace()
        .next()
        .unwrap_or(given)
        .to_lowercase();
    let family = family.to_lowercase();
    match desk.rng.gen_range(0..100) {
        0..35 => format!("{family} {first}"),
        35..60 => format!("{first} {family}"),
        60..75 => family.chars().take(desk.rng.gen_range(3..=6)).collect(),
        75..85 => format!("{first} {}", typo(&family, desk)),
        85..93 => dob.format(LOCAL_DATE).to_string(),
        _ => match phone {
            Some(p) => {
                let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                digits[digits.len().saturating_sub(6)..].to_string()
            }
            None => family,
        },
    }
}

/// One slip in a word (not its first letter): two neighbours swapped or a letter dropped.
fn typo(word: &str, desk: &mut Desk) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 4 {
        return word.to_string();
    }
    let i = desk.rng.gen_range(1..c.len() - 1);
    if desk.rng.gen_bool(0.5) {
        c.swap(i, i + 1);
    } else {
        c.remove(i);
    }
    c.into_iter().collect()
}

/// Find a patient by typing, and open their summary (the record, the appointments around today
/// and the balance, three reads pipelined on one connection as the effect does). Their id.
async fn find_patient(desk: &mut Desk) -> i64 {
    desk.show(|s| s.front = Front::Elsewhere);
    let shared = desk.shared.clone();
    let person = &shared.people[desk.rng.gen_range(0..shared.people.len())];
    let text = what_is_typed(
        desk,
        &person.family,
        &person.given,
        person.dob,
        person.phone.as_deref(),
    );
    let hits = type_and_search(desk, &text).await;
    // The desk picks the patient in front of them when listed, else the first (a surname alone
    // lists many: the desk would scroll; the summary's cost is the same).
    let id = hits
        .iter()
        .find(|h| h.id == person.id)
        .or(hits.first())
        .map_or(person.id, |h| h.id);
    let t = Instant::now();
    let around = Utc::now();
    let found = with_client(&desk.pool, async |c| {
        let c = &*c;
        tokio::try_join!(
            patients::get(c, id),
            patients::patient_appointments(c, id, around, APPOINTMENTS_EACH_WAY),
            patients::open_balance(c, id),
        )
    })
    .await;
    match found {
        Ok((Some(_), _, _)) => desk.tally.ok("patient summary", t),
        Ok((None, _, _)) => desk
            .tally
            .error("patient summary", t, "the patient is not there"),
        Err(e) => desk.tally.error("patient summary", t, e),
    }
    id
}

/// The next patient to arrive: the queue as the desk sees it, then the check-in.
async fn check_in(desk: &mut Desk) {
    desk.show(|s| s.front = Front::Queue);
    let (tz, today) = (desk.shared.tz, desk.shared.today);
    let t = Instant::now();
    let queue = match with_client(&desk.pool, async |c| {
        appointments::today_queue(c, today, tz).await
    })
    .await
    {
        Ok(q) => {
            desk.tally.ok("queue, today", t);
            q
        }
        Err(e) => {
            desk.tally.error("queue, today", t, e);
            return;
        }
    };
    let next = desk
        .shared
        .arrivals
        .lock()
        .ok()
        .and_then(|mut a| a.pop_front());
    let Some(id) = next else {
        desk.tally.nothing_left += 1;
        return;
    };
    let Some(entry) = queue.iter().find(|e| e.appointment_id == id) else {
        desk.tally.error(
            "check-in",
            Instant::now(),
            "the arrival is not in today's queue",
        );
        return;
    };
    let version = entry.version;
    let t = Instant::now();
    match with_client(&desk.pool, async |c| {
        appointments::check_in(c, id, version, tz).await
    })
    .await
    {
        Ok(a) => {
            desk.tally.ok("check-in", t);
            desk.tally.checked_in.push((a.id, a.version));
        }
        Err(e) => desk.tally.error("check-in", t, e),
    }
}

/// The free 15-minute slots of one doctor's week (08:00 to 18:00 on weekdays) as the week view
/// shows them, earliest first.
fn free_slots(
    week: &clinic::domain::schedule::WeekView,
    tz: chrono_tz::Tz,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    for day in week.days.iter().take(5) {
        for q in 0..40 {
            let time =
                NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default() + TimeDelta::minutes(15 * q);
            let starts = local_instant(tz, day.date, time, true);
            let ends = starts + TimeDelta::minutes(15);
            let busy = day.appointments.iter().any(|a| {
                a.status != AppointmentStatus::Cancelled && a.starts_at < ends && a.ends_at > starts
            });
            if !busy {
                out.push((starts, ends));
            }
        }
    }
    out
}

/// Book the patient on the phone with one of the doctors every desk books for: the week view,
/// then one of its first free slots. Several desks see the same first slots, so some bookings
/// are refused as taken; the desk looks again and picks another, as on screen.
async fn book(desk: &mut Desk) {
    let patient_id = find_patient(desk).await;
    let shared = desk.shared.clone();
    let doctor_id = shared.hot_doctors[desk.rng.gen_range(0..shared.hot_doctors.len())];
    let tz = shared.tz;
    let mut tries = 0;
    let mut monday = shared.booking_monday;
    while tries < BOOKING_TRIES && monday < shared.booking_monday + TimeDelta::weeks(WEEKS_LOOKED) {
        let t = Instant::now();
        let week = match with_client(&desk.pool, async |c| {
            appointments::week_view(c, doctor_id, monday, tz).await
        })
        .await
        {
            Ok(w) => {
                desk.tally.ok("week view", t);
                desk.show(|s| {
                    if s.week.is_some() {
                        s.week = Some((doctor_id, monday));
                        s.front = Front::Week;
                    }
                });
                w
            }
            Err(e) => {
                desk.tally.error("week view", t, e);
                return;
            }
        };
        let free = free_slots(&week, tz);
        if free.is_empty() {
            monday += TimeDelta::weeks(1);
            continue;
        }
        let (starts_at, ends_at) = free[desk.rng.gen_range(0..free.len().min(3))];
        // Agreeing the time with the patient.
        if !pause(desk, 0.5..2.0).await {
            return;
        }
        tries += 1;
        let new = NewAppointment {
            patient_id,
            doctor_id,
            starts_at,
            ends_at,
            reason: Some("Benchmark".into()),
            squeeze_in: true,
            overlap_ok: false,
        };
        let t = Instant::now();
        match with_client(&desk.pool, async |c| appointments::book(c, &new, tz).await).await {
            Ok(a) => {
                desk.tally.ok("booking", t);
                desk.tally.booked.push((a.id, a.version));
                return;
            }
            Err(BookError::SlotTaken { .. }) => desk.tally.refused("booking", t, "taken"),
            Err(BookError::PatientBusy(_)) => {
                desk.tally.refused("booking", t, "patient busy then");
                return;
            }
            Err(e) => {
                desk.tally.error("booking", t, e);
                return;
            }
        }
    }
}

/// A new patient at the desk: looked up first (most desks do), then the form, the duplicate
/// check, and the registration unless the check found the same person. One in five is someone
/// already registered, whom the check must find.
async fn register(desk: &mut Desk) {
    desk.show(|s| s.front = Front::Elsewhere);
    let shared = desk.shared.clone();
    let n = shared.people.len();
    let again = desk.rng.gen_bool(0.2);
    let a = &shared.people[desk.rng.gen_range(0..n)];
    let b = &shared.people[desk.rng.gen_range(0..n)];
    let draft = ValidPatient {
        family_name: if again {
            a.family.clone()
        } else {
            b.family.clone()
        },
        given_names: a.given.clone(),
        preferred_name: None,
        date_of_birth: if again {
            a.dob
        } else {
            // Mixed with the run's mark, so the next run with the same seed registers other
            // people rather than this run's again.
            NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default()
                + TimeDelta::days((desk.rng.gen_range(0..29_000) + shared.run_mark) % 29_000)
        },
        sex: Sex::Unknown,
        gender_identity: None,
        phone: Some(format!("07700 9{:05}", desk.rng.gen_range(0..100_000))),
        email: None,
        address_line1: Some("1 Bench Street".into()),
        address_line2: None,
        city: Some("Benchton".into()),
        postcode: None,
        emergency_contact_name: None,
        emergency_contact_phone: None,
        insurer: None,
        insurance_number: None,
    };
    let text = format!(
        "{} {}",
        draft.family_name.to_lowercase(),
        draft.given_names.to_lowercase()
    );
    type_and_search(desk, &text).await;
    // Filling in the form.
    if !pause(desk, 5.0..15.0).await {
        return;
    }
    let t = Instant::now();
    let candidates = match with_client(&desk.pool, async |c| {
        patients::duplicates(c, &draft, None).await
    })
    .await
    {
        Ok(c) => {
            desk.tally.ok("duplicate check", t);
            c
        }
        Err(e) => {
            desk.tally.error("duplicate check", t, e);
            return;
        }
    };
    let same = candidates.iter().any(|c| {
        c.patient.date_of_birth == draft.date_of_birth
            && c.patient.family_name == draft.family_name
            && c.patient.given_names == draft.given_names
    });
    if same {
        desk.tally.same_person_found += 1;
        return;
    }
    if again {
        // Someone registered, and the check did not find them.
        desk.tally.missed_duplicates += 1;
    }
    let t = Instant::now();
    match with_client(&desk.pool, async |c| {
        patients::insert(c, &draft)
            .await
            .map_err(|e| DbError::Other(e.to_string()))
    })
    .await
    {
        Ok(_) => {
            desk.tally.ok("registration", t);
            desk.tally.registered += 1;
        }
        Err(e) => desk.tally.error("registration", t, e),
    }
}
