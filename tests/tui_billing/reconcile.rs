//! Reconciling on the screen: the open lines with their suggestions, accept, not ours, skip, a
//! line put on an invoice typed by its number, and an import refused whole with its line numbers.

use clinic::app::billing::{Popup, Reply, Request, Tab};
use clinic::app::App;
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use clinic::domain::statement::{BankLine, ImportSummary, Suggestion};
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn line(
    id: i64,
    amount: i64,
    reference: &str,
    payer: &str,
    s: Option<(i64, &str, i16)>,
) -> BankLine {
    BankLine {
        id,
        source: "nov.csv".into(),
        line_no: i32::try_from(id).unwrap_or(1),
        booked_on: date(11, 14),
        amount_minor: amount,
        currency: Currency::USD,
        reference: reference.into(),
        payer: payer.into(),
        suggestion: s.map(|(invoice_id, name, confidence)| Suggestion {
            invoice_id,
            number: Some(format!("2026-{invoice_id:06}")),
            patient_name: name.into(),
            owed_minor: amount,
            confidence,
            rule: "number".into(),
        }),
    }
}

fn lines() -> Vec<BankLine> {
    vec![
        line(
            1,
            8_000,
            "INV 2026-000119 GARCIA",
            "Luis Garcia",
            Some((119, "Garcia, Luis", 99)),
        ),
        line(2, 4_500, "", "L WILSON", Some((131, "Wilson, Kate", 72))),
        line(3, 30_000, "rent refund", "Landlord Ltd", None),
    ]
}

/// The accounts office on the Reconcile part with `lines()` to review.
fn reviewing(job: Job) -> App {
    let mut app = books(job);
    let request = match one(&press(&mut app, KeyCode::Tab)) {
        Request::BankLines { request, .. } => request,
        other => panic!("{other:?}"),
    };
    assert_eq!(screen(&app).tab, Tab::Reconcile);
    reply(
        &mut app,
        Reply::BankLines {
            request,
            result: Ok((lines(), 3)),
        },
    );
    app
}

#[test]
fn lines_are_accepted_skipped_and_marked_not_ours_from_the_keyboard() {
    let mut app = reviewing(Job::Accountant);
    assert_screen!("reconcile", render(&app));
    let request = match one(&press(&mut app, KeyCode::Char('a'))) {
        Request::Accept {
            request,
            line_id,
            parts,
        } => {
            assert_eq!((line_id, parts), (1, vec![(119, 8_000)]));
            request
        }
        other => panic!("{other:?}"),
    };
    // Pressed again while it is out: nothing more.
    assert_eq!(requests(&press(&mut app, KeyCode::Char('a'))), Vec::new());
    let effects = reply(
        &mut app,
        Reply::Accepted {
            request,
            result: Ok(vec![501]),
        },
    );
    assert!(matches!(one(&effects), Request::BankLines { .. }));
    assert_eq!(
        app.notice.as_deref(),
        Some("Recorded: USD 80.00 to 2026-000119.")
    );

    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        screen(&app).reconcile.lines.selected(),
        2,
        "space leaves it for later"
    );
    match one(&press(&mut app, KeyCode::Char('o'))) {
        Request::NotOurs { line_id, .. } => assert_eq!(line_id, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_line_goes_on_an_invoice_typed_by_its_number() {
    let mut app = reviewing(Job::Accountant);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('p'));
    assert!(matches!(screen(&app).popup, Some(Popup::Pick(_))));
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-000140");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::FindInvoice {
            request,
            number,
            currency,
        } => {
            assert_eq!((number.as_str(), currency), ("2026-000140", Currency::USD));
            request
        }
        other => panic!("{other:?}"),
    };
    // Typed on before the answer came: the answer is about another number and is not taken.
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "1");
    reply(
        &mut app,
        Reply::FoundInvoice {
            request,
            result: Ok(Some((140, "Wilson, Lena".into(), 4_500))),
        },
    );
    assert!(!render(&app).contains("Wilson, Lena"));
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "0");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::FindInvoice { request, .. } => request,
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::FoundInvoice {
            request,
            result: Ok(Some((140, "Wilson, Lena".into(), 4_500))),
        },
    );
    assert!(render(&app).contains("Wilson, Lena, owes USD 45.00"));
    match one(&press(&mut app, KeyCode::Enter)) {
        Request::Accept { line_id, parts, .. } => {
            assert_eq!((line_id, parts), (2, vec![(140, 4_500)]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_import_names_its_file_and_a_refusal_stays_in_the_popup() {
    let mut app = reviewing(Job::Accountant);
    press(&mut app, KeyCode::Char('i'));
    type_text(&mut app, "/tmp/nov.csv");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::Import {
            request,
            path,
            layout,
            ..
        } => {
            assert_eq!(path, std::path::PathBuf::from("/tmp/nov.csv"));
            assert_eq!(layout.delimiter, b',');
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::Imported {
            request,
            result: Err("Nothing imported: line 3: the date \"yesterday\" is not a date.".into()),
        },
    );
    assert!(render(&app).contains("line 3"), "{}", render(&app));
    assert!(matches!(screen(&app).popup, Some(Popup::Import { .. })));
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::Import {
            request, progress, ..
        } => {
            // What the import tells as it goes is shown at the spinner's frames.
            progress.set("lines checked; staging and matching them", 10_000, 0);
            tick(&mut app, t0() + chrono::TimeDelta::seconds(1));
            let drawn = render(&app);
            assert!(drawn.contains("10000 lines checked; staging"), "{drawn}");
            request
        }
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::Imported {
            request,
            result: Ok(ImportSummary {
                statement_id: 4,
                lines_read: 412,
                lines_new: 30,
                by_number: 20,
                by_name: 6,
                by_amount: 1,
            }),
        },
    );
    assert!(matches!(one(&effects), Request::BankLines { .. }));
    assert!(screen(&app).popup.is_none());
    assert!(render(&app).contains("412 read · 30 new · 20 by number"));
}

#[test]
fn an_admin_reads_the_lines_and_changes_nothing() {
    let mut app = reviewing(Job::Admin);
    for key in ['a', 'o', 'p', 'i'] {
        assert_eq!(
            requests(&press(&mut app, KeyCode::Char(key))),
            Vec::new(),
            "{key}"
        );
        assert!(screen(&app).popup.is_none());
        assert!(app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("accounts office")));
    }
}

#[test]
fn a_line_is_split_over_invoices_that_add_up_to_it() {
    let mut app = reviewing(Job::Accountant);
    press(&mut app, KeyCode::Char('s'));
    assert!(matches!(screen(&app).popup, Some(Popup::Split { .. })));
    type_text(&mut app, "2026-000119");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "50.00");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-000120");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "20.00");
    // 70.00 of 80.00: refused at the field, nothing sent.
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    let Some(Popup::Split { form, .. }) = &screen(&app).popup else {
        panic!("the form stays");
    };
    assert_eq!(
        form.fields[1].error.as_deref(),
        Some("The parts come to USD 70.00, the line is USD 80.00.")
    );
    assert_eq!(form.focus, 1, "on the first amount, where the message is");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    for _ in 0..5 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "30.00");
    match one(&ctrl(&mut app, 's')) {
        Request::Split { line_id, parts, .. } => {
            assert_eq!(line_id, 1);
            assert_eq!(
                parts,
                vec![
                    ("2026-000119".to_string(), 5_000),
                    ("2026-000120".to_string(), 3_000)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}
