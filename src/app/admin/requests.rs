//! What the Admin screen's keys ask for, what it asks of the database, and the answers.

use std::path::PathBuf;

use super::trail::{PageAt, TrailFilter};
use crate::app::action::Secret;
use crate::app::pending::RequestId;
use crate::app::progress::Progress;
use crate::domain::audit_trail::Pickers;
use crate::domain::audit_trail::{EntryCount, Page};
use crate::domain::permissions::PermissionRow;
use crate::domain::settings::AccessToReview;
use crate::domain::settings::ClinicSettings;
use crate::domain::staff::Job;
use crate::domain::staff::StaffRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    NextTab,
    PreviousTab,
    Up,
    Down,
    PageUp,
    PageDown,
    Refresh,
    Add,
    ChangeJob,
    ResetPassword,
    Deactivate,
    /// "Yes" to the question before deactivating.
    DeactivateConfirmed,
    Reactivate,
    Review,
    EditSettings,
    Filter,
    NextKind,
    Verify,
    Export,
    Save,
    FormEnter,
    NextField,
    PreviousField,
    ChoiceNext,
    ChoicePrevious,
    /// "Yes" to throwing a form's input away.
    Discard,
}

/// A step of the staff lifecycle (sql/0023), each through its security-definer function.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffStep {
    Add {
        login: String,
        full_name: String,
        job: Job,
        password: Secret,
    },
    SetJob {
        staff_id: i64,
        job: Job,
    },
    ResetPassword {
        staff_id: i64,
        password: Secret,
    },
    Deactivate {
        staff_id: i64,
    },
    Reactivate {
        staff_id: i64,
    },
}

/// Database work of this screen; run by `crate::effects::admin`.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Staff {
        request: RequestId,
    },
    /// One step, answered in words for the notice line ("Rita Moreno is a doctor now.").
    Step {
        request: RequestId,
        step: StaffStep,
        /// Who it is about, for the words.
        name: String,
    },
    Reviews {
        request: RequestId,
    },
    Review {
        request: RequestId,
        access_id: i64,
        note: String,
    },
    Settings {
        request: RequestId,
    },
    SaveSettings {
        request: RequestId,
        settings: Box<ClinicSettings>,
    },
    Permissions {
        request: RequestId,
    },
    /// A page of the audit trail; with its count when `count` (the first page of a filter).
    AuditPage {
        request: RequestId,
        filter: Box<TrailFilter>,
        at: PageAt,
        limit: i64,
        count: bool,
    },
    AuditPickers {
        request: RequestId,
    },
    /// The whole chain checked, counting into `progress`.
    VerifyChain {
        request: RequestId,
        progress: Progress,
        /// The clinic's, for the instants in the result's words.
        tz: chrono_tz::Tz,
    },
    ExportAudit {
        request: RequestId,
        filter: Box<TrailFilter>,
        path: PathBuf,
        progress: Progress,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Staff {
        request: RequestId,
        result: Result<Vec<StaffRow>, String>,
    },
    Step {
        request: RequestId,
        result: Result<String, String>,
    },
    Reviews {
        request: RequestId,
        result: Result<Vec<AccessToReview>, String>,
    },
    Reviewed {
        request: RequestId,
        result: Result<(), String>,
    },
    Settings {
        request: RequestId,
        result: Result<Box<ClinicSettings>, String>,
    },
    SettingsSaved {
        request: RequestId,
        result: Result<Box<ClinicSettings>, String>,
    },
    Permissions {
        request: RequestId,
        result: Result<Vec<PermissionRow>, String>,
    },
    AuditPage {
        request: RequestId,
        result: Result<(Page, Option<EntryCount>), String>,
    },
    AuditPickers {
        request: RequestId,
        result: Result<Pickers, String>,
    },
    /// The chain check's result in words (whole, or where it broke); an error in words too.
    Verified {
        request: RequestId,
        result: Result<String, String>,
    },
    /// Entries written.
    AuditExported {
        request: RequestId,
        result: Result<u64, String>,
    },
}
