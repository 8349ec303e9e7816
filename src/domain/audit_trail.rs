//! The audit trail as the Admin screen and `clinic audit export` show it: who did what, when, to
//! which table, row and patient, and never clinical content.
//!
//! An entry's `detail` (jsonb, written by sql/) holds, today: `columns` (the names of the columns
//! an UPDATE changed, from the audit triggers), `minutes` (a break-the-glass grant's length),
//! `access` ("care" or "emergency", on a chart read), `login`, `job`, `from`, `to` (staff steps),
//! `sessions_ended` (a deactivation) and `migration` (a rechain). Its summary shows only those,
//! and each only in the shape it is known to have (a column name, a number, a job word, a login
//! name): anything else, a key added later or a value of another shape, is counted ("2 other
//! details not shown"), never printed. So a reason typed for emergency access, a note's body or a
//! diagnosis text cannot reach the screen or an export through this, whatever a later migration
//! puts in `detail`.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::domain::staff::Job;

/// What the admin narrows the trail to. Every field is optional; all given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AuditFilter {
    /// The login of the person who did it.
    pub person: Option<String>,
    /// The patient's internal id (from the patient lookup).
    pub patient_id: Option<i64>,
    /// `read`, `update`, `break_glass`, ... (the pickers list those the trail holds).
    pub action: Option<String>,
    /// The table the entry is about.
    pub table: Option<String>,
    /// The first clinic day, inclusive, in the clinic's time zone (clinic.settings).
    pub from: Option<NaiveDate>,
    /// The last clinic day, inclusive.
    pub to: Option<NaiveDate>,
}

/// The filter's picker lists: every action and every table the trail names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pickers {
    pub actions: Vec<String>,
    pub tables: Vec<String>,
}

/// A place in the trail, newest first by (at, id): a page starts or ends at one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// One entry as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_login: String,
    /// The staff member's name, when the login is (or was) on the staff.
    pub actor_name: Option<String>,
    pub action: String,
    pub table_name: Option<String>,
    pub row_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub patient_number: Option<i64>,
    /// "Family, Given" (demographics, which admins read; no clinical content).
    pub patient_name: Option<String>,
    /// The safe parts of `detail` in words (see the module's notes).
    pub summary: String,
    /// Flagged for an admin's review (emergency access).
    pub needs_review: bool,
}

impl AuditEntry {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.at,
            id: self.id,
        }
    }
}

/// A page of the trail, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub entries: Vec<AuditEntry>,
    /// Entries newer than the first one exist (ask with `before: first cursor`).
    pub has_newer: bool,
    /// Entries older than the last one exist (ask with `after: last cursor`).
    pub has_older: bool,
}

impl Page {
    /// Where the next (older) page starts: pass as `after`.
    pub fn older(&self) -> Option<Cursor> {
        self.has_older
            .then(|| self.entries.last().map(AuditEntry::cursor))
            .flatten()
    }

    /// Where the previous (newer) page ends: pass as `before`.
    pub fn newer(&self) -> Option<Cursor> {
        self.has_newer
            .then(|| self.entries.first().map(AuditEntry::cursor))
            .flatten()
    }
}

/// How many entries a filter matches, without counting millions of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryCount {
    /// Counted: there are this many.
    Exact(i64),
    /// More than the counting cap; the planner's estimate.
    About(i64),
}

impl EntryCount {
    pub fn words(self) -> String {
        match self {
            EntryCount::Exact(1) => "1 entry".into(),
            EntryCount::Exact(n) => format!("{} entries", thousands(n)),
            EntryCount::About(n) => format!("about {} entries", thousands(n)),
        }
    }
}

/// `3400000` as "3,400,000".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn is_migration_name(s: &str) -> bool {
    s.len() > 5
        && s.len() <= 80
        && s.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && s.as_bytes()[4] == b'_'
        && is_identifier(&s[5..])
}

/// A chain check's progress in words: "1,200,000 of 3,400,000 entries checked".
pub fn checked_words(done: u64, of: u64) -> String {
    let n = |v: u64| thousands(i64::try_from(v).unwrap_or(i64::MAX));
    format!("{} of {} entries checked", n(done), n(of))
}

