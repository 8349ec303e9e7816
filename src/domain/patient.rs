//! Patients: the record as the database keeps it, the registration form as typed and its checks,
//! and what the lookup box's input looks like (a name, a date of birth, digits, an email).
//!
//! Validation here mirrors the table's constraints in sql/0002_patients.sql so the form can name the
//! field at fault before anything is sent; the database still has the last word.

use std::fmt::Write as _;

use chrono::{DateTime, Months, NaiveDate, Utc};

mod views;

// Dates as people type them, shared by every form (kept here under their old names).
pub use super::dates::{date_problem, day_beyond_month, parse_date};
pub use views::{BillingPatient, DuplicateCandidate, NextAppointment, PatientHit};

/// Administrative sex as recorded for clinical and insurance purposes (gender identity is separate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
    Intersex,
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Intersex, Sex::Unknown];

    /// The value stored in `clinic.patients.sex`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Intersex => "intersex",
            Sex::Unknown => "unknown",
        }
    }

    /// What a receptionist types: the full word or its first letter, in any case.
    pub fn parse(s: &str) -> Option<Sex> {
        let s = s.trim().to_lowercase();
        Sex::ALL
            .into_iter()
            .find(|x| x.as_str() == s || (s.len() == 1 && x.as_str().starts_with(&s)))
    }
}

impl std::fmt::Display for Sex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `clinic.patients`, as stored. The search keys the database derives from the names and
/// phone (phone_digits, family_folded, name_folded) are left out: nothing outside SQL needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: i64,
    /// The number staff say out loud and print on letters.
    pub patient_number: i64,
    pub family_name: String,
    pub given_names: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    pub gender_identity: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub emergency_contact_name: Option<String>,
    pub emergency_contact_phone: Option<String>,
    pub insurer: Option<String>,
    pub insurance_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// Bumped by the database on every change; a save names the version it started from.
    pub version: i32,
}

impl Patient {
    /// The editable part, for comparing what is stored with what someone typed.
    pub fn details(&self) -> ValidPatient {
        ValidPatient {
            family_name: self.family_name.clone(),
            given_names: self.given_names.clone(),
            preferred_name: self.preferred_name.clone(),
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            gender_identity: self.gender_identity.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            address_line1: self.address_line1.clone(),
            address_line2: self.address_line2.clone(),
            city: self.city.clone(),
            postcode: self.postcode.clone(),
            emergency_contact_name: self.emergency_contact_name.clone(),
            emergency_contact_phone: self.emergency_contact_phone.clone(),
            insurer: self.insurer.clone(),
            insurance_number: self.insurance_number.clone(),
        }
    }
}

/// The fields of the registration form, named as the table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatientField {
    FamilyName,
    GivenNames,
    PreferredName,
    DateOfBirth,
    Sex,
    GenderIdentity,
    Phone,
    Email,
    AddressLine1,
    AddressLine2,
    City,
    Postcode,
    EmergencyContactName,
    EmergencyContactPhone,
    Insurer,
    InsuranceNumber,
}

impl PatientField {
    pub const ALL: [PatientField; 16] = [
        PatientField::FamilyName,
        PatientField::GivenNames,
        PatientField::PreferredName,
        PatientField::DateOfBirth,
        PatientField::Sex,
        PatientField::GenderIdentity,
        PatientField::Phone,
        PatientField::Email,
        PatientField::AddressLine1,
        PatientField::AddressLine2,
        PatientField::City,
        PatientField::Postcode,
        PatientField::EmergencyContactName,
        PatientField::EmergencyContactPhone,
        PatientField::Insurer,
        PatientField::InsuranceNumber,
    ];

