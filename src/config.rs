//! The TOML config file and the places clinic keeps its files.
//!
//! No password is ever read from here: each person types their own at the login screen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::money::{Currency, NumberFormat};
use crate::domain::statement::CsvLayout;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("no home directory found to keep clinic's files in; pass --config PATH")]
    NoHome,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub clinic: ClinicConfig,
    pub server: ServerConfig,
    pub session: SessionConfig,
    pub records: RecordsConfig,
    pub billing: BillingConfig,
    pub display: DisplayConfig,
    /// Key overrides: action name -> key, e.g. `quit = "ctrl-q"`.
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClinicConfig {
    pub name: String,
    /// IANA zone, e.g. "Europe/London": what "today" and every clock on screen mean.
    pub time_zone: String,
    /// ISO 4217 code; amounts are kept in its minor units.
    pub currency: String,
    /// How dates are typed and shown besides ISO, as a chrono format, e.g. "%d/%m/%Y".
    pub date_format: String,
    /// How amounts are typed and shown, as an example: "1,234.50" or "1.234,50".
    pub number_format: String,
}

impl Default for ClinicConfig {
    fn default() -> Self {
        Self {
            name: "Riverside Family Clinic".into(),
            time_zone: "UTC".into(),
            currency: "USD".into(),
            date_format: "%d/%m/%Y".into(),
            number_format: "1,234.50".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    #[default]
    Prefer,
    Require,
    VerifyFull,
}

/// What a server must be for a connection to stay on it, as libpq's `target_session_attrs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TargetSessionAttrs {
    /// Whichever server answers first.
    Any,
    /// Only a server that takes writes (a primary): a standby is passed over for the next host.
    #[default]
    ReadWrite,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Host name, IP address, or an absolute path to a unix socket directory; several separated
    /// by commas (the members of an HA cluster), tried in order.
    pub host: String,
    /// The port on every host.
    pub port: u16,
    pub dbname: String,
    pub sslmode: SslMode,
    /// PEM file of the CA to trust for verify-full (the system's roots when absent).
    pub sslrootcert: Option<PathBuf>,
    /// Seconds to wait for the server before saying it is unreachable (for each host).
    pub connect_timeout_secs: u64,
    /// `read-write`: stay only on a server that takes writes, so after a failover the new
    /// primary is found among `host`'s; `any`: the first that answers.
    pub target_session_attrs: TargetSessionAttrs,
}

impl ServerConfig {
    /// The hosts to try, in order: `host` split at commas, blanks dropped.
    pub fn hosts(&self) -> Vec<&str> {
        self.host
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect()
    }

    /// Whether every host is a unix socket directory (where TLS never applies).
    pub fn on_sockets(&self) -> bool {
        self.hosts().iter().all(|h| h.starts_with('/'))
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 5432,
            dbname: "clinic".into(),
            sslmode: SslMode::Prefer,
            sslrootcert: None,
            connect_timeout_secs: 5,
            target_session_attrs: TargetSessionAttrs::ReadWrite,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Minutes without a key press before the screen locks (0 turns the lock off).
    pub idle_lock_minutes: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_lock_minutes: 10,
        }
    }
}

/// The doctor's side.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecordsConfig {
    /// How long an emergency (break-the-glass) access lasts, in minutes: 1 to 720, within the
    /// clinic's cap the database grants (clinic.break_glass_cap(), an administrator's setting).
    pub break_glass_minutes: u16,
}

impl Default for RecordsConfig {
    fn default() -> Self {
        Self {
            break_glass_minutes: 60,
        }
    }
}

/// The accounts office.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BillingConfig {
    /// Days from issue to an invoice's due date: 0 (due on receipt) to 365.
    pub payment_terms_days: u16,
    /// Where exports and patients' statements are written ("~/" is the person's home); unset:
    /// a clinic-exports folder in the home.
    pub export_dir: Option<String>,
    pub bank_csv: BankCsvConfig,
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            payment_terms_days: 30,
            export_dir: None,
            bank_csv: BankCsvConfig::default(),
        }
    }
}

