//! The ICD-10-CM list (sql/0012) and clinic::db::icd10::search: what migrate loads, what a typed
//! code or words find and in which order, who may read and write it, and that neither kind of
//! search reads the whole list.

use clinic::db::icd10;
use clinic::db::plan::sequential_scans;
use clinic::domain::diagnosis::{Icd10Code, Icd10Query};
use clinic::domain::staff::Job;
use tokio_postgres::Client;

use crate::support::{sqlstate, TestDb};

async fn find(c: &Client, typed: &str) -> Vec<Icd10Code> {
    icd10::search(c, &Icd10Query::parse(typed), 20)
        .await
        .unwrap_or_else(|e| panic!("search {typed:?}: {e}"))
}

async fn codes(c: &Client, typed: &str) -> Vec<String> {
    find(c, typed).await.into_iter().map(|h| h.code).collect()
}

async fn doctor(db: &TestDb) -> Client {
    let login = db.staff("drno", Job::Doctor).await;
    db.connect(&login).await
}

/// Whether every typed word starts some word of the description, compared as the database folds
/// them for these inputs (lower case; the accented letters used below).
fn words_start(description: &str, typed: &str) -> bool {
    let fold = |s: &str| {
        s.to_lowercase()
            .replace(['é', 'è'], "e")
            .replace('ô', "o")
            .replace('ä', "a")
    };
    let words: Vec<String> = fold(description)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_string)
        .collect();
    fold(typed)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .all(|t| words.iter().any(|w| w.starts_with(t)))
}

#[tokio::test]
async fn migrate_loads_the_whole_list_with_chapters() {
    let db = TestDb::new().await;
    let dr = doctor(&db).await;
    let row = dr
        .query_one(
            "SELECT count(*) FILTER (WHERE billable), count(*), count(DISTINCT chapter),
                    (SELECT count(*) FROM clinic.icd10cm_chapters)
               FROM clinic.icd10cm",
            &[],
        )
        .await
        .expect("counts");
    let (billable, all, chapters, chapter_rows): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert!(billable >= 70_000, "{billable} billable codes");
    assert!(all > billable + 20_000, "{all} rows: the headings too");
    assert_eq!((chapters, chapter_rows), (22, 22));
    for (code, description, chapter, is_billable) in [
        (
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            4,
            true,
        ),
        ("E11", "Type 2 diabetes mellitus", 4, false),
        ("I10", "Essential (primary) hypertension", 9, true),
        ("J45.909", "Unspecified asthma, uncomplicated", 10, true),
        (
            "M17.11",
            "Unilateral primary osteoarthritis, right knee",
            13,
            true,
        ),
        (
            "S72.001A",
            "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
            19,
            true,
        ),
    ] {
        let row = dr
            .query_one(
                "SELECT c.description, c.chapter, c.billable, h.title
                   FROM clinic.icd10cm c JOIN clinic.icd10cm_chapters h USING (chapter)
                  WHERE c.code = $1",
                &[&code],
            )
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(row.get::<_, String>(0), description, "{code}");
        assert_eq!(row.get::<_, i16>(1), chapter, "{code}");
        assert_eq!(row.get::<_, bool>(2), is_billable, "{code}");
        assert!(!row.get::<_, String>(3).is_empty(), "{code}");
    }
}

#[tokio::test]
async fn a_typed_code_finds_the_codes_it_starts_general_ones_first() {
    let db = TestDb::new().await;
    let dr = doctor(&db).await;
    let e11 = find(&dr, "E11").await;
    assert_eq!(e11.len(), 20);
    assert!(e11.iter().all(|h| h.code.starts_with("E11")), "{e11:?}");
    // The category itself, then its most general billable codes.
    let first: Vec<&str> = e11.iter().take(3).map(|h| h.code.as_str()).collect();
    assert_eq!(first, ["E11", "E11.8", "E11.9"]);
    assert!(e11[1..].iter().all(|h| h.billable), "{e11:?}");
    let lengths: Vec<usize> = e11[1..].iter().map(|h| h.code.len()).collect();
    assert!(lengths.windows(2).all(|w| w[0] <= w[1]), "{lengths:?}");

    // With or without the dot, in any case.
    for typed in ["e11.9", "E119", "e119"] {
        assert_eq!(codes(&dr, typed).await, ["E11.9"], "{typed}");
    }
    assert_eq!(
        codes(&dr, "m17.1").await,
        ["M17.1", "M17.10", "M17.11", "M17.12"]
    );
    // A short prefix with thousands of codes under it still answers a screenful, in order.
    let s7 = codes(&dr, "S7").await;
    assert_eq!(s7.len(), 20);
    assert!(s7.iter().all(|c| c.starts_with("S7")), "{s7:?}");
    // A heading that is not billable is shown when typed exactly, billable codes after it.
    let t36 = find(&dr, "T36.0X1").await;
    assert_eq!(t36[0].code, "T36.0X1");
    assert!(!t36[0].billable);
    assert!(t36[1..]
        .iter()
        .all(|h| h.billable && h.code.starts_with("T36.0X1")));
}

