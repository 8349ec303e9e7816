//! The Reports screen driven by keys, with figures built by hand (what the database would
//! answer): the period keys and what they ask for, typed dates checked at their fields, stale
//! answers dropped, the CSV export of what is shown; and the charts drawn at 80x24 with the fixed
//! clock, in colour (a map of the colours), without colour and under ASCII (a vt100).

use chrono::NaiveDate;
use clinic::app::registry::{ScreenReply, ScreenRequest};
use clinic::app::reports::{Reply, ReportsScreen, Request};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::report::{Bar, Cell, FigureRow, Figures, Period, ReportKind, Span};
use clinic::domain::staff::Job;
use clinic::ui::Theme;
use crossterm::event::KeyCode;
use ratatui::style::Color;

use super::support::*;

macro_rules! assert_drawn {
    ($name:literal, $drawn:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!("tui__reports__", $name), $drawn);
        });
    };
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a date")
}

fn screen(app: &App) -> &ReportsScreen {
    &shell(app).states.reports
}

fn requests(effects: &[Effect]) -> Vec<Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Reports(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// The one load `effects` ask for: its id, report and period.
fn load(effects: &[Effect]) -> (RequestId, ReportKind, Period) {
    match requests(effects).as_slice() {
        [Request::Load {
            request,
            kind,
            period,
        }] => (*request, *kind, *period),
        other => panic!("expected one load, got {other:?}"),
    }
}

fn answer(app: &mut App, request: RequestId, figures: Figures) -> Vec<Effect> {
    app.update(Action::Screen(ScreenReply::Reports(Reply::Loaded {
        request,
        result: Ok(figures),
    })))
}

fn figures(kind: ReportKind, period: Period) -> Figures {
    Figures {
        kind,
        period,
        label_columns: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        chart_title: String::new(),
        bars: Vec::new(),
        bar_unit: "day",
    }
}

/// A month of appointments: weekdays busy, weekends closed, one hidden count.
fn appointments(period: Period) -> Figures {
    let mut f = figures(ReportKind::Appointments, period);
    f.label_columns = vec!["day", "doctor"];
    f.columns = vec!["done", "no-show", "total"];
    f.chart_title = "appointments per day".into();
    for day in period.from.iter_days().take_while(|x| *x <= period.to) {
        let n = match chrono::Datelike::weekday(&day).number_from_monday() {
            6 | 7 => 0,
            w => 20 + i64::from(w) * 4,
        };
        f.bars.push(Bar {
            label: day.format("%d").to_string(),
            value: Cell::Count(n),
        });
    }
    for (day, doctor, cells) in [
        ("2026-12-01 Tue", "all doctors", [40, 2, 42]),
        ("2026-12-01 Tue", "Alice Smith", [22, 2, 24]),
        ("2026-12-01 Tue", "Nkechi Okafor", [18, 0, 18]),
        ("2026-12-02 Wed", "all doctors", [44, 0, 44]),
    ] {
        f.rows.push(FigureRow {
            label: vec![day.into(), doctor.into()],
            cells: cells
                .iter()
                .map(|&n| if n == 2 { Cell::Small } else { Cell::Count(n) })
                .collect(),
            total: doctor == "all doctors",
        });
    }
    f
}

/// Utilisation per doctor: a bar each, against 100 %.
fn utilisation(period: Period) -> Figures {
    let mut f = figures(ReportKind::Utilisation, period);
    f.bar_unit = "doctor";
    f.label_columns = vec!["week", "doctor"];
    f.columns = vec!["booked h", "working h", "utilisation"];
    f.chart_title = "utilisation per doctor, %".into();
    for (name, booked, working, permille) in [
        ("Alice Smith", 30, 40, 750),
        ("Greg House", 10, 40, 250),
        ("Nkechi Okafor", 38, 40, 950),
    ] {
        f.bars.push(Bar {
            label: name.rsplit(' ').next().unwrap_or(name).into(),
            value: Cell::Permille(permille),
        });
        f.rows.push(FigureRow {
            label: vec!["period".into(), name.into()],
            cells: vec![
                Cell::Count(booked),
                Cell::Count(working),
                Cell::Permille(permille),
            ],
            total: true,
        });
    }
    f
}

/// The desk signed in and on the Reports screen (F6), this month's appointments asked for.
fn on_reports() -> (App, RequestId, Period) {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    let (request, kind, period) = load(&press(&mut app, KeyCode::F(6)));
    assert_eq!(kind, ReportKind::Appointments);
    (app, request, period)
}

#[test]
fn reports_open_on_this_month_and_keep_the_period_from_report_to_report() {
    let (mut app, _, period) = on_reports();
    // t0 is 1 December 2026 at the clinic (New York).
    assert_eq!(
        (period.span, period.from, period.to),
        (Span::Month, d(2026, 12, 1), d(2026, 12, 31))
    );

    let (_, kind, same) = load(&press(&mut app, KeyCode::Tab));
    assert_eq!((kind, same), (ReportKind::Attendance, period));
    let (_, kind, _) = load(&press(&mut app, KeyCode::BackTab));
    assert_eq!(kind, ReportKind::Appointments);
    let (_, kind, _) = load(&press(&mut app, KeyCode::BackTab));
    assert_eq!(kind, ReportKind::NewPatients, "Shift-Tab goes round");

    let step = |app: &mut App, code: KeyCode| {
        let (_, _, p) = load(&press(app, code));
        (p.span, p.from, p.to)
    };
    assert_eq!(
        step(&mut app, KeyCode::Left),
        (Span::Month, d(2026, 11, 1), d(2026, 11, 30))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char(']')),
        (Span::Month, d(2026, 12, 1), d(2026, 12, 31))
    );
    // A week: the one holding the month's first day (Tuesday 1 December: from Monday).
    assert_eq!(
        step(&mut app, KeyCode::Char('w')),
        (Span::Week, d(2026, 11, 30), d(2026, 12, 6))
    );
    // Wider from that week: its Monday's month, then quarter, then year.
    assert_eq!(
        step(&mut app, KeyCode::Char('+')),
        (Span::Month, d(2026, 11, 1), d(2026, 11, 30))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('+')),
        (Span::Quarter, d(2026, 10, 1), d(2026, 12, 31))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('+')),
        (Span::Year, d(2026, 1, 1), d(2026, 12, 31))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('-')),
        (Span::Quarter, d(2026, 1, 1), d(2026, 3, 31))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('[')),
        (Span::Quarter, d(2025, 10, 1), d(2025, 12, 31))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('d')),
        (Span::Day, d(2025, 10, 1), d(2025, 10, 1))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('t')),
        (Span::Day, d(2026, 12, 1), d(2026, 12, 1))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('y')),
        (Span::Year, d(2026, 1, 1), d(2026, 12, 31))
    );
    assert_eq!(
        step(&mut app, KeyCode::Char('m')),
        (Span::Month, d(2026, 1, 1), d(2026, 1, 31))
    );
}

