//! Desks racing for the same slots, each on its own login and connection.

use std::sync::Arc;

use chrono::Duration;
use clinic::db::appointments::{self, BookError};
use rand::{Rng, SeedableRng};
use tokio::sync::Barrier;

use crate::common::{at, clinic, desks, id, register, visit, TZ};

#[tokio::test]
async fn sixteen_desks_booking_one_slot_exactly_one_wins() {
    let c = clinic().await;
    let doc = id(&c.alice);
    let mut patients = Vec::new();
    for i in 0..16 {
        patients.push(register(&c.desk, &format!("Racer{i}"), "Pat").await);
    }
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for (desk, patient) in desks(&c.db, 16).await.into_iter().zip(patients) {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            appointments::book(&desk, &visit(patient, doc, at(7, 10, 30), 15), TZ).await
        }));
    }
    let mut won = Vec::new();
    let mut taken = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(a) => won.push(a),
            Err(BookError::SlotTaken { by }) => taken.push(by),
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!((won.len(), taken.len()), (1, 15));
    // They queued for the slot (sql/0010, sql/0013) rather than deadlocking and retrying: the server
    // counted no deadlock in this database. (Each racer reports its counts once idle.)
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let deadlocks: i64 = c
        .desk
        .query_one(
            "SELECT pg_stat_clear_snapshot(), deadlocks FROM pg_stat_database
              WHERE datname = current_database()",
            &[],
        )
        .await
        .expect("deadlocks")
        .get(1);
    assert_eq!(deadlocks, 0, "deadlocks while racing for one slot");
    let family: String = c
        .desk
        .query_one(
            "SELECT family_name FROM clinic.patients WHERE id = $1",
            &[&won[0].patient_id],
        )
        .await
        .expect("winner")
        .get(0);
    let expected = format!("Dr Alice's 10:30 with P. {family}");
    assert!(taken.iter().all(|by| *by == expected), "{taken:?}");
}

#[tokio::test]
async fn sixteen_desks_fifty_bookings_each_never_double_book() {
    let c = clinic().await;
    let doctors = [id(&c.alice), id(&c.greg)];
    let mut patients = Vec::new();
    for i in 0..16 {
        patients.push(register(&c.desk, &format!("Desk{i}"), "Pat").await);
    }
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for (n, (desk, patient)) in desks(&c.db, 16).await.into_iter().zip(patients).enumerate() {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            let (mut booked, mut taken) = (0, 0);
            barrier.wait().await;
            for _ in 0..50 {
                // 100 slots: 2 doctors x 50 quarter-hours; some visits are half an hour, so they
                // collide with neighbours too, not only with the same start.
                let slot: i64 = rng.gen_range(0..100);
                let doctor = doctors[usize::from(slot >= 50)];
                let start = at(7, 8, 0) + Duration::minutes(15 * (slot % 50));
                let minutes = if rng.gen_bool(0.3) { 30 } else { 15 };
                match appointments::book(&desk, &visit(patient, doctor, start, minutes), TZ).await {
                    Ok(a) => {
                        booked += 1;
                        // Now and then the patient cancels at once, freeing the slot for others.
                        if rng.gen_bool(0.1) {
                            appointments::cancel(&desk, a.id, a.version, "changed mind", TZ)
                                .await
                                .expect("cancel");
                        }
                    }
                    Err(BookError::SlotTaken { .. }) => taken += 1,
                    Err(e) => panic!("unexpected: {e:?}"),
                }
            }
            (booked, taken)
        }));
    }
    let (mut booked, mut taken) = (0, 0);
    for t in tasks {
        let (b, k) = t.await.expect("task");
        booked += b;
        taken += k;
    }
    assert_eq!(booked + taken, 16 * 50);
    assert!(booked > 0 && taken > 0, "booked {booked}, taken {taken}");
    let su = c.db.superuser().await;
    let overlaps: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.appointments a JOIN clinic.appointments b
                ON a.doctor_id = b.doctor_id AND a.id < b.id
               AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'",
            &[],
        )
        .await
        .expect("self-join")
        .get(0);
    assert_eq!(overlaps, 0);
    let rows: i64 = su
        .query_one("SELECT count(*) FROM clinic.appointments", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, booked, "every success is one row, every refusal none");
}

