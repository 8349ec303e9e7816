//! What the Admin screen's keys ask for, what it asks of the database, and the answers.

use crate::app::action::Secret;
use crate::app::pending::RequestId;
use crate::db::clinic_settings::AccessToReview;
use crate::db::staff::StaffRow;
use crate::domain::settings::ClinicSettings;
use crate::domain::staff::Job;

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
}
