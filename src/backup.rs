//! Backups that restore: pg_dump and pg_restore from the machine's PostgreSQL binaries, with
//! progress read from their `--verbose` lines, and the clinic's cluster-wide roles in a file beside
//! the dump.
//!
//! The password reaches the tools through `PGPASSWORD` in their environment, never their
//! arguments. A dump is written to `FILE.partial`, readable by its owner only, and renamed when
//! pg_dump has finished well, so a file with the final name is always a whole backup.
//!
//! Roles are not in a database's dump: they belong to the cluster. The roles file holds what
//! `pg_dumpall --roles-only --no-role-passwords` says of the clinic's roles only (the owner, the
//! group roles, the staff logins and their memberships), without `GRANTED BY` (the grantor may not
//! exist on another cluster) and without passwords: a login restored onto a new cluster has none
//! until an administrator resets it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::config::{ServerConfig, SslMode};
use crate::demo::cluster::Binaries;

/// The client tools a backup and a restore run.
const TOOLS: [&str; 3] = ["pg_dump", "pg_restore", "pg_dumpall"];

/// PostgreSQL's client tools, of a version that can read the server.
#[derive(Debug, Clone)]
pub struct Tools {
    bins: Binaries,
    /// Their major version.
    pub major: u32,
}

impl Tools {
    /// The newest client tools on this machine (`CLINIC_PG_BIN`, `/usr/lib/postgresql/N/bin`,
    /// `PATH`), refused when older than the server's major version: pg_dump reads no newer server.
    pub async fn find(server_major: u32) -> anyhow::Result<Self> {
        let bins = Binaries::find(&TOOLS).with_context(|| {
            format!(
                "pg_dump, pg_restore and pg_dumpall were not found. Install PostgreSQL's client \
                 tools, version {server_major} or later (sudo apt-get install -y \
                 postgresql-client-{server_major}), or point CLINIC_PG_BIN at their directory"
            )
        })?;
        let out = Command::new(bins.tool("pg_dump"))
            .arg("--version")
            .output()
            .await
            .with_context(|| format!("running {}", bins.tool("pg_dump").display()))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let major =
            major_of(&text).with_context(|| format!("reading pg_dump's version: {text}"))?;
        if major < server_major {
            bail!(
                "{} is version {major}, older than the server ({server_major}), and cannot dump \
                 it: install postgresql-client-{server_major} or later",
                bins.tool("pg_dump").display()
            );
        }
        Ok(Self { bins, major })
    }

    fn command(&self, tool: &str, conn: &Conn<'_>) -> Command {
        let mut cmd = Command::new(self.bins.tool(tool));
        conn.environment(&mut cmd);
        cmd.arg("--no-password")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }
}

/// The major version in `pg_dump (PostgreSQL) 15.8 (Debian 15.8-1)`.
fn major_of(version_line: &str) -> Option<u32> {
    let number = version_line
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    number
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Who the tools connect as, and where.
pub struct Conn<'a> {
    pub server: &'a ServerConfig,
    pub user: &'a str,
    pub password: &'a str,
}

impl Conn<'_> {
    /// libpq's settings in the child's environment: the password never appears in its arguments,
    /// where every user of the machine could read it.
    fn environment(&self, cmd: &mut Command) {
        let s = self.server;
        for var in ["PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGPASSFILE"] {
            cmd.env_remove(var);
        }
        cmd.env("PGHOST", &s.host)
            .env("PGPORT", s.port.to_string())
            .env("PGDATABASE", &s.dbname)
            .env("PGUSER", self.user)
            .env("PGSSLMODE", ssl_mode(s.sslmode))
            .env(
                "PGCONNECT_TIMEOUT",
                s.connect_timeout_secs.max(1).to_string(),
            )
            .env("PGAPPNAME", "clinic db")
            .env("LC_MESSAGES", "C");
        match self.password {
            "" => cmd.env_remove("PGPASSWORD"),
            password => cmd.env("PGPASSWORD", password),
        };
        match &s.sslrootcert {
            Some(ca) => cmd.env("PGSSLROOTCERT", ca),
            None => cmd.env_remove("PGSSLROOTCERT"),
        };
    }
}

