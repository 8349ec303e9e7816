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