/// The safe parts of an entry's `detail`, in words: "columns phone, email", "for 30 minutes",
/// "emergency access", "rita: receptionist to accountant". Nothing else is ever shown, only
/// counted (see the module's notes).
pub fn summary(detail: Option<&Value>) -> String {
    let Some(Value::Object(map)) = detail else {
        return match detail {
            None | Some(Value::Null) => String::new(),
            Some(_) => "1 other detail not shown".into(),
        };
    };
    let mut parts = Vec::new();
    let mut hidden = 0usize;
    let job = |v: &Value| v.as_str().and_then(Job::parse).map(|j| j.as_str());
    let mut from_to = (None, None);
    for (key, value) in map {
        let shown = match key.as_str() {
            "columns" => value.as_array().and_then(|cols| {
                let names: Option<Vec<&str>> = cols
                    .iter()
                    .map(|c| c.as_str().filter(|c| is_identifier(c)))
                    .collect();
                names.map(|n| format!("columns {}", n.join(", ")))
            }),
            "minutes" => value.as_i64().map(|m| format!("for {m} minutes")),
            "sessions_ended" => value.as_i64().map(|n| format!("{n} sessions ended")),
            "entries" => value.as_i64().map(|n| format!("{} entries", thousands(n))),
            "access" => match value.as_str() {
                Some(a @ ("care" | "emergency")) => Some(format!("{a} access")),
                _ => None,
            },
            "login" => value
                .as_str()
                .filter(|l| is_identifier(l))
                .map(|l| format!("login {l}")),
            "job" => job(value).map(|j| format!("job {j}")),
            "from" if job(value).is_some() => {
                from_to.0 = job(value);
                Some(String::new())
            }
            "to" if job(value).is_some() => {
                from_to.1 = job(value);
                Some(String::new())
            }
            // The clinic's settings an administrator changed (sql/0027): old and new values,
            // none of them about a patient.
            "clinic_name"
            | "time_zone"
            | "currency"
            | "idle_lock_minutes"
            | "break_glass_max_minutes" => setting_change(key, value),
            "migration" => value
                .as_str()
                .filter(|m| is_migration_name(m))
                .map(|m| format!("migration {m}")),
            _ => None,
        };
        match shown {
            Some(s) if !s.is_empty() => parts.push(s),
            Some(_) => {}
            None => hidden += 1,
        }
    }
    match from_to {
        (Some(f), Some(t)) => parts.push(format!("from {f} to {t}")),
        (Some(f), None) => parts.push(format!("from {f}")),
        (None, Some(t)) => parts.push(format!("to {t}")),
        (None, None) => {}
    }
    match hidden {
        0 => {}
        1 => parts.push("1 other detail not shown".into()),
        n => parts.push(format!("{n} other details not shown")),
    }
    parts.join("; ")
}

/// "time zone UTC → Europe/Berlin" for a setting's `[old, new]`, when both are plain values.
fn setting_change(key: &str, value: &Value) -> Option<String> {
    let [old, new] = value.as_array()?.as_slice() else {
        return None;
    };
    let plain = |v: &Value| match v {
        Value::String(s) if s.chars().count() <= 80 && !s.contains(['\n', '\r']) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    Some(format!(
        "{} {} → {}",
        key.replace('_', " "),
        plain(old)?,
        plain(new)?
    ))
}

/// The header of `clinic audit export`'s CSV.
pub const CSV_HEADER: [&str; 12] = [
    "id",
    "at",
    "login",
    "name",
    "action",
    "table",
    "row",
    "patient_id",
    "patient_number",
    "patient_name",
    "summary",
    "needs_review",
];

/// An entry's CSV fields, in [`CSV_HEADER`]'s order (instants in RFC 3339, UTC).
pub fn csv_fields(e: &AuditEntry) -> [String; 12] {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        e.id.to_string(),
        e.at.to_rfc3339(),
        e.actor_login.clone(),
        e.actor_name.clone().unwrap_or_default(),
        e.action.clone(),
        e.table_name.clone().unwrap_or_default(),
        opt(e.row_id),
        opt(e.patient_id),
        opt(e.patient_number),
        e.patient_name.clone().unwrap_or_default(),
        e.summary.clone(),
        if e.needs_review { "yes" } else { "no" }.into(),
    ]
}

/// The first entry of the chain that does not follow from the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The entry's id (what `clinic.audit_verify()` returns).
    pub id: i64,
    /// Its place in the chain, when the entry is still there.
    pub seq: Option<i64>,
    pub at: Option<DateTime<Utc>>,
    pub actor_login: Option<String>,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Entries checked (the sealed ones).
    pub checked: i64,
    pub broken: Option<ChainBreak>,
    /// When the newest sealed entry was written.
    pub newest_sealed_at: Option<DateTime<Utc>>,
    /// Entries not sealed yet (seconds old, or a sealer holds the head).
    pub unsealed: i64,
}

