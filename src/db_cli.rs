//! `clinic db ...`: the schema's migrations, and backups that restore, with an owner or superuser
//! connection (src/backup.rs runs the tools).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use clinic::backup::{self, Conn, RolesFile, Tools};
use clinic::config::{Config, ServerConfig};
use clinic::db::{backup as queries, migrate};

use super::{admin_connect, admin_password, AdminConn};

/// The password for these commands: `PGPASSWORD`, else a hidden prompt at a terminal, else none
/// (a nightly timer as the `postgres` account over the unix socket, where peer authentication
/// needs no password anywhere).
fn password(user: &str) -> anyhow::Result<String> {
    if std::env::var_os("PGPASSWORD").is_none() && !std::io::stdin().is_terminal() {
        return Ok(String::new());
    }
    admin_password(user)
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Apply the schema migrations that are missing.
    Migrate(AdminConn),
    /// Back the database up (pg_dump, custom format), its roles beside it.
    ///
    /// The clinic's roles and their memberships go to FILE.roles.sql beside the dump, never a
    /// password. Run it as a superuser: row security hides rows from anyone else. Progress goes to
    /// stderr, a line a table.
    Backup {
        /// Where the dump goes (default: clinic-YYYY-MM-DD-HHMM.dump here). An existing file is
        /// never replaced.
        file: Option<PathBuf>,
        #[command(flatten)]
        conn: AdminConn,
    },
    /// Restore a backup into an empty database.
    ///
    /// Into the configured database, which must be empty (it is created when missing). The roles
    /// file beside the dump creates the clinic's roles this cluster lacks; roles that exist are left
    /// as they are. pg_restore runs in one transaction; the database's grants follow.
    Restore {
        /// The dump (FILE.roles.sql beside it is read too).
        file: PathBuf,
        #[command(flatten)]
        conn: AdminConn,
    },
}

pub async fn run(config: &Config, command: DbCommand) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate(conn) => migrate_db(config, &conn).await,
        DbCommand::Backup { file, conn } => {
            let file = file.unwrap_or_else(|| {
                PathBuf::from(
                    chrono::Local::now()
                        .format("clinic-%Y-%m-%d-%H%M.dump")
                        .to_string(),
                )
            });
            back_up(&config.server, &conn, &file).await
        }
        DbCommand::Restore { file, conn } => restore(&config.server, &conn, &file).await,
    }
}

async fn migrate_db(config: &Config, conn: &AdminConn) -> anyhow::Result<()> {
    let password = password(&conn.user)?;
    let mut client = admin_connect(&config.server, &conn.user, &password).await?;
    let applied = migrate::migrate(&mut client).await?;
    let settings = migrate::seed_settings(&client, &config.clinic).await?;
    let from = if settings.changed_at.is_some() {
        "as an administrator set it on the Admin screen"
    } else {
        "from [clinic] in the config"
    };
    println!(
        "The clinic is {:?}, its time zone {}, its currency {} ({from}).",
        settings.clinic_name, settings.time_zone, settings.currency
    );
    if applied.is_empty() {
        println!(
            "The database is up to date ({} migrations, schema {}).",
            migrate::MIGRATIONS.len(),
            migrate::SCHEMA
        );
    } else {
        for name in &applied {
            println!("applied {name}");
        }
    }
    Ok(())
}

/// "table 12 of 57: clinic.patients": one line each in a log, one line rewritten on a terminal.
fn show_table(done: usize, of: usize, table: &str) {
    if std::io::stderr().is_terminal() {
        eprint!("\rtable {done} of {of}: {table:<50.50}");
        if done == of {
            eprintln!();
        }
    } else {
        eprintln!("table {done} of {of}: {table}");
    }
}

async fn back_up(server: &ServerConfig, conn: &AdminConn, file: &Path) -> anyhow::Result<()> {
    let roles_file = backup::roles_path(file);
    for f in [file, roles_file.as_path()] {
        if f.exists() {
            bail!(
                "{} exists already: a backup never replaces another; name a new file",
                f.display()
            );
        }
    }
    let password = password(&conn.user)?;
    let client = admin_connect(server, &conn.user, &password).await?;
    let tools = Tools::find(queries::server_major(&client).await?).await?;
    let tables = queries::table_count(&client).await?;
    let roles = queries::clinic_role_names(&client).await?;
    let c = Conn {
        server,
        user: &conn.user,
        password: &password,
    };
    let header = format!(
        "-- The clinic's roles, from the database {} on {}:{} at {}:\n\
         -- the owner and group roles, the staff logins and their memberships (pg_dumpall\n\
         -- --roles-only --no-role-passwords, kept to them). No passwords: a login made from this file has none until an admin resets it.\n\
         -- `clinic db restore` creates the roles a cluster lacks before the data; psql -f works too.\n",
        server.dbname,
        server.host,
        server.port,
        chrono::Local::now().format("%Y-%m-%d %H:%M %Z")
    );
    let roles_text = backup::dump_roles(&tools, &c, &roles, &header).await?;
    eprintln!(
        "Backing up {} ({tables} tables) with pg_dump {} to {} ...",
        server.dbname,
        tools.major,
        file.display()
    );
    let size = backup::dump(&tools, &c, file, tables, &mut show_table).await?;
    backup::write_private(&roles_file, &roles_text)?;
    println!(
        "Backed up {} to {} ({:.1} MB, {tables} tables).",
        server.dbname,
        file.display(),
        size as f64 / 1_000_000.0
    );
    println!(
        "The clinic's {} roles and their memberships are in {} (no passwords). Keep the two files together.",
        roles.len(),
        roles_file.display()
    );
    Ok(())
}

