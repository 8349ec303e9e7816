//! What the Records screen's keys ask for, what it asks of the database (run by
//! `crate::effects::records`) and the answers.

use chrono::{DateTime, NaiveDate, Utc};

use super::Snapshot;
use crate::app::action::Secret;
use crate::app::pending::RequestId;
use crate::domain::diagnosis::{Icd10Code, Icd10Query};
use crate::domain::patient::{PatientHit, SearchQuery};
use crate::domain::record::{
    Chart, DayVisit, NewPrescription, Severity, UnsignedRecord, VitalsValues,
};

/// What this screen's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Refresh,
    Up,
    Down,
    PageUp,
    PageDown,
    PreviousDay,
    NextDay,
    Today,
    Open,
    Start,
    EditDraft,
    NextSection,
    PreviousSection,
    Save,
    Sign,
    AddDiagnosis,
    AddPrescription,
    AddAllergy,
    Remove,
    /// The popup's main step: add the code, add the prescription, sign.
    Pick,
    /// "Yes" to the allergy question: prescribe it anyway.
    PrescribeAnyway,
    /// Find any patient (a walk-in) and open their chart.
    Find,
    /// Emergency access to the chart on screen.
    BreakGlass,
    /// A new note for the patient on screen (a walk-in, or a call).
    NewNote,
    /// Amend one of the patient's signed records.
    Amend,
}

/// Database work this screen asks for; run by `crate::effects::records`.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Day {
        request: RequestId,
        day: NaiveDate,
    },
    Chart {
        request: RequestId,
        patient_id: i64,
    },
    Start {
        request: RequestId,
        appointment_id: i64,
        patient_id: i64,
    },
    Save {
        request: RequestId,
        record_id: i64,
        version: i32,
        patient_id: i64,
        snapshot: Box<Snapshot>,
        vitals: Option<VitalsValues>,
    },
    SearchIcd {
        request: RequestId,
        query: Icd10Query,
    },
    AddDiagnosis {
        request: RequestId,
        record_id: i64,
        code: Icd10Code,
        primary: bool,
    },
    RemoveDiagnosis {
        request: RequestId,
        diagnosis_id: i64,
    },
    Prescribe {
        request: RequestId,
        record_id: i64,
        prescription: Box<NewPrescription>,
        allergy_confirmed: bool,
    },
    RemovePrescription {
        request: RequestId,
        prescription_id: i64,
    },
    RecordAllergy {
        request: RequestId,
        patient_id: i64,
        substance: String,
        reaction: Option<String>,
        severity: Severity,
    },
    SearchPatients {
        request: RequestId,
        query: SearchQuery,
        limit: i64,
    },
    BreakGlass {
        request: RequestId,
        patient_id: i64,
        reason: String,
        minutes: i32,
    },
    NewNote {
        request: RequestId,
        patient_id: i64,
    },
    Amend {
        request: RequestId,
        record_id: i64,
        patient_id: i64,
        summary: String,
        text: String,
    },
    /// Check the password against the sign-in's hash, save what is typed, then sign.
    Sign {
        request: RequestId,
        record_id: i64,
        password: Secret,
        hash: String,
        save: Option<Box<Request>>,
    },
}

/// What a prescription's save came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum Prescribed {
    Added(i64),
    /// The drug matches a recorded allergy: the allergy, in words.
    Allergy(String),
}

/// The answers, each with the request id it answers so a stale one is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Day {
        request: RequestId,
        result: Result<(Vec<DayVisit>, Vec<UnsignedRecord>), String>,
    },
    Chart {
        request: RequestId,
        result: Result<Chart, ChartRefusal>,
    },
    Patients {
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
    },
    GlassBroken {
        request: RequestId,
        result: Result<DateTime<Utc>, String>,
    },
    NoteStarted {
        request: RequestId,
        result: Result<(i64, Chart), String>,
    },
    Amended {
        request: RequestId,
        result: Result<i64, String>,
    },
    Started {
        request: RequestId,
        result: Result<(i64, Chart), String>,
    },
    Saved {
        request: RequestId,
        result: Result<i32, String>,
    },
    IcdFound {
        request: RequestId,
        result: Result<Vec<Icd10Code>, String>,
    },
    DiagnosisAdded {
        request: RequestId,
        result: Result<i64, String>,
    },
    PrescriptionAdded {
        request: RequestId,
        result: Result<Prescribed, String>,
    },
    Removed {
        request: RequestId,
        result: Result<(), String>,
    },
    AllergyRecorded {
        request: RequestId,
        result: Result<i64, String>,
    },
    Signed {
        request: RequestId,
        result: Result<(), String>,
    },
}

/// Why a chart did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRefusal {
    /// No appointment with this doctor and no record of theirs: break-the-glass is the way in.
    NoCare,
    Other(String),
}
