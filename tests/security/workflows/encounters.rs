//! A structured encounter from start to signature, the freeze that follows, and the ways a doctor
//! might try to write where they should not: all by real logins.

use crate::common::{err_code, ok, one_bool, one_i64, one_string, sid, World};

/// The doctor starts a checked-in patient's consultation, writes it as a draft, records vitals,
/// codes a diagnosis, prescribes past an allergy only when confirming, and signs; the appointment
/// is then completed and the encounter with all its parts is frozen for everyone.
#[tokio::test]
async fn a_consultation_from_start_to_signature_then_frozen() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let su = w.su().await;
    let (p, appt) = (w.p_own, w.appt_checked_in);

    let rid = one_i64(&dc, &format!("SELECT clinic.start_consultation({appt})")).await;
    assert_eq!(
        one_string(
            &dc,
            &format!("SELECT status FROM clinic.appointments WHERE id = {appt}")
        )
        .await,
        "in_progress"
    );
    // Pressed twice: the same encounter.
    assert_eq!(
        one_i64(&dc, &format!("SELECT clinic.start_consultation({appt})")).await,
        rid
    );
    // A scheduled (not yet arrived) patient cannot be started.
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.start_consultation({})", w.appt_scheduled)
        )
        .await,
        "23514"
    );

    // Saved as typed, each save at the version the last one returned.
    let save = |v: i64, s: &str| {
        format!(
            "SELECT version::bigint FROM clinic.save_encounter({rid}, {v}, {p}, NULL, '{s}', 'BP 150/95', 'Hypertension', 'Start amlodipine')"
        )
    };
    let v2 = one_i64(&dc, &save(1, "Headaches")).await;
    let v3 = one_i64(&dc, &save(v2, "Headaches for 2 weeks")).await;
    assert_eq!(v3, v2 + 1);
    assert_eq!(err_code(&dc, &save(v2, "Stale tab")).await, "40001");

    // Vitals: BMI derived; an impossible value refused by the database.
    ok(
        &dc,
        &format!("SELECT clinic.save_vitals({rid}, 150::smallint, 95::smallint, 80::smallint, 36.9, 16::smallint, 97::smallint, 84, 178)"),
    )
    .await;
    assert_eq!(
        one_string(
            &su,
            &format!("SELECT bmi::text FROM clinic.vitals WHERE record_id = {rid}")
        )
        .await,
        "26.5"
    );
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.save_vitals({rid}, 150::smallint, 95::smallint, 800::smallint, NULL, NULL, NULL, NULL, NULL)")
        )
        .await,
        "23514"
    );

    // Diagnoses carry a real ICD-10-CM code.
    ok(
        &dc,
        &format!("SELECT clinic.add_diagnosis({rid}, 'i10', 'new', true)"),
    )
    .await;
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.add_diagnosis({rid}, 'X99.999')")
        )
        .await,
        "23503"
    );
    assert_eq!(
        err_code(&dc, &format!("SELECT clinic.add_diagnosis({rid}, 'E11')")).await,
        "23514",
        "a category is not a diagnosis"
    );

    // The patient is allergic to penicillin: prescribing it needs a confirmation.
    let penicillin = |confirmed: bool| {
        format!(
            "SELECT clinic.add_prescription({rid}, 'Penicillin V', '250 mg', 'tablet', '1', 'oral', '4x daily', 7, 28, 0, NULL, {confirmed})"
        )
    };
    let refused = dc
        .simple_query(&penicillin(false))
        .await
        .expect_err("warned");
    let db = refused.as_db_error().expect("db error");
    assert_eq!(db.code().code(), "CL001");
    assert!(
        db.message().contains("Penicillin (rash, moderate)"),
        "{}",
        db.message()
    );
    let rx = one_i64(&dc, &penicillin(true)).await;
    assert!(
        one_bool(
            &su,
            &format!("SELECT allergy_confirmed FROM clinic.prescriptions WHERE id = {rx}")
        )
        .await
    );
    // A drug that matches nothing needs no confirmation.
    ok(
        &dc,
        &format!("SELECT clinic.add_prescription({rid}, 'Amlodipine', '5 mg', 'tablet', '1', 'oral', 'once daily', 28, 28, 1, NULL)"),
    )
    .await;

    // Signing completes the appointment.
    ok(&dc, &format!("SELECT clinic.sign_record({rid})")).await;
    assert_eq!(
        one_string(
            &dc,
            &format!("SELECT status FROM clinic.appointments WHERE id = {appt}")
        )
        .await,
        "completed"
    );

    // Frozen: the functions refuse, and so does every direct statement, the superuser's and the
    // owner's included.
    for sql in [
        save(v3, "Changed my mind"),
        format!("SELECT clinic.save_vitals({rid}, NULL, NULL, 60::smallint, NULL, NULL, NULL, NULL, NULL)"),
        format!("SELECT clinic.add_diagnosis({rid}, 'E11.9')"),
        format!("SELECT clinic.remove_prescription({rx})"),
    ] {
        assert_eq!(err_code(&dc, &sql).await, "42501", "{sql}");
    }
    for who in ["", "SET ROLE clinic_owner;"] {
        for sql in [
            format!("UPDATE clinic.vitals SET pulse_per_min = 60 WHERE record_id = {rid}"),
            format!("DELETE FROM clinic.vitals WHERE record_id = {rid}"),
            format!("UPDATE clinic.diagnoses SET code = 'E11.9' WHERE record_id = {rid}"),
            format!("DELETE FROM clinic.diagnoses WHERE record_id = {rid}"),
            format!("UPDATE clinic.prescriptions SET quantity = 280 WHERE id = {rx}"),
            format!("DELETE FROM clinic.prescriptions WHERE id = {rx}"),
            format!("INSERT INTO clinic.diagnoses (record_id, patient_id, code) VALUES ({rid}, {p}, 'E11.9')"),
            format!("UPDATE clinic.medical_records SET plan = 'tidied' WHERE id = {rid}"),
        ] {
            assert_eq!(err_code(&su, &format!("{who}{sql}")).await, "42501", "{who}{sql}");
            ok(&su, "RESET ROLE").await;
        }
    }

    // A correction is an amendment, shown with the record it amends.
    let amendment = one_i64(
        &dc,
        &format!("SELECT clinic.save_record(NULL, NULL, {p}, 'amendment', 'Correction: BP was 140/90', NULL, NULL, NULL, NULL, {rid})"),
    )
    .await;
    let chart = one_string(&dc, &format!("SELECT clinic.chart({p})::text")).await;
    let chart: serde_json::Value = serde_json::from_str(&chart).expect("json");
    let records = chart["records"].as_array().expect("records");
    let amended = records
        .iter()
        .find(|r| r["id"] == amendment)
        .expect("amendment in the chart");
    assert_eq!(amended["amends_id"], rid);
    assert_eq!(chart["access"], "care");
    assert!(chart["diagnoses"]
        .as_array()
        .expect("diagnoses")
        .iter()
        .any(|d| d["record_id"] == rid && d["code"] == "I10"));
    assert!(chart["codes"]["I10"]
        .as_str()
        .is_some_and(|t| t.contains("hypertension")));
    assert!(chart["allergies"][0]["substance"] == "Penicillin");
}

