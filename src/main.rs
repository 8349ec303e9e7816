//! The `clinic` command line: which mode to run, and the wiring between them.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};

use clinic::config::{Config, Paths, ServerConfig};
use clinic::db::{self, migrate};
use clinic::demo::{self, DEMO_PASSWORD, DEMO_STAFF};
use clinic::domain::staff::Job;
use clinic::tui::{self, Target};

mod audit_cli;
mod db_cli;
mod generate;
mod permissions_cli;
mod staff_cli;

#[derive(Parser)]
#[command(
    name = "clinic",
    version = migrate::VERSION,
    about = "A keyboard-first terminal application for a small clinic"
)]
struct Cli {
    /// Config file (default: the XDG config directory's clinic/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the app against the configured server (the default).
    Run {
        /// Pre-fill the login screen's username.
        #[arg(long)]
        user: Option<String>,
    },
    /// The demo clinic on a private PostgreSQL cluster of its own.
    ///
    /// The cluster lives in ~/.local/share/clinic/demo (under root, /var/lib/clinic/demo), or in
    /// $CLINIC_DEMO_DIR when set. Several `clinic demo` at once share one server, which stops when
    /// the last of them exits. Every demo login's password is "demo".
    Demo {
        #[command(subcommand)]
        command: Option<DemoCommand>,
    },
    /// Database administration with an owner or superuser connection.
    Db {
        #[command(subcommand)]
        command: db_cli::DbCommand,
    },
    /// Print every key binding, per screen, as Markdown (the README's key map).
    Keys,
    /// The audit trail's hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// What each clinic role may do to each table, view and function, from the catalog.
    Permissions(permissions_cli::PermissionsArgs),
    /// Staff logins.
    Staff {
        #[command(subcommand)]
        command: staff_cli::StaffCommand,
    },
    /// Billing's reports and export for scripts and cron, as your own login (the same
    /// permissions as on screen).
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// A report's figures for scripts and cron (appointments, no-shows, waiting, utilisation,
    /// new-patients; revenue, receivables, reconciliation; my-days, diagnoses, prescriptions), as
    /// your own login: the same database functions and permissions as the Reports screen.
    Report {
        /// Which report.
        name: String,
        /// day, week, month, quarter, year (the one holding today), last-month (and so on),
        /// 2026-11, 2026, 2026-11-03 or 2026-11-01..2026-11-30.
        #[arg(long, default_value = "month")]
        period: String,
        /// csv or text.
        #[arg(long, default_value = "text")]
        format: String,
        #[command(flatten)]
        login: StaffLogin,
    },
    /// Man pages and shell completions, for packaging.
    #[command(hide = true)]
    Generate {
        #[command(subcommand)]
        command: generate::GenerateCommand,
    },
}

#[derive(Subcommand)]
enum BillingCommand {
    /// Accounts receivable aging per patient and in total (0-30, 31-60, 61-90, 90+ days after the
    /// due date).
    Aging {
        /// Count the days as of this date (default: today at the clinic).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        login: StaffLogin,
    },
    /// A patient's statement of account as printable text: their open invoices, credit and total.
    Statement {
        /// The patient's number.
        #[arg(long)]
        patient: i64,
        #[command(flatten)]
        login: StaffLogin,
    },
    /// The money taken per day, payment method and desk (default: today).
    Cash {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        #[command(flatten)]
        login: StaffLogin,
    },
    /// Import a bank statement (CSV as [billing.bank_csv] lays it out, or CAMT.053) and match its
    /// lines to open invoices; the accounts office reviews them on the Billing screen. The same
    /// file twice records nothing twice; a file with a bad line is refused whole.
    Import {
        file: PathBuf,
        #[command(flatten)]
        login: StaffLogin,
    },
    /// invoices.csv, invoice_lines.csv and payments.csv (RFC 4180, UTF-8, amounts as plain
    /// decimals) for the invoices issued and the payments received in a range of clinic days.
    Export {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: chrono::NaiveDate,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: chrono::NaiveDate,
        /// Where the files go (made if missing).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        login: StaffLogin,
    },
}

