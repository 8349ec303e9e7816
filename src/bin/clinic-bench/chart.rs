//! `clinic-bench chart`: opening the chart of a patient with a long history, as the doctor does it
//! (clinic.chart: the care check, the audit entry in the same transaction, one JSON document,
//! decoded into the app's types), beside the plain reads of the same rows from the base tables
//! (superuser, no policy, no audit, no JSON), in the same run.

use std::time::{Duration, Instant};

use clinic::db::records;

use super::stats::{header, line, Samples};
use super::{connect, login_config, BENCH_DB, LOGIN_PREFIX};
use clinic::demo::cluster::Cluster;

#[derive(clap::Args)]
pub struct Options {
    /// Patients given a long history (each its own chart).
    #[arg(long, default_value_t = 20)]
    pub patients: i64,
    /// Encounters per such patient, each with vitals, two diagnoses and a prescription.
    #[arg(long, default_value_t = 700)]
    pub encounters: i64,
    /// Chart openings measured.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
}

/// The doctor whose charts these are.
fn doctor_login() -> String {
    format!("{LOGIN_PREFIX}dr001")
}

/// Give the first `n` patients `per` signed encounters each by the bench's first doctor (once;
/// a later run finds them there). Triggers are off for the load as in `generate`: the rows are
/// valid by construction.
async fn ensure_histories(
    su: &tokio_postgres::Client,
    n: i64,
    per: i64,
) -> anyhow::Result<Vec<i64>> {
    let doctor: i64 = su
        .query_one(
            "SELECT id FROM clinic.staff WHERE login = $1",
            &[&doctor_login()],
        )
        .await?
        .get(0);
    let patients: Vec<i64> = su
        .query("SELECT id FROM clinic.patients ORDER BY id LIMIT $1", &[&n])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let have: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.medical_records WHERE patient_id = ANY($1) AND author_id = $2",
            &[&patients, &doctor],
        )
        .await?
        .get(0);
    if have >= n * per {
        return Ok(patients);
    }
    let t = Instant::now();
    su.batch_execute(
        "ALTER TABLE clinic.medical_records DISABLE TRIGGER USER;
         ALTER TABLE clinic.vitals DISABLE TRIGGER USER;
         ALTER TABLE clinic.diagnoses DISABLE TRIGGER USER;
         ALTER TABLE clinic.prescriptions DISABLE TRIGGER USER;
         ALTER TABLE clinic.allergies DISABLE TRIGGER USER;",
    )
    .await?;
    let load = su
        .execute(
            "WITH codes AS (SELECT array_agg(code ORDER BY code) AS c FROM
                              (SELECT code FROM clinic.icd10cm WHERE billable ORDER BY md5(code) LIMIT 400) x),
                  recs AS (
               INSERT INTO clinic.medical_records (patient_id, author_id, kind, recorded_at, summary, subjective,
                                                   objective, assessment, plan, signed_at, signed_by)
               SELECT p, $2, 'consultation', now() - make_interval(days => i * 3), 'Review ' || i,
                      'Reports feeling ' || (ARRAY['better','the same','worse'])[1 + i % 3] || ' since the last visit.',
                      'Examined; findings as before.', 'Stable.', 'Continue; review in a month.',
                      now() - make_interval(days => i * 3) + interval '20 minutes', $2
                 FROM unnest($1::bigint[]) AS p, generate_series(1, $3) AS i
               RETURNING id, patient_id, recorded_at),
                  v AS (
               INSERT INTO clinic.vitals (record_id, patient_id, taken_at, systolic_mmhg, diastolic_mmhg, pulse_per_min,
                                          temperature_c, spo2_pct, weight_kg, height_cm)
               SELECT id, patient_id, recorded_at, (110 + id % 40)::smallint, (70 + id % 20)::smallint,
                      (60 + id % 30)::smallint, 36.5, (95 + id % 5)::smallint, 70 + (id % 20), 175
                 FROM recs RETURNING 1),
                  d AS (
               INSERT INTO clinic.diagnoses (record_id, patient_id, code, is_primary, added_at)
               SELECT r.id, r.patient_id, (SELECT c FROM codes)[1 + ((r.id * 7 + k) % 400)::int], k = 0, r.recorded_at
                 FROM recs r, generate_series(0, 1) AS k RETURNING 1),
                  x AS (
               INSERT INTO clinic.prescriptions (record_id, patient_id, drug, strength, form, dose, route, frequency,
                                                 duration_days, quantity, added_at)
               SELECT id, patient_id, 'Amlodipine', '5 mg', 'tablet', '1', 'oral', 'once daily', 28, 28, recorded_at
                 FROM recs RETURNING 1)
             SELECT (SELECT count(*) FROM recs) + (SELECT count(*) FROM v) + (SELECT count(*) FROM d)
                    + (SELECT count(*) FROM x)",
            &[&patients, &doctor, &i32::try_from(per)?],
        )
        .await;
    let allergies = su
        .execute(
            "INSERT INTO clinic.allergies (patient_id, substance, reaction, severity, recorded_by)
             SELECT p, 'Penicillin', 'rash', 'moderate', $2 FROM unnest($1::bigint[]) AS p",
            &[&patients, &doctor],
        )
        .await;
    su.batch_execute(
        "ALTER TABLE clinic.medical_records ENABLE TRIGGER USER;
         ALTER TABLE clinic.vitals ENABLE TRIGGER USER;
         ALTER TABLE clinic.diagnoses ENABLE TRIGGER USER;
         ALTER TABLE clinic.prescriptions ENABLE TRIGGER USER;
         ALTER TABLE clinic.allergies ENABLE TRIGGER USER;
         ANALYZE clinic.medical_records, clinic.vitals, clinic.diagnoses, clinic.prescriptions, clinic.allergies;",
    )
    .await?;
    load?;
    allergies?;
    println!(
        "gave {} patients {per} encounters each (with vitals, 2 diagnoses, a prescription) in {:.1}s",
        patients.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(patients)
}