/// A doctor writes only their own records, for the patient they belong to, on their own visits.
#[tokio::test]
async fn a_doctor_cannot_forge_an_author_move_a_record_or_borrow_a_visit() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let su = w.su().await;
    let (p, po, d, od) = (w.p_own, w.p_other, sid(&w.doctor), sid(&w.other_doctor));

    // Another author: there is no way to name one (and no direct INSERT).
    assert_eq!(
        err_code(
            &dc,
            &format!("INSERT INTO clinic.medical_records (patient_id, author_id, summary) VALUES ({p}, {od}, 'Forged')")
        )
        .await,
        "42501"
    );
    // Moving the draft to another patient.
    assert_eq!(
        err_code(
            &dc,
            &format!(
                "SELECT * FROM clinic.save_encounter({}, 1, {po}, NULL, 'S', NULL, NULL, NULL)",
                w.record_draft
            )
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &su,
            &format!(
                "UPDATE clinic.medical_records SET patient_id = {po} WHERE id = {}",
                w.record_draft
            )
        )
        .await,
        "42501",
        "not even the superuser moves a record"
    );
    // Attaching a note to the other doctor's appointment, or to another patient's visit.
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.save_record(NULL, NULL, {p}, 'note', 'Borrowed', NULL, NULL, NULL, {})", w.appt_other)
        )
        .await,
        "23503"
    );
    let visit_of_other_patient = one_i64(
        &su,
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
             VALUES ({po}, {d}, '2031-01-06 09:00+00', '2031-01-06 09:15+00') RETURNING id"
        ),
    )
    .await;
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.save_record(NULL, NULL, {p}, 'note', 'Wrong visit', NULL, NULL, NULL, {visit_of_other_patient})")
        )
        .await,
        "23503"
    );
    // Someone else's draft and its parts are not theirs to touch, even for a shared patient.
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.add_diagnosis({}, 'E11.9')", w.record_other)
        )
        .await,
        "42501"
    );
}

