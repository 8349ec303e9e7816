//! Figures at scale (ignored by default): the calendar's reads and desks booking, timed.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone};
use clinic::db::appointments::{self, BookError};
use rand::{Rng, SeedableRng};
use tokio::sync::Barrier;

use crate::common::{at, clinic, desks, monday, t, visit, TZ};

fn percentiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  (n={})",
        p(0.5),
        p(0.95),
        p(0.99),
        ms.len()
    )
}

/// Figures, not a test: `CLINIC_FIGURES_ROWS=10000000 cargo test --test scheduling -- --ignored
/// --nocapture figures`. Loads that many appointments (40 doctors, weekday quarter-hours, nine in
/// ten booked, going back from 2030), then times the calendar's reads as a receptionist and 16
/// desks competing for the same slots.
#[tokio::test]
#[ignore = "figures at scale; minutes of loading"]
async fn figures() {
    let rows: i64 = std::env::var("CLINIC_FIGURES_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let c = clinic().await;
    let su = c.db.superuser().await;
    let load = Instant::now();
    // Bulk load as the owner would: triggers (audit, history, notify) off, plain set-based inserts.
    su.batch_execute(
        "SET session_replication_role = replica;
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         SELECT 'Family' || i, 'Given' || i, date '1940-01-01' + (i % 25000), 'unknown'
           FROM generate_series(1, 200000) AS i;
         INSERT INTO clinic.staff (login, full_name, job)
         SELECT 'doc' || i, 'Doctor ' || lpad(i::text, 2, '0'), 'doctor' FROM generate_series(1, 38) AS i;
         INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends, slot_minutes)
         SELECT s.id, d, '08:00', '18:00', 15 FROM clinic.staff s, generate_series(1, 5) AS d WHERE s.job = 'doctor';",
    )
    .await
    .expect("people and rota");
    // Indexes and the exclusion constraint are dropped for the load and rebuilt after it (a sorted
    // build is far faster than ten million insertions), from their own catalog definitions.
    let rebuild: Vec<String> = su
        .query(
            "SELECT 'ALTER TABLE clinic.appointments ADD CONSTRAINT ' || quote_ident(conname) || ' '
                    || pg_get_constraintdef(oid)
               FROM pg_constraint WHERE conrelid = 'clinic.appointments'::regclass AND contype = 'x'
             UNION ALL
             SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
              WHERE i.indrelid = 'clinic.appointments'::regclass AND NOT i.indisprimary
                AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            &[],
        )
        .await
        .expect("definitions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    su.batch_execute(
        "SET maintenance_work_mem = '512MB';
         DO $$ DECLARE r record; BEGIN
           FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = 'clinic.appointments'::regclass AND contype = 'x' LOOP
             EXECUTE format('ALTER TABLE clinic.appointments DROP CONSTRAINT %I', r.conname);
           END LOOP;
           FOR r IN SELECT i.indexrelid::regclass AS ix FROM pg_index i
                     WHERE i.indrelid = 'clinic.appointments'::regclass AND NOT i.indisprimary
                       AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
             EXECUTE format('DROP INDEX %s', r.ix);
           END LOOP;
         END $$;",
    )
    .await
    .expect("drop indexes for the load");
    let chunk = 1_000_000;
    let mut from = 0;
    while from < rows {
        let to = (from + chunk).min(rows) - 1;
        su.execute(
            "WITH docs AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM clinic.staff WHERE job = 'doctor'),
                  r AS (SELECT i, (i % d.n)::int AS d, floor((i / d.n) * 10 / 9)::bigint AS slot, d.ids FROM generate_series($1::bigint, $2::bigint) AS i, docs d)
             INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason)
             SELECT 1 + (r.i * 7919) % 200000, r.ids[1 + r.d], t.s, t.s + interval '15 minutes', 'Check-up',
                    CASE WHEN r.i % 14 = 0 THEN 'cancelled' WHEN t.s > now() THEN 'scheduled' ELSE 'completed' END,
                    CASE WHEN r.i % 14 = 0 THEN 'Patient called' END
               FROM r CROSS JOIN LATERAL (
                 SELECT timestamptz '2030-01-07 08:00Z' - (r.slot / 200) * interval '7 days'
                        + ((r.slot % 200) / 40) * interval '1 day' + (r.slot % 40) * interval '15 minutes' AS s) t",
            &[&from, &to],
        )
        .await
        .expect("appointments");
        from = to + 1;
        println!("loaded {from} appointments in {:.0?}", load.elapsed());
    }
    for sql in &rebuild {
        su.batch_execute(sql).await.expect("rebuild index");
    }
    println!("indexes rebuilt at {:.0?}", load.elapsed());
    // Steady state: hint bits set and statistics fresh, as on a clinic's server after autovacuum.
    su.batch_execute("VACUUM ANALYZE").await.expect("analyze");
    let doctors: Vec<i64> = su
        .query(
            "SELECT id FROM clinic.staff WHERE job = 'doctor' ORDER BY id",
            &[],
        )
        .await
        .expect("doctors")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let weeks = (rows / i64::try_from(doctors.len()).expect("few") / 180).max(1);
    println!(
        "{rows} appointments over {} doctors, about {weeks} weeks, loaded in {:.0?}",
        doctors.len(),
        load.elapsed()
    );

    let desk = c.db.connect(&c.rita).await;
    if std::env::var("CLINIC_FIGURES_EXPLAIN").is_ok() {
        let plans = [
            format!("EXPLAIN (ANALYZE, BUFFERS) SELECT a.id, p.family_name FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id WHERE a.starts_at >= timestamptz '2029-06-03' - interval '8 hours' AND a.starts_at < timestamptz '2029-06-10' AND a.ends_at > timestamptz '2029-06-03' AND a.doctor_id = {}", doctors[3]),
            "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id, p.family_name FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id WHERE a.starts_at >= timestamptz '2029-06-04' - interval '8 hours' AND a.starts_at < timestamptz '2029-06-05' AND a.ends_at > timestamptz '2029-06-04'".to_string(),
        ];
        // Twice: the second round shows the warm figures.
        for sql in plans.iter().chain(plans.iter()) {
            for r in desk.query(sql.as_str(), &[]).await.expect("explain") {
                println!("{}", r.get::<_, String>(0));
            }
        }
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut week_ms = Vec::new();
    let mut day_ms = Vec::new();
    let mut finder_ms = Vec::new();
    for _ in 0..300 {
        let doctor = doctors[rng.gen_range(0..doctors.len())];
        let week = monday() - Duration::weeks(rng.gen_range(0..weeks));
        let t0 = Instant::now();
        let w = appointments::week_view(&desk, doctor, week, TZ)
            .await
            .expect("week");
        week_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(w.days.len(), 7);
        let day = week + Duration::days(rng.gen_range(0..5));
        let t0 = Instant::now();
        appointments::day_view(&desk, day, TZ).await.expect("day");
        day_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        let t0 = Instant::now();
        appointments::find_free_slots(
            &desk,
            None,
            TZ.from_utc_datetime(&week.and_time(t(8, 0))).to_utc(),
            TZ,
            10,
        )
        .await
        .expect("finder");
        finder_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    println!("week view (one doctor):    {}", percentiles(week_ms));
    println!(
        "day view ({} doctors):     {}",
        doctors.len(),
        percentiles(day_ms)
    );
    println!("next 10 free, any doctor:  {}", percentiles(finder_ms));

    // 16 desks, each trying 50 of the same 100 slots (2 doctors, a fresh week) at once.
    let clients = desks(&c.db, 16).await;
    let barrier = Arc::new(Barrier::new(16));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for (n, desk) in clients.into_iter().enumerate() {
        let (barrier, pair) = (barrier.clone(), [doctors[0], doctors[1]]);
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            let mut ms = Vec::new();
            let mut won = 0;
            barrier.wait().await;
            for _ in 0..50 {
                let slot: i64 = rng.gen_range(0..100);
                let start = at(14, 8, 0)
                    + Duration::minutes(15 * (slot % 40))
                    + Duration::days(slot / 40 % 2);
                let t0 = Instant::now();
                let r = appointments::book(
                    &desk,
                    &visit(1 + slot, pair[usize::from(slot >= 50)], start, 15),
                    TZ,
                )
                .await;
                ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                match r {
                    Ok(_) => won += 1,
                    Err(BookError::SlotTaken { .. }) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            (won, ms)
        }));
    }
    let (mut won, mut ms) = (0, Vec::new());
    for task in tasks {
        let (w, m) = task.await.expect("desk");
        won += w;
        ms.extend(m);
    }
    let took = t0.elapsed();
    let double: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.appointments a JOIN clinic.appointments b
                ON a.doctor_id = b.doctor_id AND a.id < b.id
               AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at >= $1",
            &[&at(14, 0, 0)],
        )
        .await
        .expect("self-join")
        .get(0);
    println!(
        "booking, 16 desks x 50 tries on 100 slots: {won} booked, {} taken, {:.0} attempts/s, {double} double bookings; per attempt {}",
        800 - won,
        800.0 / took.as_secs_f64(),
        percentiles(ms)
    );
    assert_eq!(double, 0);
}