#[tokio::test]
async fn typed_words_each_start_a_word_of_the_description() {
    let db = TestDb::new().await;
    let dr = doctor(&db).await;
    let hits = find(&dr, "type 2 diab").await;
    assert_eq!(hits.len(), 20);
    assert!(
        hits.iter().take(3).any(|h| h.code.starts_with("E11")),
        "{hits:?}"
    );
    assert!(
        hits.iter().take(3).all(|h| h.billable),
        "billable codes first: {hits:?}"
    );
    for h in &hits {
        assert!(words_start(&h.description, "type 2 diab"), "{h:?}");
    }
    // Case and accents do not matter, on either side.
    assert_eq!(
        codes(&dr, "TYPE 2 DIAB").await,
        codes(&dr, "type 2 diab").await
    );
    let diabete = find(&dr, "diabète").await;
    assert!(
        !diabete.is_empty()
            && diabete
                .iter()
                .all(|h| words_start(&h.description, "diabete")),
        "{diabete:?}"
    );
    let sezary = find(&dr, "sezary dis").await;
    assert!(
        sezary
            .iter()
            .any(|h| h.description.starts_with("Sézary disease")),
        "{sezary:?}"
    );
    assert_eq!(codes(&dr, "Sézary").await, codes(&dr, "sezary").await);
    // Words in any order, and punctuation is no word.
    assert_eq!(
        codes(&dr, "diab, type 2").await,
        codes(&dr, "type 2 diab").await
    );
    // One letter is a word's start, and finds a screenful.
    let d = find(&dr, "d").await;
    assert_eq!(d.len(), 20);
    assert!(d.iter().all(|h| words_start(&h.description, "d")), "{d:?}");
    // Shorter, more general descriptions first.
    let asthma = find(&dr, "asthma").await;
    assert!(asthma.iter().all(|h| words_start(&h.description, "asthma")));
    let word_counts: Vec<usize> = asthma
        .iter()
        .filter(|h| h.billable)
        .map(|h| h.description.split_whitespace().count())
        .collect();
    assert!(word_counts[0] <= 3, "{asthma:?}");
}

/// The load splits descriptions into words exactly as `clinic.icd10_query` splits what is typed:
/// every description, typed out in full, finds its own code, the accented ones included.
#[tokio::test]
async fn every_description_typed_out_finds_its_code() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let missed: Vec<String> = su
        .query(
            "SELECT code FROM clinic.icd10cm
              WHERE NOT words @@ clinic.icd10_query(description)
                 OR NOT words @@ clinic.icd10_query(upper(description))
              ORDER BY code LIMIT 10",
            &[],
        )
        .await
        .expect("every description")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        missed.is_empty(),
        "not found by their own words: {missed:?}"
    );
    // Control: a description's words do not find another's.
    let found: bool = su
        .query_one(
            "SELECT words @@ clinic.icd10_query('Type 2 diabetes mellitus, right knee')
               FROM clinic.icd10cm WHERE code = 'E11.9'",
            &[],
        )
        .await
        .expect("control")
        .get(0);
    assert!(!found);
    // And what the database shows, typed with its accents, finds it too.
    let dr = doctor(&db).await;
    assert!(codes(&dr, "Charcôt's arthropathy")
        .await
        .contains(&"A52.16".to_string()));
}