#[derive(Args)]
struct StaffLogin {
    /// Your clinic login. The password comes from PGPASSWORD or a hidden prompt.
    #[arg(long, short = 'U', env = "PGUSER")]
    user: String,
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Run the demo server in the foreground, printing a psql command per demo login, until Ctrl-C.
    Serve,
    /// Throw the demo cluster away; the next `clinic demo` makes a fresh one.
    Reset,
    /// Wait for a demo process to end, then give back its share of the server (the last one out
    /// stops it). Started by `clinic demo` itself.
    #[command(hide = true)]
    Release {
        #[arg(long)]
        pid: u32,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Seal the entries whose transactions have finished into the chain (the app does this in the
    /// background; this is for scripts and quiet nights).
    Seal(AdminConn),
    /// Seal what has finished, verify the whole chain and print its head. Keep the head line
    /// somewhere outside the database: a later chain that does not pass through it was rewritten.
    /// Exits with an error when the chain is broken.
    Verify(AdminConn),
    /// A filtered range of the audit trail as CSV, as an admin's own login.
    Export(audit_cli::ExportArgs),
}

#[derive(Args)]
pub struct AdminConn {
    /// The login to connect as: an admin, or the database owner or a superuser (to add the first
    /// admin).
    /// The password comes from PGPASSWORD or a hidden prompt.
    #[arg(long, short = 'U', env = "PGUSER", default_value = "postgres")]
    user: String,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln!: after a hang-up stderr is gone, and a failed write must not panic.
            let _ = writeln!(std::io::stderr(), "clinic: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths::discover()?;
    let (config_path, required) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (paths.config_file.clone(), false),
    };
    let config = Config::load(&config_path, required)?;
    let _log_guard = start_logging(&paths);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let outcome = match cli.command.unwrap_or(Command::Run { user: None }) {
        Command::Run { user } => {
            let target = Target {
                label: format!(
                    "{}:{} / {}",
                    config.server.host, config.server.port, config.server.dbname
                ),
                server: config.server.clone(),
                username_hint: user,
                notes: Vec::new(),
            };
            rt.block_on(tui::run(config, target))
        }
        Command::Keys => {
            print!("{}", clinic::app::keymap::markdown());
            Ok(())
        }
        Command::Demo { command: None } => rt.block_on(demo_open(config, &paths)),
        Command::Demo {
            command: Some(DemoCommand::Serve),
        } => rt.block_on(demo_serve(config, &paths)),
        Command::Demo {
            command: Some(DemoCommand::Release { pid }),
        } => {
            demo::release_when_gone(&demo::demo_root(&paths), pid)?;
            Ok(())
        }
        Command::Demo {
            command: Some(DemoCommand::Reset),
        } => {
            let root = demo::demo_root(&paths);
            if demo::reset(&root)? {
                println!("Removed the demo cluster at {}.", root.display());
            } else {
                println!("There is no demo cluster at {}.", root.display());
            }
            Ok(())
        }
        Command::Db { command } => rt.block_on(db_cli::run(&config, command)),
        Command::Generate { command } => generate::run(command),
        Command::Audit {
            command: AuditCommand::Seal(conn),
        } => rt.block_on(audit_seal(&config.server, &conn)),
        Command::Audit {
            command: AuditCommand::Verify(conn),
        } => rt.block_on(audit_verify(&config.server, &conn)),
        Command::Audit {
            command: AuditCommand::Export(args),
        } => rt.block_on(audit_cli::export(&config.server, args)),
        Command::Permissions(args) => rt.block_on(permissions_cli::run(&config.server, args)),
        Command::Staff { command } => rt.block_on(staff_cli::run(&config.server, command)),
        Command::Billing { command } => rt.block_on(billing(&config, command)),
        Command::Report {
            name,
            period,
            format,
            login,
        } => rt.block_on(report(&config, &name, &period, &format, &login)),
    };
    // A task still blocked (a name lookup of an unreachable server, say) must not keep a closed
    // desk's process alive: it is abandoned after a moment.
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    outcome
}

async fn report(
    config: &Config,
    name: &str,
    period: &str,
    format: &str,
    login: &StaffLogin,
) -> anyhow::Result<()> {
    use clinic::domain::report::{Period, ReportKind};
    let kind = ReportKind::parse(name).with_context(|| {
        let names: Vec<&str> = ReportKind::ALL.iter().map(|k| k.code()).collect();
        format!("no report {name:?}: one of {}", names.join(", "))
    })?;
    let csv = match format {
        "csv" => true,
        "text" => false,
        other => anyhow::bail!("--format {other:?}: csv or text"),
    };
    let today = chrono::Utc::now()
        .with_timezone(&config.time_zone())
        .date_naive();
    let period = Period::parse(period, today).map_err(anyhow::Error::msg)?;
    let password = admin_password(&login.user)?;
    let pool = db::connect_as(&config.server, &login.user, &password)
        .with_context(|| format!("connecting as {}", login.user))?;
    let client = pool.get().await?;
    migrate::check_schema(&client).await?;
    let figures = clinic::db::reports::figures(&**client, kind, period).await?;
    let out = if csv { figures.csv() } else { figures.text() };
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(())
}

async fn billing(config: &Config, command: BillingCommand) -> anyhow::Result<()> {
    let login = match &command {
        BillingCommand::Aging { login, .. }
        | BillingCommand::Cash { login, .. }
        | BillingCommand::Export { login, .. }
        | BillingCommand::Import { login, .. }
        | BillingCommand::Statement { login, .. } => login,
    };
    let password = admin_password(&login.user)?;
    let pool = db::connect_as(&config.server, &login.user, &password)
        .with_context(|| format!("connecting as {}", login.user))?;
    migrate::check_schema(&*pool.get().await?).await?;
    let today = chrono::Utc::now()
        .with_timezone(&config.time_zone())
        .date_naive();
    let (currency, format) = (config.currency(), config.number_format());
    match command {
        BillingCommand::Aging { as_of, .. } => {
            let text =
                clinic::report::aging_text(&pool, as_of.unwrap_or(today), currency, format).await?;
            print!("{text}");
        }
        BillingCommand::Cash { from, to, .. } => {
            let from = from.unwrap_or(today);
            let text = clinic::report::cash_text(&pool, from, to.unwrap_or(from), currency, format)
                .await?;
            print!("{text}");
        }
        BillingCommand::Statement { patient, .. } => {
            let text = clinic::report::statement_text(
                &pool,
                patient,
                &config.clinic.name,
                today,
                currency,
                format,
            )
            .await?;
            print!("{text}");
        }
        BillingCommand::Import { file, .. } => {
            let s = clinic::effects::billing::import(
                &pool,
                &file,
                &config.bank_csv(),
                currency,
                &clinic::app::progress::Progress::default(),
            )
            .await
            .map_err(anyhow::Error::msg)?;
            println!(
                "{}: {} money-in lines, {} new; suggested by invoice number {}, by payer and amount {}, by amount {}.",
                file.display(),
                s.lines_read,
                s.lines_new,
                s.by_number,
                s.by_name,
                s.by_amount
            );
        }
        BillingCommand::Export { from, to, dir, .. } => {
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            let counts = clinic::report::export(&pool, from, to, &dir, |file, done, of| {
                eprint!("\r{file}: {done} of {of} rows   ");
                if done == of {
                    eprintln!();
                }
            })
            .await?;
            println!(
                "Wrote {} invoices, {} lines and {} payments to {}.",
                counts.invoices,
                counts.lines,
                counts.payments,
                dir.display()
            );
        }
    }
    Ok(())
}

fn start_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = paths.log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::daily(dir, "clinic.log"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLINIC_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .try_init()
        .ok()?;
    Some(guard)
}

fn print_progress(step: &str) {
    println!("  {step} ...");
    let _ = std::io::stdout().flush();
}

async fn demo_open(config: Config, paths: &Paths) -> anyhow::Result<()> {
    let root = demo::demo_root(paths);
    println!("clinic demo: {}", root.display());
    // Should the app die in a way no handler sees, a watcher gives its share of the server back.
    let (server, lease) = demo::open(&root, &config, &mut print_progress).await?;
    if lease.users() > 1 {
        println!(
            "  Sharing the demo server with {} other desk(s).",
            lease.users() - 1
        );
    }
    let target = Target {
        server: server.server_config(),
        label: format!("{} (demo)", tilde(&root)),
        username_hint: None,
        notes: demo_logins(),
    };
    let result = tui::run(config, target).await;
    if let Err(e) = lease.release() {
        eprintln!("clinic: stopping the demo server: {e}");
    }
    result
}

/// The lines under the demo's login form: who to sign in as.
fn demo_logins() -> Vec<String> {
    let mut by_job: Vec<(Job, Vec<&str>)> = Vec::new();
    for (login, _, job) in DEMO_STAFF {
        match by_job.iter_mut().find(|(j, _)| j == job) {
            Some((_, logins)) => logins.push(login),
            None => by_job.push((*job, vec![login])),
        }
    }
    // One line a job, so it fits at 80 columns however many logins a job has.
    let mut lines = vec![format!(
        "Demo logins, each with the password \"{DEMO_PASSWORD}\":"
    )];
    lines.extend(
        by_job
            .iter()
            .map(|(job, logins)| format!("{}: {}", job.label(), logins.join(", "))),
    );
    lines
}

async fn demo_serve(config: Config, paths: &Paths) -> anyhow::Result<()> {
    let root = demo::demo_root(paths);
    let (server, lease) = demo::open(&root, &config, &mut print_progress).await?;
    println!("\nThe demo server is running (data in {}).", root.display());
    println!("Connect with psql as any demo login (password \"{DEMO_PASSWORD}\"):");
    for (login, _, job) in DEMO_STAFF {
        println!("  # {}\n  {}", job.as_str(), server.psql_command(login));
    }
    println!("\nPress Ctrl-C to stop it.");
    wait_for_stop_signal().await;
    if lease.release()? {
        println!("\nStopped the demo server.");
    } else {
        println!("\nThe demo server keeps running for the other desks using it.");
    }
    Ok(())
}

async fn wait_for_stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
        _ = async { match hup.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
    }
}

fn tilde(path: &std::path::Path) -> String {
    match std::env::var_os("HOME").map(PathBuf::from) {
        Some(home) if path.starts_with(&home) && home != std::path::Path::new("/") => {
            format!(
                "~/{}",
                path.strip_prefix(&home)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        }
        _ => path.display().to_string(),
    }
}

fn admin_password(user: &str) -> anyhow::Result<String> {
    if let Ok(pw) = std::env::var("PGPASSWORD") {
        return Ok(pw);
    }
    Ok(rpassword::prompt_password(format!(
        "Password for {user}: "
    ))?)
}

/// An admin's (or the owner's) connection, refused when the schema does not fit this binary.
async fn admin_client(
    server: &ServerConfig,
    conn: &AdminConn,
) -> anyhow::Result<tokio_postgres::Client> {
    let password = admin_password(&conn.user)?;
    let client = admin_connect(server, &conn.user, &password).await?;
    migrate::check_schema(&client).await?;
    Ok(client)
}

/// A connection as `user`, whatever the schema (for migrating, backing up and restoring), with the
/// pool's TLS and hosts.
async fn admin_connect(
    server: &ServerConfig,
    user: &str,
    password: &str,
) -> anyhow::Result<tokio_postgres::Client> {
    db::pool::connect_one(server, user, password)
        .await
        .with_context(|| format!("connecting to {}:{} as {user}", server.host, server.port))
}

async fn audit_seal(server: &ServerConfig, conn: &AdminConn) -> anyhow::Result<()> {
    let client = admin_client(server, conn).await?;
    let mut total = 0;
    // Each call seals a bounded batch; a long backlog takes several.
    loop {
        let n = db::audit::seal(&client).await?;
        total += n;
        if n < 10_000 {
            break;
        }
    }
    println!("Sealed {total} audit entries.");
    Ok(())
}

async fn audit_verify(server: &ServerConfig, conn: &AdminConn) -> anyhow::Result<()> {
    let client = admin_client(server, conn).await?;
    let s = db::audit::status(&client).await?;
    if let Some(at) = s.broken_at {
        bail!(
            "the audit chain is broken at entry {at}: an entry there or before it was changed or \
             removed ({} entries sealed)",
            s.sealed
        );
    }
    println!("The audit chain is whole: {} entries sealed.", s.sealed);
    if s.unsealed > 0 {
        let since = s
            .oldest_unsealed
            .map(|t| format!(", the oldest from {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
            .unwrap_or_default();
        println!(
            "{} entries are not sealed yet (their transactions are open, or a sealer holds the head){since}.",
            s.unsealed
        );
    }
    println!("head {}", s.head());
    Ok(())
}

fn prompt_line(prompt: &str) -> anyhow::Result<String> {
    print!("{prompt}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}