#[test]
fn only_the_answer_to_the_last_question_is_shown_and_old_figures_go_at_once() {
    let (mut app, first, december) = on_reports();
    answer(&mut app, first, appointments(december));
    assert!(screen(&app).figures.is_some());

    let (november, _, _) = load(&press(&mut app, KeyCode::Left));
    // December's figures are not left under November's name while it is counted.
    assert_eq!(screen(&app).figures, None);
    assert!(
        render(&app).contains("Counting appointments for November 2026"),
        "{}",
        render(&app)
    );
    let (october, _, october_period) = load(&press(&mut app, KeyCode::Left));
    answer(
        &mut app,
        november,
        appointments(Period::holding(Span::Month, d(2026, 11, 1))),
    );
    assert_eq!(
        screen(&app).figures,
        None,
        "November's answer came too late"
    );
    answer(&mut app, october, appointments(october_period));
    assert_eq!(
        screen(&app).figures.as_ref().map(|f| f.period),
        Some(october_period)
    );

    // A refusal is said on the screen, with the way to try again.
    let (again, _, _) = load(&press(&mut app, KeyCode::Char('r')));
    app.update(Action::Screen(ScreenReply::Reports(Reply::Loaded {
        request: again,
        result: Err("You are not allowed to read this report.".into()),
    })));
    let drawn = render(&app);
    assert!(
        drawn.contains("Could not count Appointments: You are not allowed"),
        "{drawn}"
    );
    assert!(drawn.contains("r counts again"), "{drawn}");
}