/// Break-the-glass on the database's own clock: refused before, open (and audited for review) during,
/// closed after; the reason must be a sentence and the time within the cap.
#[tokio::test]
async fn break_the_glass_before_during_and_after_on_the_databases_clock() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let ad = w.connect(&w.admin).await;
    let su = w.su().await;
    let ps = w.p_stranger;
    let chart = format!("SELECT clinic.chart({ps})");

    assert_eq!(err_code(&dc, &chart).await, "42501", "before");
    for (reason, minutes) in [
        ("", 30),
        ("        ", 30),
        ("emergency", 30),
        ("need to see it", 30),
        ("Unconscious in the car park", 241),
    ] {
        assert_eq!(
            err_code(
                &dc,
                &format!("SELECT clinic.break_glass({ps}, '{reason}', {minutes})")
            )
            .await,
            "23514",
            "{reason:?} for {minutes} minutes"
        );
    }
    ok(
        &dc,
        &format!("SELECT clinic.break_glass({ps}, 'Unconscious in the car park', 30)"),
    )
    .await;
    let during = one_string(&dc, &format!("SELECT (clinic.chart({ps}))->>'access'")).await;
    assert_eq!(during, "emergency");
    assert_eq!(
        one_i64(
            &ad,
            &format!("SELECT count(*) FROM clinic.audit_log WHERE action = 'read' AND patient_id = {ps} AND needs_review")
        )
        .await,
        1,
        "an emergency read is flagged for review"
    );
    ok(
        &su,
        "UPDATE clinic.settings SET clock_offset = interval '29 minutes'",
    )
    .await;
    ok(&dc, &chart).await;
    ok(
        &su,
        "UPDATE clinic.settings SET clock_offset = interval '31 minutes'",
    )
    .await;
    assert_eq!(err_code(&dc, &chart).await, "42501", "after");
    ok(
        &su,
        "UPDATE clinic.settings SET clock_offset = interval '0'",
    )
    .await;
}

/// Doctors cannot bring code of their own to run beside the policies (a "leaky" function that
/// raises what it sees), and what the chart returns is only the asked patient's.
#[tokio::test]
async fn a_doctor_cannot_bring_a_leaky_function() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    for schema in ["pg_temp", "public", "clinic", "ext"] {
        assert_eq!(
            err_code(
                &dc,
                &format!(
                    "CREATE FUNCTION {schema}.leak(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0001
                       AS $$ BEGIN RAISE NOTICE '%', t; RETURN true; END $$"
                )
            )
            .await,
            "42501",
            "{schema}"
        );
    }
    let chart = one_string(&dc, &format!("SELECT clinic.chart({})::text", w.p_own)).await;
    let chart: serde_json::Value = serde_json::from_str(&chart).expect("json");
    for part in ["vitals", "diagnoses", "prescriptions"] {
        let rows = chart[part].as_array().expect("part");
        assert!(!rows.is_empty(), "{part}");
        assert!(
            rows.iter()
                .all(|r| r["record_id"] == w.record_draft || r["record_id"] == w.record_signed),
            "{part}: only this patient's"
        );
    }
    assert_eq!(chart["allergies"].as_array().map(Vec::len), Some(1));
    // The day's list flags exactly the allergic patient's visits.
    assert!(
        one_bool(
            &dc,
            &format!(
                "SELECT count(*) FILTER (WHERE has_allergies) = count(*) FILTER (WHERE patient_id = {})
                        AND count(*) FILTER (WHERE has_allergies) > 0
                   FROM clinic.doctor_day(clinic.clinic_date(now()))",
                w.p_own
            )
        )
        .await
    );
}