/// How the bank's CSV statements are laid out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BankCsvConfig {
    /// One character: "," ";" or "\t".
    pub delimiter: String,
    /// Whether the first line names the columns.
    pub header: bool,
    /// Each a header name (any case) or a column number from 1.
    pub date: String,
    pub amount: String,
    pub reference: String,
    pub payer: String,
    /// chrono formats for the date, tried in order after ISO (2026-11-14).
    pub date_formats: Vec<String>,
    /// The amount's decimal separator, "." or ","; the clinic's own when absent.
    pub decimal: Option<String>,
}

impl Default for BankCsvConfig {
    fn default() -> Self {
        let layout = CsvLayout::default();
        Self {
            delimiter: ",".into(),
            header: layout.header,
            date: layout.date,
            amount: layout.amount,
            reference: layout.reference,
            payer: layout.payer,
            date_formats: layout.date_formats,
            decimal: None,
        }
    }
}

/// What the terminal is told to draw.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DisplayConfig {
    /// Colour codes: "auto" (by TERM, COLORTERM and NO_COLOR), "always" or "never".
    pub colour: Setting,
    /// Box drawing and symbols beyond ASCII: "auto" (by the locale), "always" or "never" (ASCII).
    pub glyphs: Setting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    #[default]
    Auto,
    Always,
    Never,
}

impl Config {
    /// Parse config text; errors name the file, the line and the key.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: describe_toml_error(&e, text),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    /// Load from `path`. When `required` is false a missing file means the defaults.
    pub fn load(path: &Path, required: bool) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |message: String| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        };
        if self.clinic.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(bad(format!(
                "key clinic.time_zone: unknown time zone {:?} (use an IANA name such as \"Europe/London\")",
                self.clinic.time_zone
            )));
        }
        let c = &self.clinic.currency;
        if Currency::parse(c).is_none() {
            return Err(bad(format!(
                "key clinic.currency: {c:?} is not a three-letter ISO 4217 code such as \"USD\""
            )));
        }
        if self.server.hosts().is_empty() {
            return Err(bad(
                "key server.host: name a server (a host name, an IP address or a socket directory)"
                    .to_string(),
            ));
        }
        if !(1..=720).contains(&self.records.break_glass_minutes) {
            return Err(bad(format!(
                "key records.break_glass_minutes: {} is not between 1 and 720 (the clinic's cap, at most 720, is the database's)",
                self.records.break_glass_minutes
            )));
        }
        if self.billing.payment_terms_days > 365 {
            return Err(bad(format!(
                "key billing.payment_terms_days: {} is more than a year (365 days at most)",
                self.billing.payment_terms_days
            )));
        }
        let csv = &self.billing.bank_csv;
        if csv.delimiter.len() != 1 {
            return Err(bad(format!(
                "key billing.bank_csv.delimiter: {:?} is not one character such as \",\" or \";\"",
                csv.delimiter
            )));
        }
        if csv.decimal.as_deref().is_some_and(|d| d != "." && d != ",") {
            return Err(bad(
                "key billing.bank_csv.decimal: write \".\" or \",\"".to_string()
            ));
        }
        // Dates are shown in it (a format chrono cannot write would panic the screen) and typed
        // in it, so a day it shows must read back.
        let day = chrono::NaiveDate::from_ymd_opt(1985, 6, 15).unwrap_or_default();
        let f = &self.clinic.date_format;
        if crate::domain::patient::format_date(day, f)
            .and_then(|shown| crate::domain::dates::parse_date(&shown, f))
            != Some(day)
        {
            return Err(bad(format!(
                "key clinic.date_format: {f:?} is not a date format that shows and reads a day, such as \"%d/%m/%Y\""
            )));
        }
        if NumberFormat::from_example(&self.clinic.number_format).is_none() {
            return Err(bad(format!(
                "key clinic.number_format: {:?} is not an example amount such as \"1,234.50\" or \"1.234,50\"",
                self.clinic.number_format
            )));
        }
        Ok(())
    }

    /// The clinic's currency (validated at load).
    pub fn currency(&self) -> Currency {
        Currency::parse(&self.clinic.currency).unwrap_or(Currency::USD)
    }

    /// Where exports and statements go: `[billing] export_dir`, or ~/clinic-exports.
    pub fn export_dir(&self) -> PathBuf {
        match &self.billing.export_dir {
            Some(dir) => crate::app::billing::expand_home(dir.trim()),
            None => directories::BaseDirs::new().map_or_else(
                || PathBuf::from("clinic-exports"),
                |d| d.home_dir().join("clinic-exports"),
            ),
        }
    }

    /// How the bank's CSV statements are read (validated at load).
    pub fn bank_csv(&self) -> CsvLayout {
        let c = &self.billing.bank_csv;
        CsvLayout {
            delimiter: c.delimiter.bytes().next().unwrap_or(b','),
            header: c.header,
            date: c.date.clone(),
            amount: c.amount.clone(),
            reference: c.reference.clone(),
            payer: c.payer.clone(),
            date_formats: c.date_formats.clone(),
            decimal: match c.decimal.as_deref() {
                Some(",") => ',',
                Some(_) => '.',
                None => self.number_format().decimal,
            },
        }
    }

    pub fn number_format(&self) -> NumberFormat {
        NumberFormat::from_example(&self.clinic.number_format).unwrap_or_default()
    }

    /// The clinic's time zone (validated at load).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.clinic.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }
}

fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let place = e
        .span()
        .map(|span| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: ")
        })
        .unwrap_or_default();
    format!("{place}{}", e.message())
}

/// Where clinic keeps its files, from the directories crate (XDG on Linux).
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn discover() -> Result<Self, ConfigError> {
        let dirs = directories::ProjectDirs::from("", "", "clinic").ok_or(ConfigError::NoHome)?;
        Ok(Self {
            config_file: dirs.config_dir().join("config.toml"),
            data_dir: dirs.data_dir().to_path_buf(),
        })
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses_and_documents_every_key() {
        let text = include_str!("../config.example.toml");
        let parsed = Config::parse(text, Path::new("config.example.toml")).expect("example parses");
        assert_eq!(parsed.clinic.name, "Riverside Family Clinic");
        // Every field of every section appears in the example (as a key or a commented key).
        for key in [
            "name",
            "time_zone",
            "currency",
            "date_format",
            "number_format",
            "host",
            "port",
            "dbname",
            "sslmode",
            "sslrootcert",
            "connect_timeout_secs",
            "target_session_attrs",
            "idle_lock_minutes",
            "break_glass_minutes",
            "payment_terms_days",
            "export_dir",
            "colour",
            "glyphs",
        ] {
            assert!(
                text.lines().any(|l| l
                    .trim_start_matches(['#', ' '])
                    .starts_with(&format!("{key} ="))),
                "config.example.toml does not document {key}"
            );
        }
    }

    #[test]
    fn a_missing_optional_file_means_defaults() {
        let c = Config::load(Path::new("/nonexistent/clinic.toml"), false).expect("defaults");
        assert_eq!(c, Config::default());
        let err = Config::load(Path::new("/nonexistent/clinic.toml"), true).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/clinic.toml"));
    }

    #[test]
    fn a_malformed_file_names_file_line_and_key() {
        let text = "[clinic]\nname = \"X\"\n\n[server]\nprot = 5432\n";
        let err = Config::parse(text, Path::new("/etc/clinic.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/etc/clinic.toml"), "{err}");
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("prot"), "{err}");

        let text = "[server]\nport = \"five\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");

        let text = "[clinic]\ntime_zone = \"Mars/Olympus\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("clinic.time_zone"), "{err}");
    }

    #[test]
    fn several_hosts_and_target_session_attrs() {
        let c = Config::parse(
            "[server]\nhost = \"db1.clinic.lan, db2.clinic.lan,\"\ntarget_session_attrs = \"any\"\n",
            Path::new("c.toml"),
        )
        .expect("parses");
        assert_eq!(c.server.hosts(), ["db1.clinic.lan", "db2.clinic.lan"]);
        assert_eq!(c.server.target_session_attrs, TargetSessionAttrs::Any);
        assert!(!c.server.on_sockets());
        assert_eq!(
            Config::default().server.target_session_attrs,
            TargetSessionAttrs::ReadWrite,
            "only a primary will do unless the file says otherwise"
        );
        let err = Config::parse("[server]\nhost = \" , \"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.host"), "{err}");
        let err = Config::parse(
            "[server]\ntarget_session_attrs = \"primary\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
