//! Query plans: no lookup form, nor the duplicate check, reads the whole patients table.

use clinic::db::patients;
use clinic::domain::patient::SearchQuery;
use clinic::domain::staff::Job;

use crate::common::{find, register_sample, LOCAL};
use crate::support::TestDb;

/// With enough patients that the planner weighs its options as it would at a million, every
/// lookup form, and the duplicate check, reads patients through an index.
#[tokio::test]
async fn no_lookup_reads_the_whole_patients_table() {
    let db = TestDb::new().await;
    let login = db.staff("rita", Job::Receptionist).await;
    let rita = db.connect(&login).await;
    let sample = register_sample(&rita).await;
    let su = db.superuser().await;
    su.batch_execute(
        "ALTER TABLE clinic.patients DISABLE TRIGGER USER;
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, phone, email)
         SELECT (ARRAY['Smith','Jones','Müller','García','Nguyen','Okafor','Dubois','Kowalski'])[1 + i % 8]
                  || CASE WHEN i % 3 = 0 THEN '' ELSE 'son' || (i % 4000)::text END,
                (ARRAY['Anna','John','Zoë','José','Mei','Ngozi','Pierre','Ola'])[1 + (i / 8) % 8],
                date '1930-01-01' + (i * 7919) % 32000,
                'unknown',
                '07' || lpad(((i::bigint * 104729) % 1000000000)::text, 9, '0'),
                CASE WHEN i % 2 = 0 THEN 'p' || i || '@example.com' END
           FROM generate_series(1, 40000) AS i;
         ALTER TABLE clinic.patients ENABLE TRIGGER USER;
         SELECT clinic.rebuild_name_words();
         ANALYZE;",
    )
    .await
    .expect("bulk patients");

    // The check sees a sequential scan when there is one: the naive substring search has one.
    let naive: serde_json::Value = rita
        .query_one(
            "EXPLAIN (FORMAT JSON) SELECT id FROM clinic.patients WHERE family_name ILIKE '%mit%'",
            &[],
        )
        .await
        .expect("explain")
        .get(0);
    assert_eq!(patients::sequential_scans(&naive), vec!["patients"]);

    let anna = &sample[0];
    let number = anna.patient_number.to_string();
    for typed in [
        "s",
        "smith",
        "smithson12",
        "john smith",
        "smith john",
        "jhon smiht",
        "zoe muller",
        "anna mary smith jones",
        "1985-06-15",
        "15/06/1985",
        "0958",
        "+44 20 7946 0958",
        &number,
        "anna.mueller@ex",
        "p12@",
    ] {
        let query = SearchQuery::parse(typed, LOCAL);
        let plans = patients::explain_search(&rita, &query, 20)
            .await
            .expect("explain");
        assert!(!plans.is_empty(), "{typed}");
        for plan in &plans {
            let scans = patients::sequential_scans(plan);
            assert!(
                !scans.iter().any(|t| t == "patients"),
                "{typed}: sequential scan of patients in\n{plan:#}"
            );
        }
    }
    let plans = patients::explain_duplicates(&rita, &anna.details(), None)
        .await
        .expect("explain");
    for plan in &plans {
        assert!(
            !patients::sequential_scans(plan)
                .iter()
                .any(|t| t == "patients"),
            "duplicates:\n{plan:#}"
        );
    }
    // And the forms still answer on the larger table.
    assert_eq!(find(&rita, "muller anna").await[0].id, anna.id);
    assert_eq!(find(&rita, "jhon smiht").await[0].given_names, "John");
}
