//! The doctor's side: a patient's chart (encounters with their SOAP notes, vitals, coded diagnoses,
//! prescriptions, allergies), the doctor's day, and the checks a form makes before saving.
//!
//! The chart arrives from the database as one JSON document (clinic.chart, one audited read);
//! these types are its shape.

mod vitals;

pub use vitals::{bmi, VitalField, VitalsInput, VitalsProblem, VitalsValues};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::domain::appointment::AppointmentStatus;

/// How the reader came to see this chart (what the audit entry says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// A booked appointment, or a record of their own.
    Care,
    /// Break-the-glass: an emergency grant, flagged for review.
    Emergency,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "ChartDocument")]
pub struct Chart {
    pub access: Access,
    pub records: Vec<Encounter>,
    pub vitals: Vec<Vitals>,
    pub diagnoses: Vec<Diagnosis>,
    pub prescriptions: Vec<Prescription>,
    pub allergies: Vec<Allergy>,
}

/// The chart as clinic.chart sends it: each code's description once, beside the diagnoses.
#[derive(Deserialize)]
struct ChartDocument {
    access: Access,
    records: Vec<Encounter>,
    vitals: Vec<Vitals>,
    diagnoses: Vec<Diagnosis>,
    #[serde(default)]
    codes: std::collections::HashMap<String, String>,
    prescriptions: Vec<Prescription>,
    allergies: Vec<Allergy>,
}

impl From<ChartDocument> for Chart {
    fn from(mut d: ChartDocument) -> Self {
        for dx in &mut d.diagnoses {
            if dx.description.is_empty() {
                dx.description = d.codes.get(&dx.code).cloned().unwrap_or_default();
            }
        }
        Chart {
            access: d.access,
            records: d.records,
            vitals: d.vitals,
            diagnoses: d.diagnoses,
            prescriptions: d.prescriptions,
            allergies: d.allergies,
        }
    }
}

impl Chart {
    /// Allergies not ended, as the header of every chart shows them.
    pub fn open_allergies(&self) -> impl Iterator<Item = &Allergy> {
        self.allergies.iter().filter(|a| a.ended_at.is_none())
    }

    pub fn record(&self, id: i64) -> Option<&Encounter> {
        self.records.iter().find(|r| r.id == id)
    }

    pub fn vitals_of(&self, record_id: i64) -> Option<&Vitals> {
        self.vitals.iter().find(|v| v.record_id == record_id)
    }

    pub fn diagnoses_of(&self, record_id: i64) -> impl Iterator<Item = &Diagnosis> {
        self.diagnoses
            .iter()
            .filter(move |d| d.record_id == record_id)
    }

    pub fn prescriptions_of(&self, record_id: i64) -> impl Iterator<Item = &Prescription> {
        self.prescriptions
            .iter()
            .filter(move |p| p.record_id == record_id)
    }

    /// The amendments of a record, oldest first.
    pub fn amendments_of(&self, record_id: i64) -> impl Iterator<Item = &Encounter> {
        self.records
            .iter()
            .filter(move |r| r.amends_id == Some(record_id))
    }
}

/// One medical record: a consultation's encounter, a note, or an amendment of a signed record.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Encounter {
    pub id: i64,
    pub kind: String,
    pub recorded_at: DateTime<Utc>,
    pub author_id: i64,
    pub author: String,
    pub appointment_id: Option<i64>,
    pub summary: String,
    pub subjective: Option<String>,
    pub objective: Option<String>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    /// The free-text fields of records written before encounters were structured.
    pub diagnosis_text: Option<String>,
    pub treatment_text: Option<String>,
    pub notes_text: Option<String>,
    pub amends_id: Option<i64>,
    pub signed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub written_under_emergency: bool,
}