/// Connect to the target database, creating it when the cluster has none of that name.
async fn target(
    server: &ServerConfig,
    user: &str,
    password: &str,
) -> anyhow::Result<tokio_postgres::Client> {
    match admin_connect(server, user, password).await {
        Ok(client) => Ok(client),
        Err(e)
            if e.downcast_ref::<clinic::db::pool::ConnectError>()
                .and_then(|e| e.code())
                == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME) =>
        {
            let other = ServerConfig {
                dbname: "postgres".into(),
                ..server.clone()
            };
            let admin = admin_connect(&other, user, password).await?;
            queries::create_database(&admin, &server.dbname)
                .await
                .with_context(|| format!("creating the database {}", server.dbname))?;
            eprintln!("Created the database {}.", server.dbname);
            admin_connect(server, user, password).await
        }
        Err(e) => Err(e),
    }
}

async fn restore(server: &ServerConfig, conn: &AdminConn, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let password = password(&conn.user)?;
    let mut client = target(server, &conn.user, &password).await?;
    if let Some(what) = queries::not_empty(&client).await? {
        bail!(
            "the database {} is not empty (it has {what}): a backup is restored only into an \
             empty database. Restore into a new one (set [server] dbname, or --config), or drop \
             this one first if you mean to replace it",
            server.dbname
        );
    }
    let tools = Tools::find(queries::server_major(&client).await?).await?;
    let tables = backup::tables_in(&tools, file).await?;
    let created = create_missing_roles(&mut client, &backup::roles_path(file)).await?;
    eprintln!(
        "Restoring {} ({tables} tables) into {} with pg_restore {} ...",
        file.display(),
        server.dbname,
        tools.major
    );
    let c = Conn {
        server,
        user: &conn.user,
        password: &password,
    };
    backup::restore(&tools, &c, file, tables, &mut show_table).await?;
    queries::after_restore(&client).await?;
    println!(
        "Restored {} into {} ({tables} tables); database grants applied and statistics gathered.",
        file.display(),
        server.dbname
    );
    match created.as_deref() {
        None => {}
        Some([]) => {
            println!("The clinic's roles were in this cluster already; they are left as they were.")
        }
        Some(created) => println!(
            "Created the roles this cluster lacked: {}. Logins made here have no password yet: \
             set one administrator's with psql's \\password (it sends only a verifier), and that \
             administrator resets the others' (clinic staff reset-password LOGIN).",
            created.join(", ")
        ),
    }
    if let Err(e) = migrate::check_schema(&client).await {
        println!("Note: {e}.");
    }
    Ok(())
}

/// Create the roles the roles file names and this cluster lacks, with their memberships; the names
/// created (`None` without a roles file). Roles that exist are left as they are, memberships and
/// all.
async fn create_missing_roles(
    client: &mut tokio_postgres::Client,
    path: &Path,
) -> anyhow::Result<Option<Vec<String>>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!(
            "No roles file at {}: the clinic's roles must exist in this cluster already.",
            path.display()
        );
        return Ok(None);
    };
    let file = RolesFile::parse(&text).with_context(|| format!("reading {}", path.display()))?;
    let existing = queries::existing_roles(client, &file.names()).await?;
    let mut statements = Vec::new();
    let mut created = Vec::new();
    for (name, lines) in &file.roles {
        if !existing.contains(name) {
            created.push(name.clone());
            statements.extend(lines.iter().cloned());
        }
    }
    statements.extend(
        file.grants
            .iter()
            .filter(|(_, member, _)| created.contains(member))
            .map(|(_, _, line)| line.clone()),
    );
    queries::create_roles(client, &statements)
        .await
        .with_context(|| format!("creating roles from {}", path.display()))?;
    Ok(Some(created))
}
