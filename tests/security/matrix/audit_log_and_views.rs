//! The audit log and its chain head, its functions, the roles_permissions view, and the clinic's
//! settings.

use super::{cell, run_matrix, Cell, ALL, NONE};
use crate::common::{Allowed, Denied, World, ZeroRows};

/// The rows of [`matrix_audit_log_and_views`].
pub fn rows(w: &World) -> Vec<Cell> {
    vec![
        cell("SELECT * FROM clinic.audit_log", [Allowed, Allowed, Denied, Denied]),
        cell(
            "SELECT * FROM clinic.audit_log WHERE actor_login <> session_user",
            [Allowed, ZeroRows, Denied, Denied],
        ),
        cell(
            "SELECT * FROM clinic.audit_log WHERE actor_login = session_user",
            [Allowed, Allowed, Denied, Denied],
        ),
        cell(
            "INSERT INTO clinic.audit_log (at, actor_login, action, hash) VALUES (now(), 'nobody', 'forged', '\\x00')",
            NONE,
        ),
        cell("UPDATE clinic.audit_log SET action = 'nothing happened'", NONE),
        cell("DELETE FROM clinic.audit_log", NONE),
        cell("TRUNCATE clinic.audit_log", NONE),
        // The chain's head: moving or removing it would hide entries cut off the end of the log.
        cell("SELECT * FROM clinic.audit_head", NONE),
        cell("INSERT INTO clinic.audit_head DEFAULT VALUES", NONE),
        cell("UPDATE clinic.audit_head SET last_id = NULL, hash = NULL", NONE),
        cell("DELETE FROM clinic.audit_head", NONE),
        cell(
            format!("SELECT clinic.audit('read', 'medical_records', NULL, {}, NULL, false)", w.p_own),
            NONE,
        ),
        cell("SELECT clinic.audit_verify()", [Allowed, Denied, Denied, Denied]),
        // The clinic's settings (its time zone): everyone reads them, only the owner writes.
        cell("SELECT * FROM clinic.settings", ALL),
        cell("INSERT INTO clinic.settings DEFAULT VALUES", NONE),
        cell("UPDATE clinic.settings SET time_zone = 'Asia/Tokyo'", NONE),
        cell("DELETE FROM clinic.settings", NONE),
        cell("UPDATE clinic.settings SET idle_lock_minutes = 120, break_glass_max_minutes = 720", NONE),
        cell("TRUNCATE clinic.settings", NONE),
        // An administrator changes them through the checked, audited function only (sql/0027).
        cell(
            "SELECT clinic.update_settings((SELECT version FROM clinic.settings), 'Riverside', 'UTC', 'USD', 10, 240)",
            [Allowed, Denied, Denied, Denied],
        ),
        cell("SELECT clinic.seed_settings('Elsewhere', 'UTC', 'EUR')", NONE),
        // An export of the trail is noted in it, by an administrator only.
        cell("SELECT clinic.note_audit_export(12, NULL)", [Allowed, Denied, Denied, Denied]),
        cell("SELECT clinic.break_glass_cap()", [Denied, Allowed, Denied, Denied]),
        // Each person's own last sign-in, and nothing else.
        cell("SELECT clinic.note_sign_in()", ALL),
        cell("UPDATE clinic.staff SET last_sign_in_at = now()", NONE),
        cell("SELECT clinic.clinic_date(now())", ALL),
        cell("SELECT * FROM clinic.roles_permissions", [Allowed, Denied, Denied, Denied]),
        cell("SELECT * FROM clinic.permission_matrix", [Allowed, Denied, Denied, Denied]),
        cell("SELECT * FROM clinic.audit_verify_range(1, 100)", [Allowed, Denied, Denied, Denied]),
    ]
}

#[tokio::test]
async fn matrix_audit_log_and_views() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