#[test]
fn typed_dates_are_checked_at_their_fields_and_esc_keeps_the_period() {
    let (mut app, _, december) = on_reports();
    assert_eq!(requests(&press(&mut app, KeyCode::Char('p'))), Vec::new());
    assert!(screen(&app).range.is_some());
    assert!(render(&app).contains("A period of your own"));
    // The form holds the period shown; the letters are typed, not taken as keys.
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-13-01");
    assert_eq!(
        requests(&press(&mut app, KeyCode::Enter)),
        Vec::new(),
        "Enter goes to To"
    );
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    let form = screen(&app).range.as_ref().expect("still open");
    assert!(form.fields[0].error.is_some(), "{:?}", form.fields[0]);
    assert_eq!(
        form.focus, 0,
        "the first field with a problem has the focus"
    );

    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-20");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-10");
    assert_eq!(requests(&press(&mut app, KeyCode::Enter)), Vec::new());
    let form = screen(&app).range.as_ref().expect("still open");
    assert_eq!(
        form.fields[1].error.as_deref(),
        Some("The period ends on or after its first day.")
    );
    let drawn = render(&app);
    assert!(
        drawn.contains("The period ends on or after its first day."),
        "{drawn}"
    );

    // Esc: the form goes, nothing is asked, the period is the one before.
    assert_eq!(requests(&press(&mut app, KeyCode::Esc)), Vec::new());
    assert!(screen(&app).range.is_none());
    assert_eq!(screen(&app).period, Some(december));

    press(&mut app, KeyCode::Char('p'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-10");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-20");
    let (_, _, typed) = load(&press(&mut app, KeyCode::Enter));
    assert_eq!(
        (typed.span, typed.from, typed.to),
        (Span::Custom, d(2026, 11, 10), d(2026, 11, 20))
    );
    assert!(screen(&app).range.is_none());
    // Stepping a range moves it by its length.
    let (_, _, next) = load(&press(&mut app, KeyCode::Right));
    assert_eq!((next.from, next.to), (d(2026, 11, 21), d(2026, 12, 1)));
}

#[test]
fn e_writes_the_figures_shown_and_says_where() {
    let (mut app, request, december) = on_reports();
    let effects = press(&mut app, KeyCode::Char('e'));
    assert_eq!(requests(&effects), Vec::new(), "nothing to export yet");
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("still being counted")));

    let f = appointments(december);
    answer(&mut app, request, f.clone());
    let asked = requests(&press(&mut app, KeyCode::Char('e')));
    let export = match asked.as_slice() {
        [Request::Export {
            request,
            dir,
            stem,
            csv,
        }] => {
            assert_eq!(stem, "report-appointments-2026-12-01-2026-12-31");
            assert_eq!(csv, &f.csv(), "the figures shown, as CSV");
            assert!(csv.contains("<5"), "hidden counts stay hidden in the file");
            assert!(dir.ends_with("clinic-exports"), "{}", dir.display());
            *request
        }
        other => panic!("expected one export, got {other:?}"),
    };
    // A second e while the first is written is refused in words.
    assert_eq!(requests(&press(&mut app, KeyCode::Char('e'))), Vec::new());
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("Still writing")));
    app.update(Action::Screen(ScreenReply::Reports(Reply::Exported {
        request: export,
        result: Ok("/srv/exports/report-appointments-2026-12-01-2026-12-31.csv".into()),
    })));
    assert_eq!(
        app.notice.as_deref(),
        Some("CSV written: /srv/exports/report-appointments-2026-12-01-2026-12-31.csv")
    );
}

