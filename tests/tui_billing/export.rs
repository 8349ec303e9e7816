//! Taking the books out from the screen: `e` exports a period (last month prefilled; bad dates
//! refused at their field; an earlier export in the folder replaced only when asked again; the
//! count shown while it runs), `s` shows a patient's statement once kept as a file.

use clinic::app::billing::{ExportRefused, Exported, Popup, Reply, Request, EXPORT_DIR, EXPORT_TO};
use clinic::app::progress::Progress;
use clinic::app::App;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn export_form(app: &App) -> &clinic::app::widgets::form::Form<clinic::app::billing::ExportAsk> {
    match &screen(app).popup {
        Some(Popup::Export(form)) => form,
        other => panic!("expected the export form, got {other:?}"),
    }
}

/// The request Ctrl-S sends, with its progress handle.
fn sent(app: &mut App) -> (clinic::app::RequestId, bool, Progress, std::path::PathBuf) {
    match one(&ctrl(app, 's')) {
        Request::Export {
            request,
            from,
            to,
            dir,
            replace,
            progress,
        } => {
            assert_eq!((from, to), (date(11, 1), date(11, 30)), "last month");
            (request, replace, progress, dir)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_month_is_exported_once_asked_and_counted_as_it_goes() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Char('e'));
    let form = export_form(&app);
    assert_eq!(form.value(0), "2026-11-01");
    assert_eq!(form.value(EXPORT_TO), "2026-11-30");
    assert!(form.value(EXPORT_DIR).ends_with("clinic-exports/2026-11"));
    assert_screen!("export_form", render(&app));

    // A bad end date is refused at its field, and nothing is sent.
    press(&mut app, KeyCode::Tab);
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "99");
    assert!(requests(&ctrl(&mut app, 's')).is_empty());
    let form = export_form(&app);
    assert_eq!(form.focus, EXPORT_TO);
    assert_eq!(
        form.fields[EXPORT_TO].error.as_deref(),
        Some("November 2026 has 30 days.")
    );
    assert_eq!(form.value(EXPORT_TO), "2026-11-99", "what was typed stays");
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "30");

    // The folder holds an export already: said at the folder, and the next try replaces it.
    let (request, replace, _, _) = sent(&mut app);
    assert!(!replace);
    reply(
        &mut app,
        Reply::Exported {
            request,
            result: Err(ExportRefused::Exists),
        },
    );
    let form = export_form(&app);
    assert_eq!(form.focus, EXPORT_DIR);
    assert!(form.fields[EXPORT_DIR]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("replaces")));
    let (request, replace, progress, dir) = sent(&mut app);
    assert!(replace, "asked twice: replace");

    // While it runs: the count, redrawn at the spinner's frames; Esc leaves it running.
    progress.set("invoice_lines.csv", 1200, 4000);
    let deadline = shell(&app).states.billing.export.pending.next_frame(t0());
    assert!(
        deadline.is_some(),
        "the screen asks for the clock while it runs"
    );
    tick(&mut app, t0() + chrono::TimeDelta::seconds(1));
    assert!(
        render(&app).contains("invoice_lines.csv: 1200 of 4000"),
        "{}",
        render(&app)
    );
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).popup.is_none());
    assert!(
        render(&app).contains("The export goes on"),
        "{}",
        render(&app)
    );
    reply(
        &mut app,
        Reply::Exported {
            request,
            result: Ok(Exported {
                invoices: 40,
                lines: 61,
                payments: 33,
            }),
        },
    );
    let drawn = render(&app);
    assert!(
        drawn.contains("40 invoices, 61 lines, 33 payments"),
        "{drawn}"
    );
    assert!(!dir.as_os_str().is_empty());
}

#[test]
fn the_desk_exports_nothing() {
    let mut app = books(Job::Receptionist);
    assert!(requests(&press(&mut app, KeyCode::Char('e'))).is_empty());
    assert!(screen(&app).popup.is_none());
}

#[test]
fn a_statement_is_shown_once_kept() {
    let mut app = books(Job::Accountant);
    let selected = screen(&app)
        .invoices
        .selected_item()
        .cloned()
        .expect("a row");
    let request = match one(&press(&mut app, KeyCode::Char('s'))) {
        Request::Statement {
            request,
            patient_number,
            today,
            path,
            ..
        } => {
            assert_eq!(patient_number, selected.patient_number);
            assert_eq!(today, date(12, 1));
            assert!(path.ends_with(format!(
                "statement-{}-2026-12-01.txt",
                selected.patient_number
            )));
            request
        }
        other => panic!("{other:?}"),
    };
    let text = (1..=40)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    reply(
        &mut app,
        Reply::Statement {
            request,
            result: Ok(("/tmp/statement-1.txt".into(), text)),
        },
    );
    let drawn = render(&app);
    assert!(drawn.contains("Kept as /tmp/statement-1.txt"), "{drawn}");
    assert!(
        drawn.contains("line 1\n") || drawn.contains("line 1 "),
        "{drawn}"
    );
    press(&mut app, KeyCode::PageDown);
    let drawn = render(&app);
    assert!(!drawn.contains("line 1 "), "scrolled: {drawn}");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app).popup.is_none(), "Enter closes it");
}