fn ssl_mode(mode: SslMode) -> &'static str {
    match mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyFull => "verify-full",
    }
}

/// The roles file written beside a dump: `x.dump` -> `x.roles.sql`, `x` -> `x.roles.sql`.
pub fn roles_path(dump: &Path) -> PathBuf {
    let stem = match dump.extension() {
        Some(e) if e == "dump" => dump.with_extension(""),
        _ => dump.to_path_buf(),
    };
    let mut name = stem.into_os_string();
    name.push(".roles.sql");
    PathBuf::from(name)
}

/// The table a `--verbose` line of pg_dump or pg_restore starts on, if it is such a line.
pub fn table_started(line: &str) -> Option<&str> {
    const MARKS: [&str; 2] = ["dumping contents of table ", "processing data for table "];
    let rest = MARKS
        .iter()
        .find_map(|m| line.split_once(m).map(|(_, rest)| rest))?;
    Some(rest.trim().trim_matches('"'))
}

/// One table begun: how many so far (this one included), of how many, and its name.
pub type Progress<'a> = &'a mut (dyn FnMut(usize, usize, &str) + Send);

/// Run `cmd`, calling `progress` at each table its `--verbose` output begins; the error carries its
/// last other lines.
async fn run_with_progress(
    mut cmd: Command,
    what: &str,
    of: usize,
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    cmd.arg("--verbose").stderr(Stdio::piped());
    let mut child = cmd.spawn().with_context(|| format!("starting {what}"))?;
    let stderr = child.stderr.take().context("the tool's stderr")?;
    let mut lines = BufReader::new(stderr).lines();
    let mut last: VecDeque<String> = VecDeque::new();
    let mut done = 0;
    while let Some(line) = lines.next_line().await? {
        if let Some(table) = table_started(&line) {
            done += 1;
            progress(done, of.max(done), table);
        } else if !line.contains(": last built-in OID") {
            if last.len() == 12 {
                last.pop_front();
            }
            last.push_back(line);
        }
    }
    let status = child.wait().await?;
    if !status.success() {
        let said: Vec<String> = last
            .into_iter()
            .filter(|l| !is_chatter(l))
            .collect::<Vec<_>>();
        bail!("{what} failed ({status}):\n{}", said.join("\n"));
    }
    Ok(())
}

/// The many `--verbose` lines that say nothing about a failure.
fn is_chatter(line: &str) -> bool {
    [
        "reading ",
        "creating ",
        "saving ",
        "identifying ",
        "finding ",
    ]
    .iter()
    .any(|w| line.contains(&format!(": {w}")))
}

/// Dump the database into `file` (pg_dump's custom format), `tables` being how many tables the
/// progress counts to. Returns the file's size.
pub async fn dump(
    tools: &Tools,
    conn: &Conn<'_>,
    file: &Path,
    tables: usize,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    if file.exists() {
        bail!(
            "{} exists already: a backup never replaces another; name a new file",
            file.display()
        );
    }
    let partial = partial_path(file);
    let out = private_file(&partial)?;
    let mut cmd = tools.command("pg_dump", conn);
    cmd.arg("--format=custom").stdout(out);
    let result = run_with_progress(cmd, "pg_dump", tables, progress).await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, file).with_context(|| format!("renaming to {}", file.display()))?;
    Ok(std::fs::metadata(file)?.len())
}

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".partial");
    PathBuf::from(name)
}

