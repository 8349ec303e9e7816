//! `clinic staff ...`: the staff lifecycle for scripts, as an admin's own login (or the owner's
//! when bootstrapping the first admin), through the same security-definer functions the Admin
//! screen uses (sql/0001, 0023). Passwords are asked for hidden, twice, and sent only as a SCRAM
//! verifier computed here.

use anyhow::{bail, Context};
use clap::Subcommand;
use clinic::config::ServerConfig;
use clinic::db;
use clinic::domain::staff::Job;

use super::{admin_client, prompt_line, AdminConn};

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Create a staff member with their own PostgreSQL login (the password is asked for, hidden).
    Add {
        /// The new login name (lower-case letters, digits, _).
        login: String,
        /// Make them an administrator (shorthand for --job admin).
        #[arg(long, conflicts_with = "job")]
        admin: bool,
        /// admin | doctor | receptionist | accountant
        #[arg(long)]
        job: Option<String>,
        /// Their full name as staff see it.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        conn: AdminConn,
    },
    /// Everyone on the staff: login, name, job, active, whether PostgreSQL lets them in, and
    /// whether they are signed in now.
    List {
        #[command(flatten)]
        conn: AdminConn,
    },
    /// Move a person to another job (their group role and staff row together).
    SetJob {
        login: String,
        /// admin | doctor | receptionist | accountant
        job: String,
        #[command(flatten)]
        conn: AdminConn,
    },
    /// Give a person a new password (asked for, hidden); they choose their own at next sign-in.
    ResetPassword {
        login: String,
        #[command(flatten)]
        conn: AdminConn,
    },
    /// Lock a person out of the app and of PostgreSQL (NOLOGIN; their open sessions end).
    Deactivate {
        login: String,
        #[command(flatten)]
        conn: AdminConn,
    },
    /// Let a deactivated person sign in again.
    Reactivate {
        login: String,
        #[command(flatten)]
        conn: AdminConn,
    },
}

fn job_of(text: &str) -> anyhow::Result<Job> {
    Job::parse(text).with_context(|| {
        format!("unknown job {text:?}: use admin, doctor, receptionist or accountant")
    })
}

pub async fn run(server: &ServerConfig, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add {
            login,
            admin,
            job,
            name,
            conn,
        } => {
            let job = match (admin, job.as_deref()) {
                (true, _) => Job::Admin,
                (false, Some(j)) => job_of(j)?,
                (false, None) => {
                    bail!("say which job: --admin or --job doctor|receptionist|accountant|admin")
                }
            };
            add(server, &conn, &login, job, name.as_deref()).await
        }
        StaffCommand::List { conn } => {
            let client = admin_client(server, &conn).await?;
            println!(
                "{:<20} {:<28} {:<13} {:<8} {:<6} {:<21} signed in since",
                "login", "name", "job", "active", "psql", "last app sign-in"
            );
            let utc = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            };
            for s in db::staff::list_staff(&client).await? {
                println!(
                    "{:<20} {:<28} {:<13} {:<8} {:<6} {:<21} {}",
                    s.login,
                    s.full_name,
                    s.job,
                    if s.active { "yes" } else { "no" },
                    if s.can_log_in { "yes" } else { "no" },
                    utc(s.last_sign_in),
                    utc(s.signed_in_since)
                );
            }
            Ok(())
        }
        StaffCommand::SetJob { login, job, conn } => {
            let job = job_of(&job)?;
            let client = admin_client(server, &conn).await?;
            let id = db::staff::staff_id(&client, &login).await?;
            db::staff::set_job(&client, id, job).await?;
            println!("{login} is now {}.", job.as_str());
            Ok(())
        }
        StaffCommand::ResetPassword { login, conn } => {
            let client = admin_client(server, &conn).await?;
            let id = db::staff::staff_id(&client, &login).await?;
            let password = new_password(&login)?;
            db::staff::reset_password(&client, id, &password).await?;
            println!("{login} has a new password; they choose their own at their next sign-in.");
            Ok(())
        }
        StaffCommand::Deactivate { login, conn } => {
            let client = admin_client(server, &conn).await?;
            let id = db::staff::staff_id(&client, &login).await?;
            let ended = db::staff::deactivate(&client, id).await?;
            println!(
                "{login} is deactivated: PostgreSQL refuses their login; {ended} open session{} ended.",
                if ended == 1 { "" } else { "s" }
            );
            Ok(())
        }
        StaffCommand::Reactivate { login, conn } => {
            let client = admin_client(server, &conn).await?;
            let id = db::staff::staff_id(&client, &login).await?;
            db::staff::reactivate(&client, id).await?;
            println!("{login} can sign in again.");
            Ok(())
        }
    }
}

/// A new password for `login`, typed twice at a hidden prompt and checked here.
fn new_password(login: &str) -> anyhow::Result<String> {
    loop {
        let first = rpassword::prompt_password(format!("New password for {login}: "))?;
        if let Some(why) = db::staff::password_problem(login, &first) {
            eprintln!("{why}");
            continue;
        }
        let again = rpassword::prompt_password("Type it again: ")?;
        if first == again {
            return Ok(first);
        }
        eprintln!("The two passwords differ; try again.");
    }
}

async fn add(
    server: &ServerConfig,
    conn: &AdminConn,
    login: &str,
    job: Job,
    name: Option<&str>,
) -> anyhow::Result<()> {
    if !db::staff::valid_login_name(login) {
        bail!("{login:?} is not a usable login name: use lower-case letters, digits and _, starting with a letter");
    }
    let client = admin_client(server, conn).await?;
    let full_name = match name {
        Some(n) => n.to_string(),
        None => prompt_line(&format!("Full name of {login}: "))?,
    };
    let password = new_password(login)?;
    let id = db::staff::add_staff(&client, login, &password, &full_name, job).await?;
    println!(
        "Created {login} ({}) as staff #{id}. They can sign in now.",
        job.as_str()
    );
    Ok(())
}
