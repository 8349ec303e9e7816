//! The clinic's shared settings on screen: each value checked at its field, the version read sent
//! back (so two admins do not overwrite each other), a refusal kept with what was typed.

use clinic::app::admin::{Popup, Reply, Request, Tab};
use clinic::domain::settings::ClinicSettings;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn stored() -> ClinicSettings {
    ClinicSettings {
        clinic_name: "Riverside Family Clinic".into(),
        time_zone: "America/New_York".into(),
        currency: "USD".into(),
        idle_lock_minutes: 10,
        break_glass_max_minutes: 240,
        version: 3,
        changed_at: Some(at(11, 30, 16, 0)),
        changed_by: Some("ada".into()),
    }
}

fn on_settings() -> clinic::app::App {
    let mut app = admin_home(Vec::new());
    press(&mut app, KeyCode::BackTab);
    assert_eq!(screen(&app).tab, Tab::Settings);
    let Request::Settings { request } = one(&ctrl(&mut app, 'r')) else {
        panic!("the settings are read");
    };
    reply(
        &mut app,
        Reply::Settings {
            request,
            result: Ok(Box::new(stored())),
        },
    );
    app
}

#[test]
fn each_setting_is_checked_at_its_field_and_saved_with_the_version_read() {
    let mut app = on_settings();
    assert_screen!("admin_settings", render(&app));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(screen(&app).popup, Some(Popup::Settings(_))));
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mars/Olympus");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "dollars");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "0");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    let drawn = render(&app);
    assert!(drawn.contains("Not a time zone name"), "{drawn}");
    assert!(drawn.contains("A three-letter code"), "{drawn}");
    assert!(drawn.contains("Minutes from 1 to 120"), "{drawn}");
    assert_screen!("admin_settings_refused", drawn);
    // Back to the time zone (the first refused field has the focus).
    assert_eq!(
        match &screen(&app).popup {
            Some(Popup::Settings(f)) => f.focus,
            _ => 99,
        },
        1
    );
    ctrl(&mut app, 'u');
    type_text(&mut app, "Europe/Berlin");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "eur");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "5");
    let request = match one(&ctrl(&mut app, 's')) {
        Request::SaveSettings { request, settings } => {
            assert_eq!(settings.version, 3);
            assert_eq!(settings.time_zone, "Europe/Berlin");
            assert_eq!(settings.currency, "EUR");
            assert_eq!(settings.idle_lock_minutes, 5);
            assert_eq!(settings.break_glass_max_minutes, 240);
            request
        }
        other => panic!("{other:?}"),
    };
    reply(
        &mut app,
        Reply::SettingsSaved {
            request,
            result: Err("The settings were changed meanwhile by ada; look at them again.".into()),
        },
    );
    let Some(Popup::Settings(form)) = &screen(&app).popup else {
        panic!("a refusal keeps the form");
    };
    assert_eq!(form.value(1), "Europe/Berlin");
    assert!(form
        .error
        .as_deref()
        .is_some_and(|e| e.contains("meanwhile")));
}
