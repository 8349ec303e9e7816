//! A doctor's day at human speed: the day list, a patient's chart opened (clinic.chart, audited in
//! the same transaction), a note written and saved a few times as it grows, then signed.

use std::time::Instant;

use rand::Rng;

use clinic::db::records;
use clinic::domain::record::EncounterNote;
use clinic::effects::with_client;

use super::{pause, Desk};

pub async fn work(desk: &mut Desk, doctor_id: i64) {
    let shared = desk.shared.clone();
    let Some(mine) = shared.care.get(&doctor_id) else {
        return;
    };
    let today = shared.today;
    while std::time::Instant::now() < desk.deadline {
        let t = Instant::now();
        let day = with_client(&desk.pool, async |c| {
            let visits = records::doctor_day(&*c, today).await?;
            let unsigned = records::my_unsigned(&*c).await?;
            Ok::<_, clinic::db::DbError>((visits, unsigned))
        })
        .await;
        let visits = match day {
            Ok((visits, _)) => {
                desk.tally.ok("doctor's day", t);
                visits
            }
            Err(e) => {
                desk.tally.error("doctor's day", t, e);
                Vec::new()
            }
        };
        // Today's patients first; otherwise someone from the list (results in, a call back).
        let patient_id = if !visits.is_empty() && desk.rng.gen_bool(0.5) {
            visits[desk.rng.gen_range(0..visits.len())].patient_id
        } else {
            mine[desk.rng.gen_range(0..mine.len())]
        };
        let t = Instant::now();
        match with_client(&desk.pool, async |c| records::chart(&*c, patient_id).await).await {
            Ok(_) => desk.tally.ok("chart open (audited)", t),
            Err(e) => desk.tally.error("chart open (audited)", t, e),
        }
        // Reading the chart.
        if !pause(desk, 3.0..10.0).await {
            return;
        }
        if desk.rng.gen_bool(0.6) {
            write_note(desk, patient_id).await;
        }
        pause(desk, 3.0..8.0).await;
    }
}

/// A note started, saved as it grows (the app saves on the doctor's key, a few times a
/// consultation), and signed.
async fn write_note(desk: &mut Desk, patient_id: i64) {
    let mut note = EncounterNote {
        summary: "Review".into(),
        subjective: "Reports feeling better since the last visit.".into(),
        ..EncounterNote::default()
    };
    let mut at: Option<(i64, i32)> = None;
    let saves = desk.rng.gen_range(2..=4);
    for n in 0..saves {
        if n > 0 {
            note.objective
                .push_str("Examined; chest clear, blood pressure as before. ");
            note.plan.push_str("Continue; review in a month. ");
            // Typing the next part.
            if !pause(desk, 5.0..15.0).await {
                return;
            }
        }
        let t = Instant::now();
        let saved = with_client(&desk.pool, async |c| {
            let tx = c.transaction().await?;
            let saved = records::save_encounter(
                &tx,
                at.map(|(id, _)| id),
                at.map(|(_, v)| v),
                patient_id,
                &note,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, clinic::db::DbError>(saved)
        })
        .await;
        match saved {
            Ok(s) => {
                desk.tally.ok("note saved", t);
                at = Some(s);
            }
            Err(e) => {
                desk.tally.error("note saved", t, e);
                return;
            }
        }
    }
    let Some((record_id, _)) = at else {
        return;
    };
    let t = Instant::now();
    match with_client(&desk.pool, async |c| records::sign(&*c, record_id).await).await {
        Ok(()) => {
            desk.tally.ok("note signed", t);
            desk.tally.notes += 1;
        }
        Err(e) => desk.tally.error("note signed", t, e),
    }
}