/// A new file only its owner may read (a dump holds every patient's data).
fn private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Write `text` to a new private file at `path`.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = private_file(path)?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The roles file's text: `pg_dumpall --roles-only --no-role-passwords`, kept to `names`.
pub async fn dump_roles(
    tools: &Tools,
    conn: &Conn<'_>,
    names: &[String],
    header: &str,
) -> anyhow::Result<String> {
    let mut cmd = tools.command("pg_dumpall", conn);
    cmd.args([
        "--roles-only",
        "--no-role-passwords",
        "-l",
        conn.server.dbname.as_str(),
    ]);
    let out = cmd.output().await.context("starting pg_dumpall")?;
    if !out.status.success() {
        bail!(
            "pg_dumpall --roles-only failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let all = String::from_utf8_lossy(&out.stdout);
    Ok(format!("{header}{}", keep_roles(&all, names)))
}

/// What one line of a roles file does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `CREATE ROLE r;`, `ALTER ROLE r ...;` or `COMMENT ON ROLE r ...;`
    Role(String),
    /// `GRANT group TO member ...;`
    Grant { group: String, member: String },
    /// A `SET` of the session, as pg_dumpall begins with.
    Set,
}

/// Read one line of pg_dumpall's roles output (or of a roles file).
pub fn statement(line: &str) -> Option<Statement> {
    let line = line.trim();
    if !line.ends_with(';') {
        return None;
    }
    for lead in ["CREATE ROLE ", "ALTER ROLE ", "COMMENT ON ROLE "] {
        if let Some(rest) = line.strip_prefix(lead) {
            return Some(Statement::Role(identifier(rest)?.0));
        }
    }
    if let Some(rest) = line.strip_prefix("GRANT ") {
        let (group, rest) = identifier(rest)?;
        let (member, _) = identifier(rest.trim_start().strip_prefix("TO ")?)?;
        return Some(Statement::Grant { group, member });
    }
    line.starts_with("SET ").then_some(Statement::Set)
}

/// A role name at the start of `text` (bare or double-quoted), and what follows it.
fn identifier(text: &str) -> Option<(String, &str)> {
    if let Some(rest) = text.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if rest[i + 1..].starts_with('"') {
                    chars.next();
                    name.push('"');
                } else {
                    return Some((name, &rest[i + 1..]));
                }
            } else {
                name.push(c);
            }
        }
        return None;
    }
    let end = text.find([' ', ';']).unwrap_or(text.len());
    (end > 0).then(|| (text[..end].to_string(), &text[end..]))
}

/// pg_dumpall's statements about `names` only, grants without their grantor.
pub fn keep_roles(dumpall: &str, names: &[String]) -> String {
    let ours = |r: &String| names.contains(r);
    let mut out = String::new();
    for line in dumpall.lines() {
        let keep = match statement(line) {
            Some(Statement::Role(r)) => ours(&r),
            Some(Statement::Grant { group, member }) => ours(&group) && ours(&member),
            Some(Statement::Set) => true,
            None => false,
        };
        if keep {
            out.push_str(&without_grantor(line));
            out.push('\n');
        }
    }
    out
}

fn without_grantor(line: &str) -> String {
    match line.find(" GRANTED BY ") {
        Some(at) => format!("{};", &line[..at]),
        None => line.to_string(),
    }
}

/// A roles file read back: each role's statements in order, and the memberships.
#[derive(Debug, Default)]
pub struct RolesFile {
    pub roles: Vec<(String, Vec<String>)>,
    pub grants: Vec<(String, String, String)>,
}

impl RolesFile {
    /// Parse a roles file; refused when a line would make a role privileged beyond what the
    /// clinic's roles are (the file sits beside the dump and is run by a superuser).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut file = Self::default();
        for line in text.lines() {
            match statement(line) {
                Some(Statement::Role(name)) => {
                    if let Some(word) = privileged(line, &name) {
                        bail!("the roles file gives {name} {word}, which no clinic role has");
                    }
                    match file.roles.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, lines)) => lines.push(line.trim().to_string()),
                        None => file.roles.push((name, vec![line.trim().to_string()])),
                    }
                }
                Some(Statement::Grant { group, member }) => {
                    file.grants.push((group, member, line.trim().to_string()));
                }
                Some(Statement::Set) | None => {}
            }
        }
        Ok(file)
    }

    pub fn names(&self) -> Vec<String> {
        self.roles.iter().map(|(n, _)| n.clone()).collect()
    }
}

fn privileged(line: &str, role: &str) -> Option<&'static str> {
    let words: Vec<&str> = line
        .split_whitespace()
        .map(|w| w.trim_end_matches(';'))
        .collect();
    [
        "SUPERUSER",
        "BYPASSRLS",
        "REPLICATION",
        "CREATEDB",
        "CREATEROLE",
    ]
    .into_iter()
    .filter(|w| *w != "CREATEROLE" || role != "clinic_owner")
    .find(|w| words.contains(w))
}

