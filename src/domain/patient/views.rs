//! How a patient appears outside their own record: a line of the lookup's list, a likely duplicate
//! of someone being registered, and the narrower record billing may read.

use chrono::{DateTime, NaiveDate, Utc};

/// One line of the lookup's result list.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientHit {
    pub id: i64,
    pub patient_number: i64,
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The next appointment that is still to come (scheduled, checked in or in progress), when the
    /// caller may see it.
    pub next_appointment: Option<NextAppointment>,
    /// Found by tolerating a typo rather than by what was typed: the list can say "similar names".
    pub similar: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NextAppointment {
    pub starts_at: DateTime<Utc>,
    pub doctor: String,
}

/// A possible duplicate of a patient about to be saved, and why it looks like one.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateCandidate {
    pub patient: PatientHit,
    /// For the desk: "same name and date of birth", "similar name and same phone number", ...
    pub reason: String,
    /// Higher is likelier; candidates come sorted by it.
    pub score: f64,
}

/// A patient as billing sees them: exactly the columns granted to `clinic_accountant` in
/// sql/0002_patients.sql, so reading it never trips a column privilege.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingPatient {
    pub id: i64,
    pub patient_number: i64,
    pub family_name: String,
    pub given_names: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub insurer: Option<String>,
    pub insurance_number: Option<String>,
}
