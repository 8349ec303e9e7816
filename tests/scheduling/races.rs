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
    // They queued for the doctor (sql/0010) rather than deadlocking and retrying: the server
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

/// The mechanism under the races: two desks whose rows for one doctor cross (the textbook
/// exclusion-constraint deadlock: each waits for the other's uncommitted row) take turns instead.
/// The first desk's transaction holds the doctor; the second waits before its row reaches the
/// index, so the first's second row goes in and the second desk is refused cleanly. Without the
/// turn-taking (sql/0010) one of them is aborted as a deadlock after a second.
#[tokio::test]
async fn crossing_bookings_of_one_doctor_take_turns_instead_of_deadlocking() {
    let c = clinic().await;
    let alice = id(&c.alice);
    let p1 = register(&c.desk, "Turner", "Pat").await;
    let p2 = register(&c.desk, "Waiter", "Sam").await;
    let mut desks = desks(&c.db, 2).await;
    let second = desks.pop().expect("desk");
    let first = desks.pop().expect("desk");
    let insert = "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
                  VALUES ($1, $2, $3, $4)";
    let slot = |h, m| (at(8, h, m), at(8, h, m) + Duration::minutes(15));

    first.batch_execute("BEGIN").await.expect("begin");
    let (s, e) = slot(10, 0);
    first
        .execute(insert, &[&p1, &alice, &s, &e])
        .await
        .expect("the first desk's first row");
    let waiting = tokio::spawn(async move {
        let (s, e) = slot(10, 30);
        second
            .execute(insert, &[&p2, &alice, &s, &e])
            .await
            .map(|_| ())
            .map_err(|e| {
                e.as_db_error().map_or_else(
                    || e.to_string(),
                    |d| format!("{}: {}", d.code().code(), d.message()),
                )
            })
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Where the second desk's row would be.
    let (s, e) = slot(10, 30);
    first
        .execute(insert, &[&p1, &alice, &s, &e])
        .await
        .expect("the first desk's second row goes in (no deadlock)");
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
