//! The permission matrix and the audit trail on screen: the matrix narrowed by typed words and by
//! kind; the trail a keyset page at a time (the cursor of the last row asks for the next page),
//! narrowed in a form checked at its fields, the chain check's progress drawn as it counts and its
//! result in words, the export written where the config says.

use chrono::{TimeZone, Utc};
use clinic::app::admin::{PageAt, Reply, Request, Tab};
use clinic::app::Action;
use clinic::domain::audit_trail::{AuditEntry, EntryCount, Page};
use clinic::domain::permissions::{ObjectKind, PermissionRow};
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn grant(role: &str, object: &str, op: &str, allowed: bool) -> PermissionRow {
    PermissionRow {
        role: format!("clinic_{role}"),
        kind: ObjectKind::Table,
        object: object.into(),
        operation: op.into(),
        columns: None,
        policies: Vec::new(),
        row_security: true,
        security_definer: false,
        allowed,
    }
}

fn matrix() -> Vec<PermissionRow> {
    let mut desk_insert = grant("receptionist", "patients", "INSERT", true);
    desk_insert.columns = Some(vec![
        "family_name".into(),
        "given_names".into(),
        "phone".into(),
    ]);
    desk_insert.policies = vec!["patients_reception_insert".into()];
    let mut open_chart = grant("doctor", "clinic.open_chart(bigint)", "EXECUTE", true);
    open_chart.kind = ObjectKind::Function;
    open_chart.security_definer = true;
    open_chart.row_security = false;
    let mut chart = grant("doctor", "medical_records", "SELECT", true);
    chart.policies = vec!["records_care_relationship".into()];
    vec![
        grant("accountant", "medical_records", "SELECT", false),
        chart,
        open_chart,
        desk_insert,
        grant("receptionist", "medical_records", "SELECT", false),
    ]
}

#[test]
fn the_matrix_narrows_as_words_are_typed_and_by_kind() {
    let mut app = admin_home(Vec::new());
    let Request::Permissions { request } = one(&press(&mut app, KeyCode::Tab)) else {
        panic!("the matrix is read from the catalog");
    };
    assert_eq!(screen(&app).tab, Tab::Permissions);
    reply(
        &mut app,
        Reply::Permissions {
            request,
            result: Ok(matrix()),
        },
    );
    assert_eq!(screen(&app).matrix.part.rows.len(), 5);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "doctor");
    assert_eq!(screen(&app).matrix.part.rows.len(), 2);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('f'));
    let shown: Vec<&str> = screen(&app)
        .matrix
        .part
        .rows
        .iter()
        .map(|r| r.object.as_str())
        .collect();
    assert_eq!(shown, vec!["medical_records"], "tables and views only");
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(
        screen(&app)
            .matrix
            .part
            .rows
            .selected_item()
            .map(|r| r.kind),
        Some(ObjectKind::Function)
    );
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('/'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "receptionist yes");
    press(&mut app, KeyCode::Esc);
    let drawn = render(&app);
    assert!(
        drawn.contains("policies patients_reception_insert"),
        "{drawn}"
    );
    assert!(drawn.contains("family_name, given_names, phone"), "{drawn}");
    assert_screen!("admin_permissions", drawn);
}

fn entry(id: i64, minute: u32, action: &str) -> AuditEntry {
    AuditEntry {
        id,
        at: Utc
            .with_ymd_and_hms(2026, 12, 1, 14, minute, 0)
            .single()
            .expect("instant"),
        actor_login: "rita".into(),
        actor_name: Some("Rita Moreno".into()),
        action: action.into(),
        table_name: Some("patients".into()),
        row_id: Some(40 + id),
        patient_id: Some(40 + id),
        patient_number: Some(10_040 + id),
        patient_name: Some("Doe, John".into()),
        summary: "columns phone".into(),
        needs_review: action == "break_glass",
    }
}

fn page(ids: std::ops::RangeInclusive<i64>, has_newer: bool, has_older: bool) -> Page {
    Page {
        entries: ids
            .rev()
            .map(|id| entry(id, u32::try_from(id % 60).expect("minute"), "update"))
            .collect(),
        has_newer,
        has_older,
    }
}

fn on_trail() -> clinic::app::App {
    let mut app = admin_home(Vec::new());
    press(&mut app, KeyCode::Tab);
    let asked = requests(&press(&mut app, KeyCode::Tab));
    assert_eq!(screen(&app).tab, Tab::Audit);
    for r in asked {
        match r {
            Request::AuditPage {
                request,
                at,
                count,
                limit,
                ..
            } => {
                assert_eq!((at, count), (PageAt::Newest, true));
                assert_eq!(limit, 14, "a screenful at 80x24");
                reply(
                    &mut app,
                    Reply::AuditPage {
                        request,
                        result: Ok((
                            page(41..=54, false, true),
                            Some(EntryCount::About(3_400_000)),
                        )),
                    },
                );
            }
            Request::AuditPickers { request } => {
                reply(
                    &mut app,
                    Reply::AuditPickers {
                        request,
                        result: Ok(clinic::db::audit_trail::Pickers {
                            actions: vec!["break_glass".into(), "read".into(), "update".into()],
                            tables: vec!["patients".into()],
                        }),
                    },
                );
            }
            other => panic!("{other:?}"),
        }
    }
    app
}

