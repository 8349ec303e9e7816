//! The clinic's shared settings (sql/0027), by real logins: an administrator changes them through
//! the checked, versioned, audited function; a stale version is refused rather than overwriting a
//! colleague; the migration's seeding from a config stops once an administrator has changed them;
//! the emergency-access cap is the setting's; each sign-in is noted on the person's own row only;
//! and a desk's session takes the database's values at sign-in.

mod support;

use clinic::config::ClinicConfig;
use clinic::db::{clinic_settings, migrate};
use clinic::domain::staff::Job;
use support::{sqlstate, TestDb};

#[tokio::test]
async fn an_admin_changes_the_settings_once_per_version_and_the_audit_says_what_changed() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let admin = db.connect(&ada).await;
    let desk = db.connect(&rita).await;

    let before = clinic_settings::read(&admin).await.expect("read");
    let mut wanted = before.clone();
    wanted.clinic_name = "Hillside Clinic".into();
    wanted.time_zone = "Europe/Berlin".into();
    wanted.idle_lock_minutes = 5;
    let after = clinic_settings::update(&admin, &wanted)
        .await
        .expect("an admin changes them");
    assert_eq!(after.version, before.version + 1);
    assert_eq!(
        (
            after.clinic_name.as_str(),
            after.time_zone.as_str(),
            after.idle_lock_minutes
        ),
        ("Hillside Clinic", "Europe/Berlin", 5)
    );
    assert_eq!(after.changed_by.as_deref(), Some(ada.user.as_str()));

    // The same form saved twice (or by a second admin who read the old version): refused.
    let stale = clinic_settings::update(&admin, &wanted).await;
    assert!(
        matches!(&stale, Err(clinic::db::DbError::Conflict(m)) if m.contains("changed meanwhile")),
        "{stale:?}"
    );

    // Checked at every value, not only by the form.
    let mut bad = after.clone();
    bad.time_zone = "Mars/Olympus".into();
    let e = admin
        .execute(
            "SELECT clinic.update_settings($1, $2, $3, $4, $5, $6)",
            &[
                &bad.version,
                &bad.clinic_name,
                &bad.time_zone,
                &bad.currency,
                &bad.idle_lock_minutes,
                &bad.break_glass_max_minutes,
            ],
        )
        .await
        .expect_err("no such zone");
    assert_eq!(sqlstate(&e), "23514");
    for (idle, cap) in [(0, 240), (121, 240), (10, 14), (10, 721)] {
        let e = admin
            .execute(
                "SELECT clinic.update_settings($1, 'X', 'UTC', 'USD', $2, $3)",
                &[&after.version, &idle, &cap],
            )
            .await
            .expect_err("out of bounds");
        assert_eq!(sqlstate(&e), "23514", "{idle} {cap}");
    }

    // Nobody else changes them, through the function or around it.
    let e = desk
        .execute(
            "SELECT clinic.update_settings($1, 'Mine', 'UTC', 'USD', 120, 720)",
            &[&after.version],
        )
        .await
        .expect_err("a receptionist");
    assert_eq!(sqlstate(&e), "42501");
    let e = desk
        .execute("UPDATE clinic.settings SET idle_lock_minutes = 120", &[])
        .await
        .expect_err("around it");
    assert_eq!(sqlstate(&e), "42501");

    let su = db.superuser().await;
    let detail: serde_json::Value = su
        .query_one(
            "SELECT detail FROM clinic.audit_log WHERE action = 'update_settings' AND actor_login = $1",
            &[&ada.user],
        )
        .await
        .expect("one audit entry")
        .get(0);
    assert_eq!(
        detail["time_zone"],
        serde_json::json!(["UTC", "Europe/Berlin"])
    );
    assert_eq!(detail["idle_lock_minutes"], serde_json::json!([10, 5]));
    assert!(
        detail.get("currency").is_none(),
        "only what changed: {detail}"
    );

    // The migration's seeding from a config no longer overrides the admin's choice.
    let clinic = ClinicConfig {
        name: "From the config".into(),
        time_zone: "America/New_York".into(),
        currency: "EUR".into(),
        ..ClinicConfig::default()
    };
    let now = migrate::seed_settings(&su, &clinic).await.expect("seed");
    assert_eq!(now.time_zone, "Europe/Berlin");
    assert_eq!(now.clinic_name, "Hillside Clinic");
}

#[tokio::test]
async fn a_fresh_database_takes_the_config_and_the_cap_limits_emergency_access() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let clinic = ClinicConfig {
        name: "Riverside".into(),
        time_zone: "Europe/London".into(),
        currency: "GBP".into(),
        ..ClinicConfig::default()
    };
    let seeded = migrate::seed_settings(&su, &clinic).await.expect("seed");
    assert_eq!(
        (
            seeded.clinic_name.as_str(),
            seeded.time_zone.as_str(),
            seeded.currency.as_str()
        ),
        ("Riverside", "Europe/London", "GBP")
    );
    assert!(seeded.changed_at.is_none());

    let ada = db.staff("ada", Job::Admin).await;
    let greg = db.staff("greg", Job::Doctor).await;
    let admin = db.connect(&ada).await;
    let mut capped = seeded.clone();
    capped.break_glass_max_minutes = 30;
    clinic_settings::update(&admin, &capped).await.expect("cap");
    let patient: i64 = su
        .query_one(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             VALUES ('Okoye', 'Ada', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', 'Acme', '0201234567')
             RETURNING id",
            &[],
        )
        .await
        .expect("a patient")
        .get(0);
    let doctor = db.connect(&greg).await;
    let e = doctor
        .execute(
            "SELECT clinic.break_glass($1, 'Collapsed in the waiting room', 60)",
            &[&patient],
        )
        .await
        .expect_err("beyond the cap");
    let message = e.as_db_error().map(|d| d.message().to_string());
    assert!(
        message.as_deref().is_some_and(|m| m.contains("30 minutes")),
        "{message:?}"
    );
    doctor
        .execute(
            "SELECT clinic.break_glass($1, 'Collapsed in the waiting room', 30)",
            &[&patient],
        )
        .await
        .expect("within it");
}

#[tokio::test]
async fn a_sign_in_is_noted_on_the_own_row_and_the_session_takes_the_database_s_settings() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let adam = db.staff("adam", Job::Accountant).await;
    let su = db.superuser().await;
    su.execute(
        "UPDATE clinic.settings SET clinic_name = 'Hillside', time_zone = 'Asia/Tokyo', currency = 'JPY', idle_lock_minutes = 3",
        &[],
    )
    .await
    .expect("settings");
    let session = clinic::db::login(&db.server_config(), &rita.user, &rita.password)
        .await
        .expect("sign in");
    let settings = session.settings.expect("read at sign-in");
    assert_eq!(
        (
            settings.clinic_name.as_str(),
            settings.time_zone.as_str(),
            settings.currency.as_str()
        ),
        ("Hillside", "Asia/Tokyo", "JPY")
    );
    assert_eq!(
        settings.idle_lock_for(10),
        3,
        "a desk's 10 minutes is capped"
    );
    assert!(!session.must_change_password);
    let noted: Vec<(String, bool)> = su
        .query(
            "SELECT login, last_sign_in_at IS NOT NULL FROM clinic.staff WHERE login IN ($1, $2) ORDER BY login",
            &[&adam.user, &rita.user],
        )
        .await
        .expect("rows")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        noted,
        vec![(adam.user.clone(), false), (rita.user.clone(), true)],
        "only her own row"
    );
}
