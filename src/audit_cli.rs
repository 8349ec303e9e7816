//! `clinic audit export`: a filtered range of the audit trail as CSV, as an admin's own login
//! (the same rows and summaries as the Admin screen; never clinical content).

use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args;
use clinic::config::ServerConfig;
use clinic::db::{self, audit_trail};

use super::{admin_password, StaffLogin};

#[derive(Args)]
pub struct ExportArgs {
    /// The first clinic day (in the clinic's time zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: NaiveDate,
    /// The last clinic day, included.
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: NaiveDate,
    /// Only what this login did.
    #[arg(long, value_name = "LOGIN")]
    person: Option<String>,
    /// Only entries about the patient with this patient number.
    #[arg(long, value_name = "NUMBER")]
    patient: Option<i64>,
    /// Only this action (read, insert, update, break_glass, add_staff, ...).
    #[arg(long)]
    action: Option<String>,
    /// Only entries about this table.
    #[arg(long)]
    table: Option<String>,
    /// The CSV file to write (RFC 4180, CRLF, oldest entry first).
    file: PathBuf,
    #[command(flatten)]
    login: StaffLogin,
}

pub async fn export(server: &ServerConfig, args: ExportArgs) -> anyhow::Result<()> {
    if args.to < args.from {
        bail!("--to {} is before --from {}", args.to, args.from);
    }
    let user = &args.login.user;
    let pool = db::connect_as(server, user, &admin_password(user)?)
        .with_context(|| format!("connecting as {user}"))?;
    let client = pool.get().await.map_err(db::DbError::from)?;
    let patient_id = match args.patient {
        None => None,
        Some(n) => Some(
            audit_trail::patient_id_by_number(&**client, n)
                .await?
                .with_context(|| format!("there is no patient number {n}"))?,
        ),
    };
    let filter = audit_trail::AuditFilter {
        person: args.person,
        patient_id,
        action: args.action,
        table: args.table,
        from: Some(args.from),
        to: Some(args.to),
    };
    let file = std::fs::File::create(&args.file)
        .with_context(|| format!("cannot write {}", args.file.display()))?;
    let n = audit_trail::export_csv(&**client, &filter, BufWriter::new(file), &mut |done, of| {
        eprint!("\r{done} of {of} entries   ");
    })
    .await
    .with_context(|| format!("exporting to {}", args.file.display()))?;
    eprintln!();
    println!("Wrote {n} audit entries to {}.", args.file.display());
    Ok(())
}
