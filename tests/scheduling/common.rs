//! What the scheduling tests share: the clinic's time zone and dates in a known week, a visit to
//! book, a patient registered at the desk, the [`Clinic`] fixture (rita at the desk, doctors alice
//! and greg), a row of working hours, and desks with a login and a connection each.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use clinic::db::appointments::NewAppointment;
use clinic::domain::schedule::WorkingHours;
use clinic::domain::staff::Job;
use tokio_postgres::Client;

use crate::support::{Login, TestDb};

pub const TZ: Tz = London;

/// 2030-01-07 is a Monday; January in London is UTC, so the numbers read as wall-clock times.
pub fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, day, h, m, 0)
        .single()
        .expect("instant")
}
/// `h:m` today at the clinic (London): check-ins and consultations happen on the appointment's
/// day, so the tests of those steps book for today.
pub fn today_at(h: u32, m: u32) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&TZ).date_naive();
    TZ.from_local_datetime(&today.and_time(t(h, m)))
        .earliest()
        .expect("a local time")
        .with_timezone(&Utc)
}

/// An appointment start that has already come today (a no-show can be marked once it has).
pub fn started_today() -> DateTime<Utc> {
    (Utc::now() - Duration::minutes(10)).max(today_at(0, 1))
}

pub fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2030, 1, 7).expect("date")
}
pub fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

pub fn visit(
    patient_id: i64,
    doctor_id: i64,
    starts_at: DateTime<Utc>,
    minutes: i64,
) -> NewAppointment {
    NewAppointment {
        patient_id,
        doctor_id,
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        reason: Some("Check-up".into()),
        squeeze_in: false,
        // The desk's warning about a patient booked with two doctors at once has its own test;
        // these visits are about other rules.
        overlap_ok: true,
    }
}

pub async fn register(desk: &Client, family: &str, given: &str) -> i64 {
    desk.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         VALUES ($1, $2, '1985-06-15', 'unknown') RETURNING id",
        &[&family, &given],
    )
    .await
    .expect("register a patient")
    .get(0)
}

pub fn id(l: &Login) -> i64 {
    l.staff_id.expect("staff id")
}

/// A clinic with a receptionist (rita) and two doctors (alice, greg), connected as rita.
pub struct Clinic {
    pub db: TestDb,
    pub rita: Login,
    pub desk: Client,
    pub alice: Login,
    pub greg: Login,
}

pub async fn clinic() -> Clinic {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let alice = db.staff("alice", Job::Doctor).await;
    let greg = db.staff("greg", Job::Doctor).await;
    let desk = db.connect(&rita).await;
    // The database's clinic day is the tests' (London), as `clinic db migrate` makes it.
    db.superuser()
        .await
        .execute(
            "UPDATE clinic.settings SET time_zone = 'Europe/London'",
            &[],
        )
        .await
        .expect("the clinic's zone");
    Clinic {
        db,
        rita,
        desk,
        alice,
        greg,
    }
}

pub fn hours(doctor_id: i64, weekday: u8, starts: NaiveTime, ends: NaiveTime) -> WorkingHours {
    WorkingHours {
        doctor_id,
        weekday,
        starts,
        ends,
        slot_minutes: 15,
    }
}

/// One desk: its own receptionist login on its own connection.
pub async fn desks(db: &TestDb, n: usize) -> Vec<Client> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let login = db.staff(&format!("desk{i}"), Job::Receptionist).await;
        out.push(db.connect(&login).await);
    }
    out
}