/// The app's own calls (clinic::db::records) over the same functions: the chart parses into the
/// domain's types, an allergy warning comes back as such, and every chart read, the app's and a
/// psql one alike, leaves its audit entry.
#[tokio::test]
async fn the_apps_calls_round_trip_and_every_read_is_audited() {
    use clinic::db::records::{self, PrescribeError};
    use clinic::domain::record::{Access, EncounterNote, NewPrescription, VitalField, VitalsInput};

    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let ad = w.connect(&w.admin).await;
    let p = w.p_own;
    let reads =
        format!("SELECT count(*) FROM clinic.audit_log WHERE action = 'read' AND patient_id = {p}");
    let before = one_i64(&ad, &reads).await;

    let rid = records::start_consultation(&dc, w.appt_checked_in)
        .await
        .expect("start");
    let note = EncounterNote {
        summary: "Headaches".into(),
        subjective: "Two weeks of morning headaches".into(),
        plan: "Recheck BP in 2 weeks".into(),
        ..EncounterNote::default()
    };
    let (id, v) = records::save_encounter(&dc, Some(rid), Some(1), p, &note)
        .await
        .expect("save");
    assert_eq!((id, v), (rid, 2));
    let stale = records::save_encounter(&dc, Some(rid), Some(1), p, &note).await;
    assert!(
        matches!(stale, Err(clinic::db::DbError::Conflict(_))),
        "{stale:?}"
    );

    let mut typed = VitalsInput::default();
    for (f, s) in [
        (VitalField::Systolic, "150"),
        (VitalField::Diastolic, "95"),
        (VitalField::Temperature, "36,9"),
        (VitalField::Weight, "84"),
        (VitalField::Height, "178"),
    ] {
        typed.set(f, s.into());
    }
    let (values, _) = typed.check();
    records::save_vitals(&dc, rid, &values.expect("valid"))
        .await
        .expect("vitals");
    records::add_diagnosis(&dc, rid, "I10", None, true)
        .await
        .expect("diagnosis");
    let rx = NewPrescription {
        drug: "penicillin v".into(),
        strength: "250 mg".into(),
        quantity: Some(28),
        ..NewPrescription::default()
    };
    match records::add_prescription(&dc, rid, &rx, false).await {
        Err(PrescribeError::Allergy(words)) => assert!(words.contains("Penicillin"), "{words}"),
        other => panic!("expected the allergy warning: {other:?}"),
    }
    records::add_prescription(&dc, rid, &rx, true)
        .await
        .expect("confirmed");

    let chart = records::chart(&dc, p).await.expect("chart");
    assert_eq!(chart.access, Access::Care);
    let vitals = chart.vitals_of(rid).expect("vitals");
    assert_eq!(vitals.bmi, typed.bmi(), "the form's BMI is the database's");
    assert_eq!(chart.diagnoses_of(rid).count(), 1);
    assert!(chart.prescriptions_of(rid).all(|x| x.allergy_confirmed));
    assert_eq!(chart.open_allergies().count(), 1);
    let unsigned = records::my_unsigned(&dc).await.expect("unsigned");
    assert!(unsigned.iter().any(|u| u.record_id == rid));
    let day = records::doctor_day(
        &dc,
        one_string(&dc, "SELECT clinic.clinic_date(now())::text")
            .await
            .parse()
            .expect("date"),
    )
    .await
    .expect("day");
    assert!(day
        .iter()
        .any(|d| d.record_id == Some(rid) && d.has_allergies));

    records::sign(&dc, rid).await.expect("sign");
    assert!(records::my_unsigned(&dc)
        .await
        .expect("unsigned")
        .iter()
        .all(|u| u.record_id != rid));
    // One app read above, and one by hand in psql now: two entries.
    ok(&dc, &format!("SELECT clinic.chart({p})")).await;
    assert_eq!(one_i64(&ad, &reads).await, before + 2);
}
