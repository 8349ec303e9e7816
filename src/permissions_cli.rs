//! `clinic permissions`: the permission matrix (what each clinic role may do to each table, view
//! and function, read live from the catalog) as Markdown or CSV, as an admin's own login.

use anyhow::Context;
use clap::{Args, ValueEnum};
use clinic::config::ServerConfig;
use clinic::db::{self, permissions};

use super::{admin_password, StaffLogin};

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A table per role, for reading or a wiki.
    Markdown,
    /// RFC 4180 (CRLF), one row per role, object and operation, for a spreadsheet.
    Csv,
}

#[derive(Args)]
pub struct PermissionsArgs {
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    #[command(flatten)]
    login: StaffLogin,
}

pub async fn run(server: &ServerConfig, args: PermissionsArgs) -> anyhow::Result<()> {
    let user = &args.login.user;
    let pool = db::connect_as(server, user, &admin_password(user)?)
        .with_context(|| format!("connecting as {user}"))?;
    let client = pool.get().await.map_err(db::DbError::from)?;
    let rows = permissions::permission_matrix(&**client).await?;
    print!(
        "{}",
        match args.format {
            Format::Markdown => permissions::to_markdown(&rows),
            Format::Csv => permissions::to_csv(&rows),
        }
    );
    Ok(())
}