    /// The column in `clinic.patients`.
    pub fn column(self) -> &'static str {
        match self {
            PatientField::FamilyName => "family_name",
            PatientField::GivenNames => "given_names",
            PatientField::PreferredName => "preferred_name",
            PatientField::DateOfBirth => "date_of_birth",
            PatientField::Sex => "sex",
            PatientField::GenderIdentity => "gender_identity",
            PatientField::Phone => "phone",
            PatientField::Email => "email",
            PatientField::AddressLine1 => "address_line1",
            PatientField::AddressLine2 => "address_line2",
            PatientField::City => "city",
            PatientField::Postcode => "postcode",
            PatientField::EmergencyContactName => "emergency_contact_name",
            PatientField::EmergencyContactPhone => "emergency_contact_phone",
            PatientField::Insurer => "insurer",
            PatientField::InsuranceNumber => "insurance_number",
        }
    }

    /// The form's label.
    pub fn label(self) -> &'static str {
        match self {
            PatientField::FamilyName => "Family name",
            PatientField::GivenNames => "Given names",
            PatientField::PreferredName => "Preferred name",
            PatientField::DateOfBirth => "Date of birth",
            PatientField::Sex => "Sex",
            PatientField::GenderIdentity => "Gender identity",
            PatientField::Phone => "Phone",
            PatientField::Email => "Email",
            PatientField::AddressLine1 => "Address",
            PatientField::AddressLine2 => "Address (line 2)",
            PatientField::City => "City",
            PatientField::Postcode => "Postcode",
            PatientField::EmergencyContactName => "Emergency contact",
            PatientField::EmergencyContactPhone => "Emergency contact phone",
            PatientField::Insurer => "Insurer",
            PatientField::InsuranceNumber => "Insurance number",
        }
    }

    pub fn from_column(column: &str) -> Option<PatientField> {
        PatientField::ALL.into_iter().find(|f| f.column() == column)
    }

    /// The longest value the table accepts, in characters (as PostgreSQL's length() counts them).
    fn max_chars(self) -> usize {
        match self {
            PatientField::FamilyName | PatientField::GivenNames | PatientField::PreferredName => {
                100
            }
            PatientField::GenderIdentity => 60,
            PatientField::Phone | PatientField::EmergencyContactPhone => 30,
            PatientField::Email => 254,
            PatientField::AddressLine1
            | PatientField::AddressLine2
            | PatientField::EmergencyContactName => 200,
            PatientField::City | PatientField::Insurer => 100,
            PatientField::Postcode => 20,
            PatientField::InsuranceNumber => 50,
            PatientField::DateOfBirth | PatientField::Sex => 10,
        }
    }
}

/// A field the form must point at, with words a receptionist understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: PatientField,
    pub message: String,
}

impl FieldError {
    pub fn new(field: PatientField, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

/// The registration/edit form exactly as typed. Nothing here is trusted until [`validate`] says so.
///
/// [`validate`]: PatientDraft::validate
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientDraft {
    pub family_name: String,
    pub given_names: String,
    pub preferred_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub gender_identity: String,
    pub phone: String,
    pub email: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub postcode: String,
    pub emergency_contact_name: String,
    pub emergency_contact_phone: String,
    pub insurer: String,
    pub insurance_number: String,
}

/// A patient's details that passed validation: what `insert` and `update` accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPatient {
    pub family_name: String,
    pub given_names: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    pub gender_identity: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub emergency_contact_name: Option<String>,
    pub emergency_contact_phone: Option<String>,
    pub insurer: Option<String>,
    pub insurance_number: Option<String>,
}

impl ValidPatient {
    /// Each field as the form would show it (dates in ISO), for listing differences.
    pub fn field_text(&self, field: PatientField) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        match field {
            PatientField::FamilyName => self.family_name.clone(),
            PatientField::GivenNames => self.given_names.clone(),
            PatientField::PreferredName => opt(&self.preferred_name),
            PatientField::DateOfBirth => self.date_of_birth.format("%Y-%m-%d").to_string(),
            PatientField::Sex => self.sex.as_str().to_string(),
            PatientField::GenderIdentity => opt(&self.gender_identity),
            PatientField::Phone => opt(&self.phone),
            PatientField::Email => opt(&self.email),
            PatientField::AddressLine1 => opt(&self.address_line1),
            PatientField::AddressLine2 => opt(&self.address_line2),
            PatientField::City => opt(&self.city),
            PatientField::Postcode => opt(&self.postcode),
            PatientField::EmergencyContactName => opt(&self.emergency_contact_name),
            PatientField::EmergencyContactPhone => opt(&self.emergency_contact_phone),
            PatientField::Insurer => opt(&self.insurer),
            PatientField::InsuranceNumber => opt(&self.insurance_number),
        }
    }

