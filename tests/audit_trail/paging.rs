//! Keyset pages: exact forward and back while entries arrive, every filter, an index under each.

use super::support::TestDb;
use super::{add_patient, entries_at, ids, page_ids, walk, write_entries};
use chrono::{NaiveDate, Utc};
use clinic::db::audit_trail::{self, AuditFilter, Cursor, EntryCount, Page};
use clinic::db::DbError;
use clinic::domain::staff::Job;

#[tokio::test]
async fn pages_forward_and_back_are_exact_and_stable_while_entries_arrive() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let admin = db.connect(&ada).await;
    write_entries(&su, &ada, 60, "test_paging").await;
    let all = ids(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY at DESC, id DESC",
    )
    .await;
    assert!(all.len() > 60, "{}", all.len());

    // Forward, 7 at a time, with new entries arriving between pages.
    let filter = AuditFilter::default();
    let mut pages = vec![audit_trail::audit_page(&admin, &filter, None, None, 7)
        .await
        .expect("page 1")];
    assert!(!pages[0].has_newer && pages[0].has_older);
    while let Some(next) = pages.last().and_then(Page::older) {
        write_entries(&su, &ada, 3, "arrived_meanwhile").await;
        pages.push(
            audit_trail::audit_page(&admin, &filter, Some(next), None, 7)
                .await
                .expect("next"),
        );
    }
    let seen: Vec<i64> = pages.iter().flat_map(page_ids).collect();
    assert_eq!(
        seen, all,
        "every entry once, newest first, none of the new ones"
    );
    assert!(pages.iter().all(|p| p.entries.len() <= 7));
    let last = pages.last().expect("a last page");
    assert!(!last.has_older && last.has_newer);

    // Back from the last page, page by page: the same pages, page 1 included (now with newer
    // entries above it), then the entries that arrived, up to a full first page of the newest.
    let mut back = pages.len() - 1;
    let mut page = last.clone();
    while back > 0 {
        page = audit_trail::audit_page(&admin, &filter, None, page.newer(), 7)
            .await
            .expect("previous");
        back -= 1;
        assert_eq!(page_ids(&page), page_ids(&pages[back]), "page {back}");
        assert!(page.has_newer && page.has_older);
    }
    let mut top = page;
    while top.has_newer {
        top = audit_trail::audit_page(&admin, &filter, None, top.newer(), 7)
            .await
            .expect("newer");
        assert!(top.entries.iter().all(|e| e.action == "arrived_meanwhile"));
    }
    let newest = ids(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY at DESC, id DESC LIMIT 7",
    )
    .await;
    assert_eq!(page_ids(&top), newest);

    let here = Some(top.entries[3].cursor());
    let refused = audit_trail::audit_page(&admin, &filter, here, here, 7).await;
    assert!(matches!(refused, Err(DbError::Invalid(_))), "{refused:?}");
    assert!(matches!(
        audit_trail::audit_page(&admin, &filter, None, None, 0).await,
        Err(DbError::Invalid(_))
    ));
}

