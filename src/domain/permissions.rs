//! The permission matrix as the Admin screen and `clinic permissions` show it: one row per clinic
//! role, object (a table, view or function of the schema) and operation, read live from the
//! catalog (the view `clinic.permission_matrix`, sql/0025), never from a hand-kept copy. Pure: the
//! filter and the CSV and Markdown renderings are functions of the rows.

use super::text::csv_field;
use std::fmt::Write as _;

/// What kind of object a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Table,
    View,
    Function,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::Function => "function",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectKind> {
        match s {
            "table" => Some(ObjectKind::Table),
            "view" => Some(ObjectKind::View),
            "function" => Some(ObjectKind::Function),
            _ => None,
        }
    }
}

/// One cell of the matrix: may `role` do `operation` to `object`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionRow {
    /// The group role, e.g. `clinic_receptionist`.
    pub role: String,
    pub kind: ObjectKind,
    /// `patients` for a table or view; `clinic.open_chart(bigint)` for a function.
    pub object: String,
    /// SELECT, INSERT, UPDATE or DELETE on a table or view; EXECUTE on a function.
    pub operation: String,
    /// The columns granted one by one when the role has the operation on part of a row only;
    /// `None` when it is granted on the whole table (or not at all, or for functions).
    pub columns: Option<Vec<String>>,
    /// The row-level security policies that apply to this role and operation, by name.
    pub policies: Vec<String>,
    /// Row-level security is enabled and forced on the table (false for views and functions).
    pub row_security: bool,
    /// The function runs with its owner's rights (SECURITY DEFINER); false for tables.
    pub security_definer: bool,
    pub allowed: bool,
}

impl PermissionRow {
    /// The role without the `clinic_` prefix: `receptionist`.
    pub fn job(&self) -> &str {
        self.role.strip_prefix("clinic_").unwrap_or(&self.role)
    }

    /// Whether the row matches what was typed in a filter: every word of `filter` (any case) must
    /// be found in the role, the object's kind or name, the operation, a column or a policy name,
    /// or be `allowed`/`yes` or `denied`/`no`. An empty filter matches everything.
    /// `"doctor select patients"`, `"receptionist denied"`, `"open_chart"`.
    pub fn matches(&self, filter: &str) -> bool {
        filter.split_whitespace().all(|word| {
            let word = word.to_lowercase();
            match word.as_str() {
                "allowed" | "yes" => return self.allowed,
                "denied" | "no" => return !self.allowed,
                _ => {}
            }
            let found = |s: &str| s.to_lowercase().contains(&word);
            found(&self.role)
                || found(self.kind.as_str())
                || found(&self.object)
                || found(&self.operation)
                || self.columns.iter().flatten().any(|c| found(c))
                || self.policies.iter().any(|p| found(p))
        })
    }

    /// What the role gets, in a word or a few: "yes", "no", "columns: a, b".
    pub fn grant_words(&self) -> String {
        match (&self.columns, self.allowed) {
            (_, false) => "no".into(),
            (Some(cols), true) => format!("columns: {}", cols.join(", ")),
            (None, true) => "yes".into(),
        }
    }
}

/// The header of the CSV and Markdown renderings.
pub const HEADER: [&str; 9] = [
    "role",
    "kind",
    "object",
    "operation",
    "allowed",
    "columns",
    "policies",
    "row_security",
    "security_definer",
];

fn fields(r: &PermissionRow) -> [String; 9] {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    [
        r.role.clone(),
        r.kind.as_str().to_string(),
        r.object.clone(),
        r.operation.clone(),
        yes_no(r.allowed),
        r.columns.as_ref().map(|c| c.join(" ")).unwrap_or_default(),
        r.policies.join(" "),
        yes_no(r.row_security),
        yes_no(r.security_definer),
    ]
}

/// The rows as CSV (RFC 4180: a header line, records ending in CRLF; columns and policies
/// separated by spaces inside their field).
pub fn to_csv(rows: &[PermissionRow]) -> String {
    let mut out = String::new();
    let mut line = |fields: &[String]| {
        let f: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&f.join(","));
        out.push_str("\r\n");
    };
    line(&HEADER.map(String::from));
    for r in rows {
        line(&fields(r));
    }
    out
}

/// A Markdown table cell: pipes escaped, line breaks as spaces.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// The rows as a Markdown table (a heading line per role, as a reader scans it).
pub fn to_markdown(rows: &[PermissionRow]) -> String {
    let mut out = String::new();
    let mut role: Option<&str> = None;
    for r in rows {
        if role != Some(r.role.as_str()) {
            if role.is_some() {
                out.push('\n');
            }
            role = Some(&r.role);
            let _ = writeln!(out, "## {}\n", md_cell(&r.role));
            out.push_str("| kind | object | operation | allowed | columns | policies |\n");
            out.push_str("|---|---|---|---|---|---|\n");
        }
        let f = fields(r);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md_cell(&f[1]),
            md_cell(&f[2]),
            md_cell(&f[3]),
            md_cell(&f[4]),
            md_cell(&f[5].replace(' ', ", ")),
            md_cell(&f[6].replace(' ', ", "))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        role: &str,
        object: &str,
        op: &str,
        columns: Option<&[&str]>,
        allowed: bool,
    ) -> PermissionRow {
        PermissionRow {
            role: role.into(),
            kind: ObjectKind::Table,
            object: object.into(),
            operation: op.into(),
            columns: columns.map(|c| c.iter().map(|s| s.to_string()).collect()),
            policies: vec!["patients_desk_read".into()],
            row_security: true,
            security_definer: false,
            allowed,
        }
    }

    #[test]
    fn every_word_of_the_filter_must_match_something() {
        let r = row(
            "clinic_receptionist",
            "patients",
            "UPDATE",
            Some(&["phone", "email"]),
            true,
        );
        assert!(r.matches(""));
        assert!(r.matches("receptionist patients"));
        assert!(r.matches("RECEPTION update phone"));
        assert!(r.matches("desk_read allowed"));
        assert!(!r.matches("receptionist denied"));
        assert!(!r.matches("doctor patients"));
        assert!(!r.matches("patients delete"));
        assert_eq!(r.grant_words(), "columns: phone, email");
        assert_eq!(r.job(), "receptionist");
    }

    #[test]
    fn csv_is_rfc_4180_with_crlf() {
        let mut r = row(
            "clinic_doctor",
            "appointments",
            "UPDATE",
            Some(&["status"]),
            true,
        );
        r.object = "odd,\"name\"".into();
        let csv = to_csv(&[r]);
        assert_eq!(
            csv,
            "role,kind,object,operation,allowed,columns,policies,row_security,security_definer\r\n\
             clinic_doctor,table,\"odd,\"\"name\"\"\",UPDATE,yes,status,patients_desk_read,yes,no\r\n"
        );
    }

    #[test]
    fn markdown_groups_rows_by_role_and_escapes_pipes() {
        let rows = [
            row("clinic_admin", "a|b", "SELECT", None, true),
            row("clinic_doctor", "patients", "DELETE", None, false),
        ];
        let md = to_markdown(&rows);
        assert!(md.starts_with("## clinic_admin\n\n| kind |"), "{md}");
        assert!(
            md.contains("| table | a\\|b | SELECT | yes |  | patients_desk_read |\n"),
            "{md}"
        );
        assert!(md.contains("\n## clinic_doctor\n"), "{md}");
        assert!(md.contains("| table | patients | DELETE | no |"), "{md}");
    }
}