impl Encounter {
    pub fn is_signed(&self) -> bool {
        self.signed_at.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Vitals {
    pub id: i64,
    pub record_id: i64,
    pub taken_at: DateTime<Utc>,
    pub systolic_mmhg: Option<i16>,
    pub diastolic_mmhg: Option<i16>,
    pub pulse_per_min: Option<i16>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub temperature_c: Option<Decimal>,
    pub respiratory_per_min: Option<i16>,
    pub spo2_pct: Option<i16>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub weight_kg: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub height_cm: Option<Decimal>,
    /// Derived by the database from weight and height.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub bmi: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Diagnosis {
    pub id: i64,
    pub record_id: i64,
    pub code: String,
    /// Filled from the chart's code list.
    #[serde(default)]
    pub description: String,
    pub note: Option<String>,
    pub is_primary: bool,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Prescription {
    pub id: i64,
    pub record_id: i64,
    pub drug: String,
    pub strength: Option<String>,
    pub form: Option<String>,
    pub dose: Option<String>,
    pub route: Option<String>,
    pub frequency: Option<String>,
    pub duration_days: Option<i16>,
    pub quantity: Option<i32>,
    pub refills: i16,
    pub instructions: Option<String>,
    pub allergy_confirmed: bool,
    pub added_at: DateTime<Utc>,
}

impl Prescription {
    /// "Ibuprofen 400 mg tablet · 1 oral · 3x daily · 7 days · qty 21".
    pub fn line(&self) -> String {
        let head = [
            Some(self.drug.as_str()),
            self.strength.as_deref(),
            self.form.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let how = [self.dose.as_deref(), self.route.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let mut parts = vec![head];
        if !how.is_empty() {
            parts.push(how);
        }
        parts.extend(self.frequency.clone());
        parts.extend(self.duration_days.map(|d| match d {
            1 => "1 day".to_string(),
            d => format!("{d} days"),
        }));
        parts.extend(self.quantity.map(|q| format!("qty {q}")));
        if self.refills > 0 {
            parts.push(format!("{} refills", self.refills));
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
    Unknown,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Mild,
        Severity::Moderate,
        Severity::Severe,
        Severity::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
            Severity::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        let s = s.trim().to_lowercase();
        Severity::ALL
            .into_iter()
            .find(|v| !s.is_empty() && v.as_str().starts_with(&s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Allergy {
    pub id: i64,
    pub substance: String,
    pub reaction: Option<String>,
    pub severity: Severity,
    pub recorded_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
}

impl Allergy {
    /// "penicillin (rash, moderate)".
    pub fn label(&self) -> String {
        match &self.reaction {
            Some(r) => format!("{} ({r}, {})", self.substance, self.severity.as_str()),
            None => format!("{} ({})", self.substance, self.severity.as_str()),
        }
    }
}

/// One appointment of the doctor's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayVisit {
    pub appointment_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub patient_id: i64,
    pub patient_number: i64,
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: NaiveDate,
    pub has_allergies: bool,
    /// The visit's encounter, once started, and when it was signed.
    pub record_id: Option<i64>,
    pub record_signed_at: Option<DateTime<Utc>>,
}

/// One of the doctor's unsigned records (listed until signed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedRecord {
    pub record_id: i64,
    pub recorded_at: DateTime<Utc>,
    pub summary: String,
    pub patient_id: i64,
    pub family_name: String,
    pub given_names: String,
    pub appointment_id: Option<i64>,
}

/// The note of an encounter as the doctor typed it, saved at `version` (None for a new one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EncounterNote {
    pub summary: String,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
}

/// A prescription as typed on the form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewPrescription {
    pub drug: String,
    pub strength: String,
    pub form: String,
    pub dose: String,
    pub route: String,
    pub frequency: String,
    pub duration_days: Option<i32>,
    pub quantity: Option<i32>,
    pub refills: i32,
    pub instructions: String,
}

/// Whether a drug's name and a recorded substance match as the database decides
/// (clinic.matching_allergies): either contains the other, case- and accent-blind. The form uses
/// it to show the warning beside the field as the name is typed; the database has the last word.
pub fn drug_matches_allergy(drug: &str, substance: &str) -> bool {
    let fold = |s: &str| crate::domain::text::fold(s.trim());
    let (d, s) = (fold(drug), fold(substance));
    !d.is_empty() && !s.is_empty() && (d.contains(&s) || s.contains(&d))
}

#[cfg(test)]
mod tests;