/// The mechanism under the races: two desks booking overlapping times with one doctor take turns
/// (sql/0010, per quarter hour since sql/0013) instead of both putting their rows into the
/// exclusion index and each waiting for the other's transaction (the textbook exclusion-constraint
/// deadlock, which PostgreSQL ends by aborting one after a second). The second desk waits on the
/// quarter hour's lock, before its row reaches the index, and is refused cleanly once the first
/// commits.
#[tokio::test]
async fn overlapping_bookings_of_one_doctor_take_turns_before_the_index() {
    let c = clinic().await;
    let alice = id(&c.alice);
    let p1 = register(&c.desk, "Turner", "Pat").await;
    let p2 = register(&c.desk, "Waiter", "Sam").await;
    let mut desks = desks(&c.db, 2).await;
    let second = desks.pop().expect("desk");
    let first = desks.pop().expect("desk");
    let su = c.db.superuser().await;

    first.batch_execute("BEGIN").await.expect("begin");
    first
        .execute(INSERT, &[&p1, &alice, &at(8, 10, 0), &at(8, 10, 30)])
        .await
        .expect("the first desk's row");
    let waiting = tokio::spawn(async move {
        second
            .execute(INSERT, &[&p2, &alice, &at(8, 10, 15), &at(8, 10, 45)])
            .await
            .map(|_| ())
            .map_err(|e| coded(&e))
    });
    // The second desk waits on an advisory lock (the quarter hour 10:15), not in the index.
    let mut advisory = 0;
    for _ in 0..200 {
        advisory = su
            .query_one(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                  WHERE d.datname = current_database() AND l.locktype = 'advisory'
                    AND NOT l.granted",
                &[],
            )
            .await
            .expect("locks")
            .get::<_, i64>(0);
        if advisory > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(advisory, 1, "the second desk queues on the slot's lock");
    first.batch_execute("COMMIT").await.expect("commit");
    let refused = waiting
        .await
        .expect("task")
        .expect_err("the second desk finds the slot taken");
    assert!(
        refused.starts_with("23P01") && refused.contains("appointments_no_double_booking"),
        "{refused}"
    );
}

/// A booking left open (a psql session that booked and sat there) holds up only bookings that
/// overlap it: the rest of that doctor's day books at once (under sql/0010 it waited for the open
/// transaction, however long).
#[tokio::test]
async fn a_booking_left_open_holds_up_only_the_slots_it_overlaps() {
    let c = clinic().await;
    let alice = id(&c.alice);
    let p1 = register(&c.desk, "Sitter", "Pat").await;
    let p2 = register(&c.desk, "Walker", "Sam").await;
    let mut desks = desks(&c.db, 2).await;
    let busy = desks.pop().expect("desk");
    let idle = desks.pop().expect("desk");
    idle.batch_execute("BEGIN").await.expect("begin");
    idle.execute(INSERT, &[&p1, &alice, &at(8, 10, 0), &at(8, 10, 15)])
        .await
        .expect("the idle desk's booking");
    for (from, to) in [
        ((10, 15), (10, 30)),
        ((14, 0), (14, 30)),
        ((9, 45), (10, 0)),
    ] {
        let booked = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            busy.execute(
                INSERT,
                &[&p2, &alice, &at(8, from.0, from.1), &at(8, to.0, to.1)],
            ),
        )
        .await;
        assert!(
            matches!(booked, Ok(Ok(1))),
            "{from:?}-{to:?} next to an open booking: {booked:?}"
        );
    }
    idle.batch_execute("ROLLBACK").await.expect("rollback");
}

const INSERT: &str = "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
                      VALUES ($1, $2, $3, $4)";

fn coded(e: &tokio_postgres::Error) -> String {
    e.as_db_error().map_or_else(
        || e.to_string(),
        |d| format!("{}: {}", d.code().code(), d.message()),
    )
}