#[test]
fn snapshot_reports_appointments_month_in_colour_plain_and_ascii() {
    let (mut app, request, december) = on_reports();
    answer(&mut app, request, appointments(december));
    let plain = draw(&app, Theme::plain());
    assert!(
        plain
            .content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "without colour no cell has one"
    );
    assert_drawn!("appointments_month", buffer_text(&plain));
    let coloured = draw(&app, Theme::colored());
    assert_eq!(
        buffer_text(&coloured),
        buffer_text(&plain),
        "colour adds no text"
    );
    assert_drawn!("appointments_month_colours", colours(&coloured));
    let ascii = buffer_text(&draw(&app, Theme::plain().ascii_only()));
    assert!(ascii.is_ascii(), "{ascii}");
    assert_drawn!("appointments_month_vt100", ascii);
}

#[test]
fn snapshot_reports_utilisation_per_doctor_against_a_full_bar() {
    let (mut app, _, _) = on_reports();
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    let (request, kind, week) = load(&press(&mut app, KeyCode::Char('w')));
    assert_eq!(kind, ReportKind::Utilisation);
    answer(&mut app, request, utilisation(week));
    let plain = buffer_text(&draw(&app, Theme::plain()));
    // 95 % is nearly the whole width, 25 % a quarter of it.
    let bar = |name: &str| {
        plain
            .lines()
            .find(|l| l.contains(name) && l.contains('%') && l.contains('█'))
            .map_or(0, |l| l.chars().filter(|c| *c == '█').count())
    };
    assert!(bar("Okafor") > 3 * bar("House"), "{plain}");
    assert_drawn!("utilisation_week", plain);
    assert_drawn!(
        "utilisation_week_vt100",
        buffer_text(&draw(&app, Theme::plain().ascii_only()))
    );
}

#[test]
fn snapshot_reports_a_year_of_days_as_a_sparkline() {
    let (mut app, _, _) = on_reports();
    let (request, _, year) = load(&press(&mut app, KeyCode::Char('y')));
    answer(&mut app, request, appointments(year));
    let drawn = render(&app);
    assert!(drawn.contains("each column the mean of 5 days"), "{drawn}");
    assert_drawn!("appointments_year", drawn);
}

#[test]
fn snapshot_reports_a_week_with_its_figures_on_the_bars() {
    let (mut app, _, _) = on_reports();
    let (request, _, week) = load(&press(&mut app, KeyCode::Char('w')));
    let mut f = appointments(week);
    // Wednesday's count is hidden: no bar, "<5" where it would stand.
    f.bars[2].value = Cell::Small;
    answer(&mut app, request, f);
    let drawn = render(&app);
    let in_chart = |text: &str| {
        drawn
            .lines()
            .any(|l| l.starts_with('│') && l.contains(text))
    };
    assert!(
        in_chart("<5") && in_chart("24") && in_chart(" 0 "),
        "{drawn}"
    );
    assert_drawn!("appointments_week", drawn);
}

#[test]
fn on_a_wide_terminal_the_figures_stand_beside_the_chart() {
    let (mut app, _, _) = on_reports();
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    let (request, _, week) = load(&press(&mut app, KeyCode::Char('w')));
    answer(&mut app, request, utilisation(week));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 30)).expect("a terminal");
    terminal
        .draw(|frame| clinic::ui::draw(frame, &app, Theme::plain()))
        .expect("drawing");
    let drawn = buffer_text(terminal.backend().buffer());
    // The chart's first bar and the table's first row share a line.
    let beside = drawn
        .lines()
        .any(|l| l.contains("Smith  75.0%█") && l.contains("Alice Smith"));
    assert!(beside, "{drawn}");
    assert!(
        drawn
            .lines()
            .any(|l| l.contains("│") && l.contains("Nkechi Okafor")),
        "{drawn}"
    );
}
