//! The Admin screen's effects against a real database, as real logins (`clinic::effects::admin`):
//! a staff step and its words, the audit export written whole, private and never over another
//! file, and itself in the trail; the same requests from a receptionist refused.

mod support;

use std::os::unix::fs::PermissionsExt;

use clinic::app::admin::{PageAt, Reply, Request, StaffStep, TrailFilter};
use clinic::app::progress::Progress;
use clinic::app::{RequestId, Secret};
use clinic::domain::staff::Job;
use clinic::effects::Run;
use support::TestDb;

fn pool(db: &TestDb, login: &support::Login) -> deadpool_postgres::Pool {
    clinic::db::connect_as(&db.server_config(), &login.user, &login.password).expect("a pool")
}

#[tokio::test]
async fn an_admin_s_steps_and_export_and_a_receptionist_refused() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let (admin, desk) = (pool(&db, &ada), pool(&db, &rita));
    let user = format!("{}_nina", db.name);
    let step = StaffStep::Add {
        login: user.clone(),
        full_name: "Nina Nurse".into(),
        job: Job::Receptionist,
        password: Secret::new("correct horse 1"),
    };
    let reply = Request::Step {
        request: RequestId(1),
        step: step.clone(),
        name: "Nina Nurse".into(),
    }
    .run(admin.clone())
    .await;
    match reply {
        Reply::Step {
            result: Ok(words), ..
        } => {
            assert!(words.contains(&format!("can sign in as {user}")), "{words}")
        }
        other => panic!("{other:?}"),
    }
    let refused = Request::Step {
        request: RequestId(2),
        step,
        name: "Nina Nurse".into(),
    }
    .run(desk.clone())
    .await;
    assert!(
        matches!(&refused, Reply::Step { result: Err(e), .. } if e.contains("not allowed")),
        "{refused:?}"
    );

    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("exports").join("audit.csv");
    let export = |pool: deadpool_postgres::Pool, request: u64| {
        let path = path.clone();
        async move {
            Request::ExportAudit {
                request: RequestId(request),
                filter: Box::new(TrailFilter::default()),
                path,
                progress: Progress::default(),
            }
            .run(pool)
            .await
        }
    };
    let written = match export(admin.clone(), 3).await {
        Reply::AuditExported { result: Ok(n), .. } => n,
        other => panic!("{other:?}"),
    };
    assert!(written >= 1);
    let mode = std::fs::metadata(&path)
        .expect("the file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "names patients: the owner's only");
    let text = std::fs::read_to_string(&path).expect("csv");
    assert!(text.contains("add_staff"), "{text}");
    assert!(!path.with_extension("csv.partial").exists());
    // Never over an earlier export; a receptionist's export leaves no file at all.
    let again = export(admin.clone(), 4).await;
    assert!(
        matches!(&again, Reply::AuditExported { result: Err(e), .. } if e.contains("exists already")),
        "{again:?}"
    );
    std::fs::remove_file(&path).expect("removed");
    let theirs = export(desk.clone(), 5).await;
    assert!(
        matches!(theirs, Reply::AuditExported { result: Err(_), .. }),
        "{theirs:?}"
    );
    assert!(!path.exists() && !path.with_extension("csv.partial").exists());

    // The admin's export is in the trail, read through the screen's own request.
    let page = Request::AuditPage {
        request: RequestId(6),
        filter: Box::new(TrailFilter {
            filter: clinic::domain::audit_trail::AuditFilter {
                action: Some("export_audit".into()),
                ..Default::default()
            },
            patient_number: None,
        }),
        at: PageAt::Newest,
        limit: 10,
        count: true,
    }
    .run(admin)
    .await;
    match page {
        Reply::AuditPage {
            result: Ok((page, count)),
            ..
        } => {
            assert_eq!(page.entries.len(), 1, "one export, by ada");
            assert_eq!(page.entries[0].actor_login, ada.user);
            assert_eq!(
                count,
                Some(clinic::domain::audit_trail::EntryCount::Exact(1))
            );
        }
        other => panic!("{other:?}"),
    }
}