/// The same rows as clinic.chart returns, read plainly from the base tables.
const PLAIN: [&str; 5] = [
    "SELECT r.*, s.full_name FROM clinic.medical_records r JOIN clinic.staff s ON s.id = r.author_id
      WHERE r.patient_id = $1 ORDER BY r.recorded_at, r.id",
    "SELECT * FROM clinic.vitals WHERE patient_id = $1 ORDER BY taken_at, id",
    "SELECT d.*, c.description FROM clinic.diagnoses d JOIN clinic.icd10cm c ON c.code = d.code
      WHERE d.patient_id = $1 ORDER BY d.added_at, d.id",
    "SELECT * FROM clinic.prescriptions WHERE patient_id = $1 ORDER BY added_at, id",
    "SELECT * FROM clinic.allergies WHERE patient_id = $1 ORDER BY recorded_at, id",
];

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let su = connect(cluster.superuser_config(BENCH_DB)).await?;
    let population: i64 = su
        .query_one("SELECT count(*) FROM clinic.patients", &[])
        .await?
        .get(0);
    let patients = ensure_histories(&su, opts.patients, opts.encounters).await?;
    let doctor = connect(login_config(cluster, &doctor_login())).await?;
    // Warm both paths once per patient.
    for p in &patients {
        records::chart(&doctor, *p).await?;
    }
    let mut ours = Vec::with_capacity(opts.samples);
    let mut plain = Vec::with_capacity(opts.samples);
    let mut rows = 0usize;
    for i in 0..opts.samples {
        let p = patients[i % patients.len()];
        let t = Instant::now();
        let chart = records::chart(&doctor, p).await?;
        ours.push(t.elapsed());
        rows = chart.records.len()
            + chart.vitals.len()
            + chart.diagnoses.len()
            + chart.prescriptions.len()
            + chart.allergies.len();
        let t = Instant::now();
        for q in PLAIN {
            su.query(q, &[&p]).await?;
        }
        plain.push(t.elapsed());
    }
    let audited: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.audit_log WHERE action = 'read' AND patient_id = ANY($1)",
            &[&patients],
        )
        .await?
        .get(0);
    println!(
        "\nchart: {} patients of {population}, {} encounters each, {rows} rows per chart; as the doctor \
         through clinic.chart (care check + audit entry + JSON, decoded), beside the plain reads",
        patients.len(),
        opts.encounters
    );
    // The baseline here is the floor (the same rows read plainly), not a naive plan.
    println!(
        "{}",
        header("chart", true)
            .replace("naive p50", " base p50")
            .replace("naive p95", " base p95")
    );
    println!(
        "{}",
        line(
            "open the chart",
            &Samples::from_times(ours),
            Some(&Samples::from_times(plain)),
            Some(Duration::from_millis(30)),
        )
    );
    println!("audit entries of these reads so far: {audited} (each opening wrote one)");
    Ok(())
}