#[tokio::test]
async fn nonsense_finds_nothing_and_a_code_shaped_word_is_a_word() {
    let db = TestDb::new().await;
    let dr = doctor(&db).await;
    for typed in ["xqzvw", "diab xqzvw", "Z99.99999", "", " - . "] {
        assert_eq!(find(&dr, typed).await, Vec::new(), "{typed:?}");
    }
    // B12 starts no code; vitamin B12 is a word of descriptions.
    let b12 = find(&dr, "b12").await;
    assert!(b12.iter().any(|h| h.code.starts_with("D51")), "{b12:?}");
    assert!(b12.iter().all(|h| words_start(&h.description, "b12")));
}

#[tokio::test]
async fn every_job_reads_the_list_and_nobody_writes_it() {
    let db = TestDb::new().await;
    for (short, job) in [
        ("dr", Job::Doctor),
        ("desk", Job::Receptionist),
        ("acct", Job::Accountant),
        ("adm", Job::Admin),
    ] {
        let login = db.staff(short, job).await;
        let c = db.connect(&login).await;
        assert!(
            codes(&c, "E11").await.contains(&"E11.9".to_string()),
            "{job:?}"
        );
        assert!(!find(&c, "type 2 diab").await.is_empty(), "{job:?}");
        for sql in [
            "INSERT INTO clinic.icd10cm (code, description, chapter, billable) VALUES ('E11.99', 'Made up', 4, true)",
            "UPDATE clinic.icd10cm SET description = 'Changed' WHERE code = 'E11.9'",
            "DELETE FROM clinic.icd10cm WHERE code = 'E11.9'",
            "TRUNCATE clinic.icd10cm",
            "INSERT INTO clinic.icd10cm_chapters VALUES (23, 'X00', 'X99', 'Made up')",
            "UPDATE clinic.icd10cm_chapters SET title = 'Changed'",
            "DELETE FROM clinic.icd10cm_chapters",
        ] {
            let err = c
                .batch_execute(sql)
                .await
                .expect_err(&format!("{job:?}: {sql}"));
            assert_eq!(sqlstate(&err), "42501", "{job:?}: {sql}");
        }
    }
    // Nothing was changed.
    let su = db.superuser().await;
    let row = su
        .query_one(
            "SELECT count(*), min(description) FROM clinic.icd10cm WHERE code = 'E11.9'",
            &[],
        )
        .await
        .expect("E11.9");
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(
        row.get::<_, String>(1),
        "Type 2 diabetes mellitus without complications"
    );
}

/// The index a plan reads, by name, anywhere in it.
fn indexes(plan: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![plan];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(name) = o.get("Index Name").and_then(serde_json::Value::as_str) {
                    found.push(name.to_string());
                }
                stack.extend(o.values());
            }
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    found
}

#[tokio::test]
async fn neither_kind_of_search_reads_the_whole_list() {
    let db = TestDb::new().await;
    let dr = doctor(&db).await;
    // The check sees a sequential scan when there is one: a substring count has one.
    let naive: serde_json::Value = dr
        .query_one(
            "EXPLAIN (FORMAT JSON) SELECT count(*) FROM clinic.icd10cm WHERE description ILIKE '%diab%'",
            &[],
        )
        .await
        .expect("explain")
        .get(0);
    assert_eq!(sequential_scans(&naive), vec!["icd10cm"]);

    for (typed, index) in [
        ("E11", "icd10cm_code_key"),
        ("e11.9", "icd10cm_code_key"),
        ("S7", "icd10cm_code_key"),
        ("S72.001A", "icd10cm_pkey"),
        ("b12", "icd10cm_words"),
        ("type 2 diab", "icd10cm_words"),
        ("sezary", "icd10cm_words"),
        ("xqzvw", "icd10cm_words"),
        // Words that match most of the list: read in ranked order, a screenful.
        ("s", "icd10cm_ranked"),
        ("left r", "icd10cm_ranked"),
    ] {
        let plans = icd10::explain_search(&dr, &Icd10Query::parse(typed), 20)
            .await
            .expect("explain");
        assert!(!plans.is_empty(), "{typed}");
        for plan in &plans {
            assert!(
                sequential_scans(plan).is_empty(),
                "{typed}: sequential scan in\n{plan:#}"
            );
        }
        let used: Vec<String> = plans.iter().flat_map(indexes).collect();
        assert!(
            used.iter().any(|i| i == index),
            "{typed}: {index} not in {used:?}"
        );
    }
}
