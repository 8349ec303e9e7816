//! The server killed (immediate shutdown: as a power cut or a crash would) while a receptionist is
//! half-way through registering a patient, a doctor half-way through a note and an accountant's
//! payment is on its way, and started again 10 s later. Each screen says "offline" within 5 s,
//! keeps what was typed and goes on taking keys, says in words that a save did not happen, is
//! connected again within 5 s of the server's return by itself, and then saves with one key: the
//! payment exactly once (its idempotency key, kept through the failure). Live updates come back
//! too: a booking made afterwards by another desk shows on the queue without a key.

use std::time::Duration;

use clinic::domain::staff::Job;

use crate::clinic::PrivateClinic;
use crate::common::*;
use crate::db::clinic_at_noon;
use crate::pty::{config_for, quit, spawn_on};

const LIMIT: Duration = Duration::from_secs(5);
const PATIENCE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn the_server_killed_mid_registration_note_and_payment_and_back_10_s_later() {
    let clinic = PrivateClinic::new("restart").await;
    let su = clinic.superuser().await;
    clinic_at_noon(&su).await;
    let rita = clinic.staff("rita", "Rita Moreno", Job::Receptionist).await;
    let alice = clinic.staff("alice", "Alice Smith", Job::Doctor).await;
    let adam = clinic.staff("adam", "Adam Smith", Job::Accountant).await;
    let doctor = alice.staff_id.expect("a staff id");
    let garcia = patient(&su, "Garcia", "Luis").await;
    appointment_today(&su, garcia, doctor, 11, "checked_in").await;
    let okoye = patient(&su, "Okoye", "Ada").await;
    let invoice = invoice_issued(&su, okoye, 8_000).await;
    let (_home, config) = config_for(&clinic.server_config());
    let rt = tokio::runtime::Handle::current();

    let clinic = tokio::task::spawn_blocking(move || {
        // The receptionist: a new patient's names and birth date typed, the rest not yet.
        let mut desk = spawn_on(&config);
        desk.sign_in(&rita.user, &rita.password, "(reception)");
        desk.send(ESC);
        desk.wait_for("n new patient");
        desk.send("n");
        desk.wait_for("Family name");
        for text in ["Okafor", "\t", "Ngozi", "\t", "\t", "15/06/1985"] {
            desk.send(text);
        }
        // The doctor: today's checked-in visit started, the first lines of the note typed.
        let mut doc = spawn_on(&config);
        doc.sign_in(&alice.user, &alice.password, "(doctor)");
        doc.wait_for("Garcia");
        doc.send("s");
        doc.wait_for("Consultation with");
        doc.send("Fell on the stairs.");
        // The accountant: a payment of 30.00 on Okoye's invoice, sent while the invoice's row is
        // held by another session, so it is in the server, unanswered, when the server dies.
        let mut acct = spawn_on(&config);
        acct.sign_in(&adam.user, &adam.password, "(accounts)");
        acct.wait_for("Okoye");
        acct.send("\r");
        acct.wait_for("Payments and refunds");
        acct.send("p");
        acct.wait_for("Payment for");
        acct.send(CTRL_U);
        acct.send("30.00");
        let holder = rt.block_on(async {
            let holder = clinic.superuser().await;
            holder
                .batch_execute(&format!(
                    "BEGIN; SELECT 1 FROM clinic.invoices WHERE id = {invoice} FOR UPDATE"
                ))
                .await
                .expect("the invoice held");
            holder
        });
        acct.send(CTRL_S);
        rt.block_on(async {
            for _ in 0..200 {
                let waiting: i64 = su
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity
                          WHERE application_name = 'clinic' AND wait_event_type = 'Lock'",
                        &[],
                    )
                    .await
                    .expect("activity")
                    .get(0);
                if waiting == 1 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("the payment never reached the server");
        });
        // A pause long enough for the first lines of the note to save themselves (after 2 s).
        std::thread::sleep(Duration::from_secs(3));

        let stopped = std::time::Instant::now();
        clinic.stop_immediate();
        drop(holder);
        let offline = first_seen(&[&desk, &doc, &acct], OFFLINE, stopped, PATIENCE);
        println!("offline after the server was killed: {offline:?} (desk, doctor, accounts)");
        for (who, at) in ["desk", "doctor", "accounts"].iter().zip(&offline) {
            assert!(*at <= LIMIT, "{who}: offline only after {at:?}");
        }

        // Offline, every screen still takes keys and keeps them; a save says it did not happen.
        typed_and_echoed(&mut desk, "\tf", "[f ");
        desk.send(CTRL_S);
        wait_said(&desk, "Not saved");
        wait_said(&desk, "cannot be reached");
        doc.send("\r");
        typed_and_echoed(&mut doc, "Knee swollen", "Knee swollen");
        wait_said(&doc, "NOT SAVED (kept here, trying again)");
        wait_said(&acct, "cannot be reached");
        let screens = [desk.screen(), doc.screen(), acct.screen()];
        assert!(
            screens[0].contains("Okafor") && screens[0].contains("Ngozi"),
            "{}",
            screens[0]
        );
        assert!(screens[0].contains("15/06/1985"), "{}", screens[0]);
        assert!(
            screens[1].contains("Fell on the stairs.") && screens[1].contains("Knee swollen"),
            "{}",
            screens[1]
        );
        assert!(screens[2].contains("30.00"), "{}", screens[2]);

        std::thread::sleep(
            (stopped + Duration::from_secs(10))
                .saturating_duration_since(std::time::Instant::now()),
        );
        let mut clinic = clinic;
        clinic.restart();
        let back = std::time::Instant::now();
        let connected = first_seen(&[&desk, &doc, &acct], CONNECTED, back, PATIENCE);
        println!(
            "connected again after the server was back: {connected:?} (desk, doctor, accounts)"
        );
        for (who, at) in ["desk", "doctor", "accounts"].iter().zip(&connected) {
            assert!(*at <= LIMIT, "{who}: connected again only after {at:?}");
        }

        // One key each saves what was kept.
        desk.send(CTRL_S);
        wait_said(&desk, "Registered OKAFOR, Ngozi");
        doc.send(CTRL_S);
        acct.send(CTRL_S);
        wait_said(&acct, "Receipt");
        rt.block_on(async {
            let su = clinic.superuser().await;
            let note = loop {
                let row = su
                    .query_one(
                        "SELECT subjective FROM clinic.medical_records WHERE patient_id = $1",
                        &[&garcia],
                    )
                    .await
                    .expect("the note");
                let note: Option<String> = row.get(0);
                if note.as_deref().is_some_and(|n| n.contains("Knee swollen")) {
                    break note;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            assert_eq!(note.as_deref(), Some("Fell on the stairs.\nKnee swollen"));
        });

        // Live updates are back: a booking another desk makes now shows on the queue by itself.
        desk.send(":queue\r");
        desk.wait_until("live again", live);
        rt.block_on(async {
            let su = clinic.superuser().await;
            let ngozi: i64 = su
                .query_one(
                    "SELECT id FROM clinic.patients WHERE family_name = 'Okafor'",
                    &[],
                )
                .await
                .expect("registered once")
                .get(0);
            appointment_today(&su, ngozi, doctor, 12, "scheduled").await;
        });
        desk.wait_for("Okafor");

        for term in [&mut desk, &mut doc, &mut acct] {
            quit(term);
        }
        clinic
    })
    .await
    .expect("the session");

    let su = clinic.superuser().await;
    let paid: Vec<(i64, String)> = su
        .query(
            "SELECT amount_minor, kind FROM clinic.payments WHERE invoice_id = $1",
            &[&invoice],
        )
        .await
        .expect("payments")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        paid,
        vec![(3_000, "payment".to_string())],
        "the payment, exactly once"
    );
    let registered: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.patients WHERE family_name = 'Okafor' AND given_names = 'Ngozi'
                AND date_of_birth = DATE '1985-06-15' AND sex = 'female'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(registered, 1, "the patient, once, as typed");
}