/// How many tables' rows the dump holds (`pg_restore --list`); refuses a file that is no dump.
pub async fn tables_in(tools: &Tools, file: &Path) -> anyhow::Result<usize> {
    let out = Command::new(tools.bins.tool("pg_restore"))
        .arg("--list")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .await
        .context("starting pg_restore")?;
    if !out.status.success() {
        bail!(
            "{} is not a backup pg_restore {} can read: {}",
            file.display(),
            tools.major,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with(';') && l.contains(" TABLE DATA "))
        .count())
}

/// Restore `file` into the (empty) database `conn` names, in one transaction: a failure leaves it
/// empty.
pub async fn restore(
    tools: &Tools,
    conn: &Conn<'_>,
    file: &Path,
    tables: usize,
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    let mut cmd = tools.command("pg_restore", conn);
    cmd.args(["--exit-on-error", "--single-transaction"])
        .arg(format!("--dbname={}", conn.server.dbname))
        .arg(file)
        .stdout(Stdio::null());
    run_with_progress(cmd, "pg_restore", tables, progress).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_lines_name_their_table() {
        assert_eq!(
            table_started(r#"pg_dump: dumping contents of table "clinic.patients""#),
            Some("clinic.patients")
        );
        assert_eq!(
            table_started(r#"pg_restore: processing data for table "clinic.staff""#),
            Some("clinic.staff")
        );
        assert_eq!(table_started("pg_dump: reading schemas"), None);
        assert_eq!(
            major_of("pg_dump (PostgreSQL) 15.8 (Debian 15.8-1)"),
            Some(15)
        );
        assert_eq!(major_of("pg_dump (PostgreSQL) 17devel"), Some(17));
    }

    #[test]
    fn the_roles_file_sits_beside_the_dump() {
        assert_eq!(
            roles_path(Path::new("/b/clinic-2026-01-02-0300.dump")),
            Path::new("/b/clinic-2026-01-02-0300.roles.sql")
        );
        assert_eq!(
            roles_path(Path::new("nightly")),
            Path::new("nightly.roles.sql")
        );
    }

    const DUMPALL: &str = r#"--
-- PostgreSQL database cluster dump
--

SET default_transaction_read_only = off;

CREATE ROLE alice;
ALTER ROLE alice WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE clinic_doctor;
ALTER ROLE clinic_doctor WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE "Mallory x";
ALTER ROLE "Mallory x" WITH SUPERUSER;
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
ALTER ROLE alice SET statement_timeout TO '30s';

GRANT clinic_doctor TO alice GRANTED BY postgres;
GRANT clinic_doctor TO "Mallory x" GRANTED BY postgres;
"#;

    #[test]
    fn only_the_clinics_roles_are_kept_without_their_grantor() {
        let names = vec!["alice".to_string(), "clinic_doctor".to_string()];
        let kept = keep_roles(DUMPALL, &names);
        assert!(
            !kept.contains("postgres") && !kept.contains("Mallory"),
            "{kept}"
        );
        assert!(kept.contains("GRANT clinic_doctor TO alice;\n"), "{kept}");
        assert!(
            kept.contains("ALTER ROLE alice SET statement_timeout"),
            "{kept}"
        );
        let file = RolesFile::parse(&kept).expect("parses");
        assert_eq!(file.names(), names);
        assert_eq!(file.roles[0].1.len(), 3, "{:?}", file.roles);
        assert_eq!(file.grants.len(), 1);
        // Quoted names are read whole; a file that would make a superuser is refused.
        assert_eq!(
            statement(r#"GRANT clinic_doctor TO "Mallory x" GRANTED BY postgres;"#),
            Some(Statement::Grant {
                group: "clinic_doctor".into(),
                member: "Mallory x".into()
            })
        );
        let all: Vec<String> = ["alice", "clinic_doctor", "Mallory x"]
            .map(String::from)
            .to_vec();
        let e = RolesFile::parse(&keep_roles(DUMPALL, &all)).expect_err("superuser");
        assert!(e.to_string().contains("SUPERUSER"), "{e}");
    }
}
