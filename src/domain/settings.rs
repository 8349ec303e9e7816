//! The clinic's shared settings (sql/0027): what every desk must agree on, kept in the database
//! and changed by an administrator on screen. Each desk's own choices stay in its config.

use chrono::{DateTime, Utc};

/// The one row of `clinic.settings`, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicSettings {
    pub clinic_name: String,
    /// An IANA name (e.g. Europe/Berlin).
    pub time_zone: String,
    /// ISO 4217, e.g. USD.
    pub currency: String,
    /// The longest a desk may stay unlocked while nobody types (a desk's config may say less).
    pub idle_lock_minutes: i32,
    /// The longest an emergency access is granted for.
    pub break_glass_max_minutes: i32,
    pub version: i32,
    /// When and by whom an administrator last changed them (None: as the migration seeded them).
    pub changed_at: Option<DateTime<Utc>>,
    pub changed_by: Option<String>,
}

/// Bounds the database holds the settings to (sql/0027), so a form can say so at the field.
pub const IDLE_LOCK_MINUTES: std::ops::RangeInclusive<i32> = 1..=120;
pub const BREAK_GLASS_MAX_MINUTES: std::ops::RangeInclusive<i32> = 15..=720;

impl ClinicSettings {
    /// The idle lock a desk uses: its own (config) when shorter than the clinic's.
    pub fn idle_lock_for(&self, desk_minutes: u32) -> u32 {
        let clinic = u32::try_from(self.idle_lock_minutes).unwrap_or(10);
        if desk_minutes == 0 {
            clinic
        } else {
            desk_minutes.min(clinic)
        }
    }

    /// How long an emergency access asked for from a desk lasts: its config's, within the cap.
    pub fn break_glass_for(&self, desk_minutes: u16) -> u16 {
        let cap = u16::try_from(self.break_glass_max_minutes).unwrap_or(240);
        desk_minutes.clamp(1, cap.max(1))
    }
}

/// A break-the-glass access an administrator has not reviewed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToReview {
    pub access_id: i64,
    pub doctor_name: String,
    pub patient_id: i64,
    pub patient_number: i64,
    pub patient_name: String,
    /// The doctor's stated reason (their words, not the chart's).
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub minutes: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(idle: i32, cap: i32) -> ClinicSettings {
        ClinicSettings {
            clinic_name: "Riverside".into(),
            time_zone: "UTC".into(),
            currency: "USD".into(),
            idle_lock_minutes: idle,
            break_glass_max_minutes: cap,
            version: 1,
            changed_at: None,
            changed_by: None,
        }
    }

    #[test]
    fn a_desk_may_lock_sooner_than_the_clinic_but_never_later() {
        let s = settings(10, 240);
        assert_eq!(s.idle_lock_for(5), 5);
        assert_eq!(s.idle_lock_for(30), 10);
        assert_eq!(
            s.idle_lock_for(0),
            10,
            "0 (never) is not the desk's to choose"
        );
    }

    #[test]
    fn emergency_access_stays_within_the_cap() {
        let s = settings(10, 30);
        assert_eq!(s.break_glass_for(60), 30);
        assert_eq!(s.break_glass_for(20), 20);
    }
}