impl ChainCheck {
    /// The result in words, instants in `tz` (the clinic's time zone).
    pub fn words(&self, tz: chrono_tz::Tz) -> String {
        let when = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string();
        let mut out = match &self.broken {
            None => match self.newest_sealed_at {
                Some(t) => format!(
                    "The audit trail is whole: {} entries, the newest sealed at {}.",
                    thousands(self.checked),
                    when(t)
                ),
                None => "The audit trail is whole: no entries are sealed yet.".into(),
            },
            Some(b) => {
                let mut s = format!("The audit trail is broken at entry {}", b.id);
                match (b.at, &b.actor_login) {
                    (Some(at), Some(who)) => s.push_str(&format!(" (at {}, by {who})", when(at))),
                    _ => s.push_str(" (the entry is gone: entries were cut off the end)"),
                }
                s.push_str(&format!(
                    ": it or an entry before it was changed or removed. {} entries checked.",
                    thousands(self.checked)
                ));
                s
            }
        };
        if self.unsealed > 0 {
            out.push_str(&format!(
                " {} newer entries are not sealed yet.",
                thousands(self.unsealed)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_summary_shows_only_known_safe_parts() {
        assert_eq!(summary(None), "");
        assert_eq!(
            summary(Some(&json!({"columns": ["email", "phone"]}))),
            "columns email, phone"
        );
        assert_eq!(summary(Some(&json!({"minutes": 30}))), "for 30 minutes");
        assert_eq!(
            summary(Some(
                &json!({"time_zone": ["UTC", "Europe/Berlin"], "idle_lock_minutes": [10, 5]})
            )),
            "idle lock minutes 10 → 5; time zone UTC → Europe/Berlin"
        );
        assert_eq!(
            summary(Some(&json!({"currency": "EUR"}))),
            "1 other detail not shown",
            "only the shape the settings function writes"
        );
        assert_eq!(
            summary(Some(&json!({"access": "emergency"}))),
            "emergency access"
        );
        assert_eq!(
            summary(Some(
                &json!({"login": "rita", "from": "receptionist", "to": "accountant"})
            )),
            "login rita; from receptionist to accountant"
        );
        assert_eq!(
            summary(Some(&json!({"migration": "0011_audit_seal"}))),
            "migration 0011_audit_seal"
        );
    }

    #[test]
    fn clinical_text_in_detail_is_never_shown() {
        let s = summary(Some(&json!({
            "reason": "Chest pain, suspected MI",
            "body": "Patient reports...",
            "columns": ["body", "Patient has HIV"],
            "access": "Patient has HIV",
            "login": "Patient has HIV",
            "minutes": "forever, because of the HIV",
            "from": "HIV",
        })));
        assert!(
            !s.contains("HIV") && !s.contains("pain") && !s.contains("reports"),
            "{s}"
        );
        assert_eq!(s, "7 other details not shown");
        assert_eq!(
            summary(Some(&json!("free text"))),
            "1 other detail not shown"
        );
    }

    #[test]
    fn counts_and_results_read_as_words() {
        assert_eq!(thousands(3_400_000), "3,400,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(
            EntryCount::About(1_200_000).words(),
            "about 1,200,000 entries"
        );
        let at = DateTime::parse_from_rfc3339("2026-03-01T09:30:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        let whole = ChainCheck {
            checked: 3_400_000,
            broken: None,
            newest_sealed_at: Some(at),
            unsealed: 0,
        };
        assert_eq!(
            whole.words(chrono_tz::Europe::Paris),
            "The audit trail is whole: 3,400,000 entries, the newest sealed at 2026-03-01 10:30:00."
        );
        let broken = ChainCheck {
            broken: Some(ChainBreak {
                id: 42,
                seq: Some(40),
                at: Some(at),
                actor_login: Some("rita".into()),
            }),
            unsealed: 2,
            ..whole
        };
        assert_eq!(
            broken.words(chrono_tz::UTC),
            "The audit trail is broken at entry 42 (at 2026-03-01 09:30:00, by rita): it or an \
             entry before it was changed or removed. 3,400,000 entries checked. 2 newer entries \
             are not sealed yet."
        );
    }
}
