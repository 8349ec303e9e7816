//! The clinic's shared settings (sql/0027) and the emergency accesses waiting for review
//! (sql/0024): a form each, checked here first and then by the database's own function.

use super::{AdminScreen, Popup, Request, ReviewOf, Tab};
use crate::app::pending::RequestId;
use crate::app::screen::{Ctx, Intent, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::settings::{ClinicSettings, BREAK_GLASS_MAX_MINUTES, IDLE_LOCK_MINUTES};

/// The settings form's fields, in order.
pub const SETTING_NAME: usize = 0;
pub const SETTING_TIME_ZONE: usize = 1;
pub const SETTING_CURRENCY: usize = 2;
pub const SETTING_IDLE: usize = 3;
pub const SETTING_BREAK_GLASS: usize = 4;

impl AdminScreen {
    pub(super) fn open_settings(&mut self) -> Outcome<Self> {
        if self.tab != Tab::Settings {
            return Outcome::default();
        }
        let Some(s) = &self.settings else {
            return Outcome::notice("The settings are still being read.");
        };
        let fields = vec![
            Field::text("Clinic name", s.clinic_name.clone()).required(true),
            Field::text("Time zone", s.time_zone.clone())
                .required(true)
                .with_hint(Some("e.g. Europe/Berlin".into())),
            Field::text("Currency", s.currency.clone())
                .required(true)
                .with_hint(Some("ISO 4217, e.g. EUR".into())),
            Field::text("Idle lock", s.idle_lock_minutes.to_string())
                .required(true)
                .with_hint(Some("minutes, 1-120".into())),
            Field::text("Emergency max", s.break_glass_max_minutes.to_string())
                .required(true)
                .with_hint(Some("minutes, 15-720".into())),
        ];
        self.popup = Some(Popup::Settings(Box::new(Form::new(
            "The clinic's settings",
            s.version,
            fields,
            0,
        ))));
        Outcome::redraw()
    }

    pub(super) fn save_settings(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Settings(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.in_flight() {
            return Outcome::notice("Still saving.");
        }
        form.clear_errors();
        let text = |form: &Form<i32>, i: usize| form.value(i).trim().to_string();
        let name = text(form, SETTING_NAME);
        if !(1..=80).contains(&name.chars().count()) {
            form.set_error(SETTING_NAME, "1 to 80 characters.");
        }
        let zone = text(form, SETTING_TIME_ZONE);
        if zone.parse::<chrono_tz::Tz>().is_err() {
            form.set_error(
                SETTING_TIME_ZONE,
                "Not a time zone name: e.g. Europe/Berlin or America/New_York.",
            );
        }
        let currency = text(form, SETTING_CURRENCY).to_uppercase();
        if crate::domain::money::Currency::parse(&currency).is_none() {
            form.set_error(SETTING_CURRENCY, "A three-letter code such as USD or EUR.");
        }
        let minutes =
            |form: &mut Form<i32>, i: usize, range: std::ops::RangeInclusive<i32>| match form
                .value(i)
                .trim()
                .parse::<i32>()
            {
                Ok(m) if range.contains(&m) => m,
                _ => {
                    form.set_error(
                        i,
                        format!("Minutes from {} to {}.", range.start(), range.end()),
                    );
                    0
                }
            };
        let idle = minutes(form, SETTING_IDLE, IDLE_LOCK_MINUTES);
        let cap = minutes(form, SETTING_BREAK_GLASS, BREAK_GLASS_MAX_MINUTES);
        if form.has_errors() {
            form.focus_first_error();
            return Outcome::redraw();
        }
        let settings = ClinicSettings {
            clinic_name: name,
            time_zone: zone,
            currency,
            idle_lock_minutes: idle,
            break_glass_max_minutes: cap,
            version: form.kind,
            changed_at: None,
            changed_by: None,
        };
        let request = ctx.start(&mut form.saving, ());
        Outcome::request(Request::SaveSettings {
            request,
            settings: Box::new(settings),
        })
    }

    pub(super) fn settings_saved(
        &mut self,
        request: RequestId,
        result: Result<Box<ClinicSettings>, String>,
    ) -> Outcome<Self> {
        let Some(Popup::Settings(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(s) => {
                self.settings = Some((*s).clone());
                self.popup = None;
                Outcome::hand_over(Intent::ClinicSettings(s)).with_notice(
                    "Saved: this desk uses them now; every other desk at its next sign-in.",
                )
            }
            Err(e) => {
                let field = [
                    ("name", SETTING_NAME),
                    ("time zone", SETTING_TIME_ZONE),
                    ("currency", SETTING_CURRENCY),
                    ("idle", SETTING_IDLE),
                    ("emergency", SETTING_BREAK_GLASS),
                ]
                .into_iter()
                .find(|(word, _)| e.to_lowercase().contains(word));
                match field {
                    Some((_, i)) => form.set_error(i, e.clone()),
                    None => form.error = Some(e.clone()),
                }
                form.focus_first_error();
                Outcome::notice(e)
            }
        }
    }

    pub(super) fn open_review(&mut self) -> Outcome<Self> {
        if self.tab != Tab::Reviews {
            return Outcome::default();
        }
        let Some(a) = self.reviews.rows.selected_item() else {
            return Outcome::notice("Nothing is waiting for review.");
        };
        let about = format!(
            "{} opened #{} {} on {}: \"{}\"",
            a.doctor_name,
            a.patient_number,
            a.patient_name,
            a.granted_at
                .with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M"),
            a.reason
        );
        let form = Form::new(
            "Mark reviewed",
            ReviewOf {
                access_id: a.access_id,
                about,
            },
            vec![Field::text("Note", "")
                .required(true)
                .with_hint(Some("what you checked".into()))],
            0,
        );
        self.popup = Some(Popup::Review(Box::new(form)));
        Outcome::redraw()
    }

    pub(super) fn save_review(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Review(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.in_flight() {
            return Outcome::notice("Still saving.");
        }
        form.clear_errors();
        let note = form.value(0).trim().to_string();
        if note.chars().count() < 3 {
            form.set_error(0, "Say what the review found, in a few words.");
            return Outcome::redraw();
        }
        if note.chars().count() > 500 {
            form.set_error(0, "At most 500 characters.");
            return Outcome::redraw();
        }
        let access_id = form.kind.access_id;
        let request = ctx.start(&mut form.saving, ());
        Outcome::request(Request::Review {
            request,
            access_id,
            note,
        })
    }

    pub(super) fn reviewed(
        &mut self,
        request: RequestId,
        result: Result<(), String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let Some(Popup::Review(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(()) => {
                self.popup = None;
                self.load_reviews(ctx)
                    .with_notice("Reviewed: the note is kept with the access.")
            }
            Err(e) => {
                form.set_error(0, e.clone());
                Outcome::notice(e)
            }
        }
    }
}
