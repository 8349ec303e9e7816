//! Each report's chart as its job sees it at 80x24 with the fixed clock: the figures are what the
//! database answers on the fixed data sets (tests/reports/fixtures.rs) to the job's own login,
//! handed to the screen as the effect runner would, then drawn without colour, as a map of the
//! colours, and under ASCII (TERM=vt100). The keys are the user's: the screen's F-key, Tab to the
//! report, `p` and the period typed in.

use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::reports::{Reply, Request};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::db::reports::figures;
use clinic::domain::report::{Period, ReportKind};
use clinic::domain::staff::Job;
use clinic::ui::Theme;
use crossterm::event::{KeyCode, KeyModifiers};
use tokio_postgres::Client;

use super::fixtures::{desk_week, doctors_work, fixed_books};
use super::screen::type_text;
use super::screen::{buffer_text, colours, ctrl, draw, press, press_with, shell, signed_in};
use super::support::TestDb;

fn period(from: &str, to: &str) -> Period {
    Period::custom(from.parse().expect("a date"), to.parse().expect("a date")).expect("a period")
}

/// The one load `effects` ask for.
fn load(effects: &[Effect]) -> Option<(RequestId, ReportKind, Period)> {
    effects.iter().find_map(|e| match e {
        Effect::Screen(ScreenRequest::Reports(Request::Load {
            request,
            kind,
            period,
        })) => Some((*request, *kind, *period)),
        _ => None,
    })
}

/// `job` signed in, on the Reports screen through its Alt-digit, on `kind` over `period` typed
/// at the period form: the request the screen made for it.
fn asked(job: Job, kind: ReportKind, period: Period) -> (App, RequestId) {
    let (mut app, _, _) = signed_in(job);
    let opened = (1..=9).find_map(|n| {
        let effects = press_with(
            &mut app,
            KeyCode::Char(char::from_digit(n, 10).expect("a digit")),
            KeyModifiers::ALT,
        );
        (shell(&app).current == ScreenId::Reports).then(|| load(&effects))
    });
    let mut last = opened
        .flatten()
        .expect("the Reports screen asks for its first report");
    while last.1 != kind {
        last = load(&press(&mut app, KeyCode::Tab)).expect("Tab asks for the next report");
        assert!(
            ReportKind::for_job(job).contains(&last.1),
            "{:?} is not {job:?}'s",
            last.1
        );
    }
    press(&mut app, KeyCode::Char('p'));
    ctrl(&mut app, 'u');
    type_text(&mut app, &period.from.to_string());
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, &period.to.to_string());
    let (request, k, p) = load(&ctrl(&mut app, 's')).expect("Ctrl-S asks for the period");
    assert_eq!((k, p), (kind, period));
    (app, request)
}

/// The chart of `kind` as `login` reads it, drawn three ways.
async fn drawn(login: &Client, job: Job, kind: ReportKind, period: Period) -> [String; 3] {
    let (mut app, request) = asked(job, kind, period);
    let result = figures(login, kind, period)
        .await
        .map_err(|e| format!("{e:#}"));
    assert!(result.is_ok(), "{kind:?}: {result:?}");
    app.update(Action::Screen(ScreenReply::Reports(Reply::Loaded {
        request,
        result,
    })));
    let plain = draw(&app, Theme::plain());
    let coloured = draw(&app, Theme::colored());
    assert_eq!(
        buffer_text(&coloured),
        buffer_text(&plain),
        "{kind:?}: colour adds no text"
    );
    assert!(
        plain
            .content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset),
        "{kind:?}: without colour no cell has one"
    );
    let ascii = buffer_text(&draw(&app, Theme::plain().ascii_only()));
    assert!(ascii.is_ascii(), "{kind:?} under vt100:\n{ascii}");
    [buffer_text(&plain), colours(&coloured), ascii]
}

macro_rules! assert_charts {
    ($name:literal, $three:expr) => {
        let [plain, colours, ascii] = $three;
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!("reports__", $name), plain);
            insta::assert_snapshot!(concat!("reports__", $name, "_colours"), colours);
            insta::assert_snapshot!(concat!("reports__", $name, "_vt100"), ascii);
        });
    };
}

#[tokio::test]
async fn the_desk_s_charts_on_the_fixed_week() {
    let db = TestDb::new().await;
    desk_week(&db).await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let week = period("2025-03-03", "2025-03-09");
    let desk = Job::Receptionist;
    assert_charts!(
        "appointments",
        drawn(&rita, desk, ReportKind::Appointments, week).await
    );
    assert_charts!(
        "attendance",
        drawn(&rita, desk, ReportKind::Attendance, week).await
    );
    assert_charts!(
        "waiting",
        drawn(&rita, desk, ReportKind::Waiting, week).await
    );
    assert_charts!(
        "utilisation",
        drawn(&rita, desk, ReportKind::Utilisation, week).await
    );
    // New patients by month: February's seven and March's three (hidden: fewer than five).
    assert_charts!(
        "new_patients",
        drawn(
            &rita,
            desk,
            ReportKind::NewPatients,
            period("2025-01-01", "2025-03-31")
        )
        .await
    );
}

#[tokio::test]
async fn the_accounts_office_s_charts_on_the_fixed_books() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    fixed_books(&su).await;
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let books = Job::Accountant;
    let quarter = period("2025-01-01", "2025-03-31");
    assert_charts!(
        "revenue",
        drawn(&adam, books, ReportKind::Revenue, quarter).await
    );
    assert_charts!(
        "receivables",
        drawn(&adam, books, ReportKind::Receivables, quarter).await
    );
    // The open line's wait is counted to today, the one figure of these not fixed by the data:
    // it is written over with its width kept.
    let waited: i32 = su
        .query_one("SELECT clinic.clinic_date(now()) - DATE '2025-03-01'", &[])
        .await
        .expect("today")
        .get(0);
    let [plain, colours, ascii] = drawn(&adam, books, ReportKind::Reconciliation, quarter).await;
    let fixed = |text: String| {
        let days = waited.to_string();
        let lines: Vec<String> = text
            .lines()
            .map(|l| match l.strip_suffix(days.as_str()) {
                Some(head) if l.contains(" 1 ") => format!("{head}{}", "d".repeat(days.len())),
                _ => l.to_string(),
            })
            .collect();
        assert!(
            lines.iter().filter(|l| l.ends_with('d')).count() >= 2,
            "the wait is on the statement's line and the total's:\n{text}"
        );
        lines.join("\n")
    };
    assert_charts!("reconciliation", [fixed(plain), colours, fixed(ascii)]);
}

#[tokio::test]
async fn a_doctor_s_charts_on_the_fixed_records() {
    let db = TestDb::new().await;
    let alice = db.connect(&doctors_work(&db).await).await;
    let week = period("2025-03-03", "2025-03-09");
    let doctor = Job::Doctor;
    assert_charts!(
        "my_days",
        drawn(&alice, doctor, ReportKind::MyDays, week).await
    );
    assert_charts!(
        "diagnoses",
        drawn(&alice, doctor, ReportKind::Diagnoses, week).await
    );
    assert_charts!(
        "prescriptions",
        drawn(&alice, doctor, ReportKind::Prescriptions, week).await
    );
}
