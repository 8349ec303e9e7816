//! What the lookup says and carries over: hints that are true where the cursor is, a name with a
//! birth year or date, the registration form prefilled from the box, paging by the rows shown,
//! and the warning for an unusual date of birth.

use clinic::app::patients::LookupFocus;
use clinic::app::Action;
use clinic::domain::patient::{Born, PatientField, PatientHit, SearchQuery};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{date, desk, field_value, found, hit, screen, search_for, searches};
use crate::support::*;

fn many(n: i64) -> Vec<PatientHit> {
    (1..=n)
        .map(|i| {
            hit(
                i,
                10_000 + i,
                "Doe",
                &format!("Kid{i:02}"),
                date(2000, 1, 1),
            )
        })
        .collect()
}

#[test]
fn a_short_number_says_how_to_look_up_a_phone() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "12");
    found(&mut app, request, Vec::new());
    let drawn = render(&app);
    assert!(
        drawn.contains("No patient number 12. For a phone number, type at least 4 of its"),
        "{drawn}"
    );
    assert!(!drawn.contains("No patient matches"), "{drawn}");
}

#[test]
fn the_empty_result_names_the_key_that_works_where_the_cursor_is() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "zzyzx");
    found(&mut app, request, Vec::new());
    let drawn = render(&app);
    assert!(
        drawn.contains("No patient matches \u{201c}zzyzx\u{201d}"),
        "{drawn}"
    );
    // In the box `n` would type an n: the hint says Ctrl-N, and Ctrl-N works there.
    assert!(
        drawn.contains("Ctrl-N registers a new patient with what you typed."),
        "{drawn}"
    );
    press(&mut app, KeyCode::Tab);
    assert_eq!(screen(&app).lookup.focus, LookupFocus::List);
    let drawn = render(&app);
    assert!(
        drawn.contains("n registers a new patient with what you typed."),
        "{drawn}"
    );
    assert!(!drawn.contains("Ctrl-N registers"), "{drawn}");
    press(&mut app, KeyCode::Char('/'));
    ctrl(&mut app, 'n');
    assert!(screen(&app).form.is_some(), "the key the hint named works");
}

#[test]
fn a_name_with_a_birth_year_or_date_searches_by_both() {
    let mut app = desk(Job::Receptionist);
    type_text(&mut app, "doe john 1985");
    let now = app.now + chrono::TimeDelta::milliseconds(200);
    let sent = searches(&tick(&mut app, now));
    let year = Born {
        from: date(1985, 1, 1),
        to: date(1985, 12, 31),
    };
    assert_eq!(
        sent.iter().map(|(_, q)| q.clone()).collect::<Vec<_>>(),
        vec![SearchQuery::NameBorn(
            vec!["doe".into(), "john".into()],
            year
        )]
    );
    assert_eq!(screen(&app).lookup.picker.reading, Some("name and birth"));
}

#[test]
fn ctrl_n_carries_the_name_and_date_of_birth_just_searched() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "doe john 15/06/1985");
    found(&mut app, request, Vec::new());
    ctrl(&mut app, 'n');
    assert_eq!(field_value(&app, PatientField::FamilyName), "Doe");
    assert_eq!(field_value(&app, PatientField::GivenNames), "John");
    assert_eq!(field_value(&app, PatientField::DateOfBirth), "15/06/1985");
    // Nothing was typed into the form itself: Esc closes it, and the box still holds the search.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).form.is_none());
    assert_eq!(
        screen(&app).lookup.picker.input.value(),
        "doe john 15/06/1985"
    );

    // A year alone is not a date of birth: the name goes over, the date is left to type.
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "van der Berg, anna 1985");
    found(&mut app, request, Vec::new());
    ctrl(&mut app, 'n');
    assert_eq!(field_value(&app, PatientField::FamilyName), "van der Berg");
    assert_eq!(field_value(&app, PatientField::GivenNames), "Anna");
    assert_eq!(field_value(&app, PatientField::DateOfBirth), "");
}

#[test]
fn page_down_and_up_move_by_the_rows_the_list_shows() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "doe");
    found(&mut app, request, many(60));
    press(&mut app, KeyCode::Tab);
    let drawn = render(&app);
    let shown = drawn.lines().filter(|l| l.contains("Kid")).count();
    assert!(shown > 5, "{drawn}");
    press(&mut app, KeyCode::PageDown);
    assert_eq!(screen(&app).lookup.picker.hits.selected(), shown);
    let drawn = render(&app);
    assert!(
        drawn.contains(&format!("Kid{:02}", shown + 1)),
        "the next screenful is shown: {drawn}"
    );
    press(&mut app, KeyCode::PageUp);
    assert_eq!(screen(&app).lookup.picker.hits.selected(), 0);
    // A taller terminal pages by more.
    app.update(Action::Resized {
        width: 80,
        height: 40,
    });
    press(&mut app, KeyCode::PageDown);
    assert_eq!(screen(&app).lookup.picker.hits.selected(), shown + 16);
}

#[test]
fn a_date_of_birth_over_110_years_ago_is_warned_about_not_refused() {
    let mut app = desk(Job::Receptionist);
    ctrl(&mut app, 'n');
    // Family, given, preferred, date of birth.
    for (i, value) in ["Old", "Olga", "", "02/03/1901"].iter().enumerate() {
        if i > 0 {
            press(&mut app, KeyCode::Tab);
        }
        type_text(&mut app, value);
    }
    let drawn = render(&app);
    assert!(
        drawn.contains("Over 110 years ago (1901): check the year"),
        "{drawn}"
    );
    // 1950 is usual: the warning goes.
    for _ in 0..10 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "02/03/1950");
    assert!(!render(&app).contains("Over 110 years ago"));
}