#[tokio::test]
async fn every_filter_narrows_the_trail_and_days_are_the_clinics() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let admin = db.connect(&ada).await;
    let (p1, p2) = (
        add_patient(&su, "Filtered").await,
        add_patient(&su, "Other").await,
    );
    // Auckland is UTC+13 in January: 10:30 UTC on the 10th is 23:30 there, 11:30 UTC is the 11th.
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'Pacific/Auckland'")
        .await
        .expect("zone");
    let (x, y) = ("xena", "yuri");
    entries_at(
        &su,
        &[
            (
                "2030-01-10 10:30Z",
                x,
                "read",
                Some("medical_records"),
                Some(p1),
            ),
            ("2030-01-10 11:30Z", x, "update", Some("patients"), Some(p1)),
            (
                "2030-01-11 10:59Z",
                y,
                "read",
                Some("medical_records"),
                Some(p2),
            ),
            (
                "2030-01-11 11:00Z",
                y,
                "insert",
                Some("appointments"),
                Some(p1),
            ),
            ("2030-01-12 09:00Z", x, "add_staff", Some("staff"), None),
            ("2030-01-12 09:00Z", x, "rechain", None, None),
        ],
    )
    .await;
    let cases: Vec<(AuditFilter, String)> = vec![
        (
            AuditFilter {
                person: Some(x.into()),
                ..AuditFilter::default()
            },
            "actor_login = 'xena'".into(),
        ),
        (
            AuditFilter {
                patient_id: Some(p1),
                ..AuditFilter::default()
            },
            format!("patient_id = {p1}"),
        ),
        (
            AuditFilter {
                action: Some("read".into()),
                ..AuditFilter::default()
            },
            "action = 'read'".into(),
        ),
        (
            AuditFilter {
                table: Some("patients".into()),
                ..AuditFilter::default()
            },
            "table_name = 'patients'".into(),
        ),
        (
            AuditFilter {
                from: NaiveDate::from_ymd_opt(2030, 1, 11),
                to: NaiveDate::from_ymd_opt(2030, 1, 11),
                ..AuditFilter::default()
            },
            "at >= '2030-01-10 11:00Z' AND at < '2030-01-11 11:00Z'".into(),
        ),
        (
            AuditFilter {
                from: NaiveDate::from_ymd_opt(2030, 1, 12),
                ..AuditFilter::default()
            },
            "at >= '2030-01-11 11:00Z'".into(),
        ),
        (
            AuditFilter {
                person: Some(x.into()),
                action: Some("read".into()),
                table: Some("medical_records".into()),
                patient_id: Some(p1),
                to: NaiveDate::from_ymd_opt(2030, 1, 10),
                ..AuditFilter::default()
            },
            format!(
                "actor_login = 'xena' AND action = 'read' AND table_name = 'medical_records'
                 AND patient_id = {p1} AND at < '2030-01-10 11:00Z'"
            ),
        ),
    ];
    for (filter, sql) in &cases {
        let expected = ids(
            &su,
            &format!("SELECT id FROM clinic.audit_log WHERE {sql} ORDER BY at DESC, id DESC"),
        )
        .await;
        assert!(!expected.is_empty(), "{sql}");
        let got: Vec<i64> = walk(&admin, filter, 2)
            .await
            .iter()
            .flat_map(page_ids)
            .collect();
        assert_eq!(got, expected, "{filter:?}");
        let n = i64::try_from(expected.len()).expect("small");
        assert_eq!(
            audit_trail::count(&admin, filter).await.expect("count"),
            EntryCount::Exact(n)
        );
    }
    // The page names the patient and the person's staff name where there is one.
    let p = audit_trail::audit_page(&admin, &cases[1].0, None, None, 10)
        .await
        .expect("page");
    assert!(p
        .entries
        .iter()
        .all(|e| e.patient_name.as_deref() == Some("Filtered, Test")));
    assert!(p
        .entries
        .iter()
        .all(|e| e.patient_number.is_some() && e.actor_name.is_none()));

    let pickers = audit_trail::pickers(&admin).await.expect("pickers");
    for action in ["read", "update", "insert", "add_staff", "rechain"] {
        assert!(pickers.actions.contains(&action.to_string()), "{pickers:?}");
    }
    assert!(pickers.tables.contains(&"appointments".to_string()));
    assert!(
        pickers.actions.windows(2).all(|w| w[0] < w[1]),
        "sorted, distinct"
    );
    assert!(!pickers.tables.iter().any(String::is_empty));

    // An index serves each filter, with no sort, when the planner is told to avoid scans and
    // sorts it could do without (the test table is too small for it to choose them by cost).
    admin
        .batch_execute(
            "SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off",
        )
        .await
        .expect("planner settings");
    let cursor = Some(Cursor {
        at: Utc::now(),
        id: i64::MAX,
    });
    for (filter, _) in &cases {
        let plan = audit_trail::explain_page(&admin, filter, cursor, 50)
            .await
            .expect("plan");
        // The page's LIMIT reads an index range scan of the log directly: no sort under it.
        let lines: Vec<&str> = plan.lines().collect();
        let limit = lines
            .iter()
            .position(|l| l.contains("Limit"))
            .expect("a limit");
        let under = lines.get(limit + 1).copied().unwrap_or_default();
        assert!(
            under.contains("Index Scan") && under.contains("on audit_log"),
            "{filter:?}\n{plan}"
        );
    }
}