    /// The fields whose values differ: (field, ours, theirs).
    pub fn differences(&self, other: &ValidPatient) -> Vec<(PatientField, String, String)> {
        PatientField::ALL
            .into_iter()
            .filter_map(|f| {
                let (a, b) = (self.field_text(f), other.field_text(f));
                (a != b).then_some((f, a, b))
            })
            .collect()
    }
}

impl PatientDraft {
    /// The form pre-filled for editing a stored patient, the date in the clinic's local format.
    pub fn from_patient(p: &Patient, local_date_format: &str) -> Self {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            family_name: p.family_name.clone(),
            given_names: p.given_names.clone(),
            preferred_name: opt(&p.preferred_name),
            date_of_birth: format_date(p.date_of_birth, local_date_format)
                .unwrap_or_else(|| p.date_of_birth.format("%Y-%m-%d").to_string()),
            sex: p.sex.as_str().to_string(),
            gender_identity: opt(&p.gender_identity),
            phone: opt(&p.phone),
            email: opt(&p.email),
            address_line1: opt(&p.address_line1),
            address_line2: opt(&p.address_line2),
            city: opt(&p.city),
            postcode: opt(&p.postcode),
            emergency_contact_name: opt(&p.emergency_contact_name),
            emergency_contact_phone: opt(&p.emergency_contact_phone),
            insurer: opt(&p.insurer),
            insurance_number: opt(&p.insurance_number),
        }
    }

    /// Check every field and collect every problem at once, so the form can mark them all.
    /// `today` is the clinic's date; `local_date_format` its chrono format (e.g. "%d/%m/%Y"), which
    /// is accepted alongside ISO 1985-06-15.
    pub fn validate(
        &self,
        today: NaiveDate,
        local_date_format: &str,
    ) -> Result<ValidPatient, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field: PatientField, raw: &str, required: bool| -> Option<String> {
            let value = collapse_spaces(raw);
            if value.is_empty() {
                if required {
                    errors.push(FieldError::new(
                        field,
                        format!("{} is required.", field.label()),
                    ));
                }
                return None;
            }
            if value.chars().count() > field.max_chars() {
                errors.push(FieldError::new(
                    field,
                    format!("Too long: at most {} characters.", field.max_chars()),
                ));
                return None;
            }
            Some(value)
        };
        let family_name = text(PatientField::FamilyName, &self.family_name, true);
        let given_names = text(PatientField::GivenNames, &self.given_names, true);
        let preferred_name = text(PatientField::PreferredName, &self.preferred_name, false);
        let gender_identity = text(PatientField::GenderIdentity, &self.gender_identity, false);
        let address_line1 = text(PatientField::AddressLine1, &self.address_line1, false);
        let address_line2 = text(PatientField::AddressLine2, &self.address_line2, false);
        let city = text(PatientField::City, &self.city, false);
        let postcode = text(PatientField::Postcode, &self.postcode, false);
        let emergency_contact_name = text(
            PatientField::EmergencyContactName,
            &self.emergency_contact_name,
            false,
        );
        let insurer = text(PatientField::Insurer, &self.insurer, false);
        let insurance_number = text(PatientField::InsuranceNumber, &self.insurance_number, false);

        let date_of_birth = check_date_of_birth(&self.date_of_birth, today, local_date_format)
            .map_err(|m| errors.push(FieldError::new(PatientField::DateOfBirth, m)))
            .ok();
        let sex = match Sex::parse(&self.sex) {
            Some(s) => Some(s),
            None => {
                errors.push(FieldError::new(
                    PatientField::Sex,
                    "Enter female, male, intersex or unknown (f, m, i or u).",
                ));
                None
            }
        };
        let phone = check_phone(&self.phone)
            .map_err(|m| errors.push(FieldError::new(PatientField::Phone, m)))
            .ok()
            .flatten();
        let emergency_contact_phone = check_phone(&self.emergency_contact_phone)
            .map_err(|m| errors.push(FieldError::new(PatientField::EmergencyContactPhone, m)))
            .ok()
            .flatten();
        let email = check_email(&self.email)
            .map_err(|m| errors.push(FieldError::new(PatientField::Email, m)))
            .ok()
            .flatten();

        match (family_name, given_names, date_of_birth, sex) {
            (Some(family_name), Some(given_names), Some(date_of_birth), Some(sex))
                if errors.is_empty() =>
            {
                Ok(ValidPatient {
                    family_name,
                    given_names,
                    preferred_name,
                    date_of_birth,
                    sex,
                    gender_identity,
                    phone,
                    email,
                    address_line1,
                    address_line2,
                    city,
                    postcode,
                    emergency_contact_name,
                    emergency_contact_phone,
                    insurer,
                    insurance_number,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Trimmed, with runs of whitespace made one space: "  Anna   Maria " is "Anna Maria", so what is
/// stored (and searched) does not depend on stray keystrokes.
fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A date in the given chrono format; `None` when the format itself is not valid.
pub fn format_date(date: NaiveDate, format: &str) -> Option<String> {
    let mut out = String::new();
    write!(out, "{}", date.format(format)).ok()?;
    Some(out)
}

/// A date of birth that is allowed but worth a second look: over 110 years ago (a slip of the
/// century: 1915 for 2015). Saving goes ahead; the warning stays under the field meanwhile.
pub fn date_of_birth_warning(
    raw: &str,
    today: NaiveDate,
    local_date_format: &str,
) -> Option<String> {
    let date = check_date_of_birth(raw, today, local_date_format).ok()?;
    let oldest_usual = today.checked_sub_months(Months::new(110 * 12))?;
    (date < oldest_usual).then(|| {
        format!(
            "Over 110 years ago ({}): check the year. It can be saved as it is.",
            date.format("%Y")
        )
    })
}

fn check_date_of_birth(
    raw: &str,
    today: NaiveDate,
    local_date_format: &str,
) -> Result<NaiveDate, String> {
    let example = NaiveDate::from_ymd_opt(1985, 6, 15)
        .and_then(|d| format_date(d, local_date_format))
        .filter(|s| s != "1985-06-15");
    let how = match example {
        Some(local) => format!("Enter the date as 1985-06-15 or {local}."),
        None => "Enter the date as 1985-06-15.".to_string(),
    };
    if raw.trim().is_empty() {
        return Err(format!("Date of birth is required. {how}"));
    }
    let date = parse_date(raw, local_date_format).ok_or_else(|| format!("Not a date. {how}"))?;
    if date > today {
        return Err("Date of birth is in the future.".into());
    }
    // The database refuses anything before this day, as the same rule.
    if today
        .checked_sub_months(Months::new(130 * 12))
        .is_some_and(|oldest| date < oldest)
    {
        return Err("Date of birth is more than 130 years ago.".into());
    }
    Ok(date)
}

/// Empty is no phone; otherwise the shape the table accepts: 6-30 of digits, spaces and + ( ) . -
/// with at least 6 digits.
fn check_phone(raw: &str) -> Result<Option<String>, String> {
    let phone = collapse_spaces(raw);
    if phone.is_empty() {
        return Ok(None);
    }
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +().-".contains(c))
    {
        return Err("A phone number has only digits, spaces and + ( ) . -".into());
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if digits < 6 {
        return Err("A phone number needs at least 6 digits.".into());
    }
    if !(6..=30).contains(&phone.len()) {
        return Err("A phone number is at most 30 characters long.".into());
    }
    Ok(Some(phone))
}

/// Empty is no email; otherwise name@domain.tld with no spaces.
fn check_email(raw: &str) -> Result<Option<String>, String> {
    let email = raw.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let bad = || "That does not look like an email address (name@example.com).".to_string();
    if email.chars().any(char::is_whitespace)
        || email.chars().count() > PatientField::Email.max_chars()
    {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let labels: Vec<&str> = domain.split('.').collect();
    if local.is_empty()
        || domain.contains('@')
        || labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
    {
        return Err(bad());
    }
    Ok(Some(email.to_string()))
}

/// What the lookup box holds, routed by its shape: each shape has its own index (see design.md,
/// "Patient search"), so no one query has to be good at everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// Nothing to look for yet.
    Empty,
    /// A whole date of birth, ISO or the clinic's local format.
    Date(NaiveDate),
    /// Digits once spaces and ( ) - . + are dropped: a patient number or (the end of) a phone number.
    Digits(String),
    /// Contains '@': the beginning of an email address, lower-cased.
    Email(String),
    /// Words of a name in any order, lower-cased; accents are folded by the database (clinic.fold)
    /// so the comparison is the one its indexes use.
    Name(Vec<String>),
    /// A name with a birth year or date typed among its words ("doe john 1985", "doe
    /// 15/06/1985"): both narrow the search.
    NameBorn(Vec<String>, Born),
}

/// When someone was born, as far as was typed: a whole date, or a year (inclusive range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Born {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Born {
    /// A word of the box read as a birth date or a birth year.
    pub fn parse(word: &str, local_date_format: &str) -> Option<Born> {
        if let Some(date) = parse_date(word, local_date_format) {
            return Some(Born {
                from: date,
                to: date,
            });
        }
        let year: i32 = word.parse().ok().filter(|_| word.len() == 4)?;
        if !(1850..=2200).contains(&year) {
            return None;
        }
        Some(Born {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// A whole date, when one was typed.
    pub fn date(self) -> Option<NaiveDate> {
        (self.from == self.to).then_some(self.from)
    }
}

impl SearchQuery {
    pub fn parse(input: &str, local_date_format: &str) -> SearchQuery {
        let input = input.trim();
        if input.is_empty() {
            return SearchQuery::Empty;
        }
        if let Some(date) = parse_date(input, local_date_format) {
            return SearchQuery::Date(date);
        }
        if input.contains('@') {
            return SearchQuery::Email(input.to_lowercase());
        }
        let digits: String = input.chars().filter(|c| !" \t()-.+".contains(*c)).collect();
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return SearchQuery::Digits(digits);
        }
        let mut born = None;
        let words: Vec<String> = input
            .split(|c: char| c.is_whitespace() || c == ',')
            // A word with no letter or digit in it ("-", "'") can match nothing useful.
            .filter(|w| w.chars().any(char::is_alphanumeric))
            // The first birth year or date among the words narrows the name; it is not a name.
            .filter(|w| match Born::parse(w, local_date_format) {
                Some(b) if born.is_none() => {
                    born = Some(b);
                    false
                }
                _ => true,
            })
            .map(str::to_lowercase)
            .collect();
        match (words.is_empty(), born) {
            (true, None) => SearchQuery::Empty,
            // Only a year: nothing to look up by (a whole date is a `Date` already).
            (true, Some(b)) => b.date().map_or(SearchQuery::Empty, SearchQuery::Date),
            (false, None) => SearchQuery::Name(words),
            (false, Some(b)) => SearchQuery::NameBorn(words, b),
        }
    }
}

#[cfg(test)]
mod tests;