#[test]
fn the_trail_pages_by_its_last_row_and_counts_without_counting_millions() {
    let mut app = on_trail();
    let drawn = render(&app);
    assert!(
        drawn.contains("about 3,400,000 entries · page 1"),
        "{drawn}"
    );
    assert_screen!("admin_audit", drawn);
    let last = screen(&app)
        .trail
        .part
        .rows
        .items()
        .last()
        .expect("a row")
        .cursor();
    let request = match one(&press(&mut app, KeyCode::PageDown)) {
        Request::AuditPage {
            request, at, count, ..
        } => {
            assert_eq!(at, PageAt::OlderThan(last));
            assert!(!count, "the count is the filter's, read once");
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::AuditPage {
            request,
            result: Ok((page(27..=40, true, true), None)),
        },
    );
    assert!(render(&app).contains("about 3,400,000 entries · page 2"));
    let first = screen(&app).trail.part.rows.items()[0].cursor();
    match one(&press(&mut app, KeyCode::PageUp)) {
        Request::AuditPage { at, .. } => assert_eq!(at, PageAt::NewerThan(first)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_filter_is_checked_at_its_fields_and_the_chain_check_shows_its_progress() {
    let mut app = on_trail();
    press(&mut app, KeyCode::Char('f'));
    type_text(&mut app, "rita");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "#10041");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-11-31");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-11-01");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    assert!(render(&app).contains("November 2026 has 30 days."));
    // The focus is on the refused day.
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-30");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    assert!(render(&app).contains("The last day comes on or after the first."));
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-12-01");
    match one(&ctrl(&mut app, 's')) {
        Request::AuditPage { filter, at, .. } => {
            assert_eq!(at, PageAt::Newest);
            assert_eq!(filter.patient_number, Some(10_041));
            assert_eq!(filter.filter.person.as_deref(), Some("rita"));
            assert_eq!(filter.filter.action.as_deref(), Some("break_glass"));
            assert_eq!(filter.filter.table, None, "any");
            assert_eq!(
                (filter.filter.from, filter.filter.to),
                (
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
                    chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                )
            );
        }
        other => panic!("{other:?}"),
    }

    let (request, progress) = match one(&press(&mut app, KeyCode::Char('v'))) {
        Request::VerifyChain {
            request, progress, ..
        } => (request, progress),
        other => panic!("{other:?}"),
    };
    progress.set("entries checked", 1_200_000, 3_400_000);
    app.update(Action::Tick(t0() + chrono::TimeDelta::milliseconds(200)));
    assert!(
        render(&app).contains("1,200,000 of 3,400,000 entries checked"),
        "{}",
        render(&app)
    );
    assert_eq!(requests(&press(&mut app, KeyCode::Char('v'))), Vec::new());
    reply(
        &mut app,
        Reply::Verified {
            request,
            result: Ok("The audit trail is whole: 3,400,000 entries.".into()),
        },
    );
    assert!(render(&app).contains("The audit trail is whole: 3,400,000 entries."));

    match one(&press(&mut app, KeyCode::Char('e'))) {
        Request::ExportAudit { path, filter, .. } => {
            assert!(
                path.starts_with(clinic::config::Config::default().export_dir()),
                "{path:?}"
            );
            assert!(path.to_string_lossy().ends_with(".csv"));
            assert_eq!(
                filter.patient_number,
                Some(10_041),
                "what is shown is exported"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_patient_chosen_in_the_lookup_opens_their_audit_trail() {
    let mut app = admin_home(Vec::new());
    let effects = app.follow(clinic::app::screen::Intent::PatientAudit {
        patient_number: 10_041,
        patient_name: "Doe, John".into(),
    });
    assert_eq!(screen(&app).tab, Tab::Audit);
    let asked = requests(&effects);
    assert!(
        asked.iter().any(|r| matches!(
            r,
            Request::AuditPage { filter, at: PageAt::Newest, count: true, .. }
                if filter.patient_number == Some(10_041) && filter.filter.person.is_none()
        )),
        "{asked:?}"
    );
    assert!(render(&app).contains("patient #10041"));
}

#[test]
fn a_superseded_page_changes_nothing() {
    let mut app = on_trail();
    let first = match one(&press(&mut app, KeyCode::PageDown)) {
        Request::AuditPage { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let second = match one(&press(&mut app, KeyCode::PageDown)) {
        Request::AuditPage { request, .. } => request,
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::AuditPage {
            request: first,
            result: Ok((page(1..=14, true, false), None)),
        },
    );
    let view = &screen(&app).trail;
    assert_eq!(
        (view.page_no, view.has_newer, view.has_older),
        (1, false, true)
    );
    reply(
        &mut app,
        Reply::AuditPage {
            request: second,
            result: Ok((page(27..=40, true, true), None)),
        },
    );
    let view = &screen(&app).trail;
    assert_eq!((view.page_no, view.has_newer), (2, true));
    assert_eq!(view.part.rows.items()[0].id, 40);
}
