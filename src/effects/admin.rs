//! The Admin screen's requests: the staff directory and its lifecycle steps, the emergency
//! accesses to review, and the clinic's settings, each through the database's own functions as the
//! signed-in administrator.

use deadpool_postgres::Pool;

use super::{read, with_client, words, Run};
use crate::app::admin::{PageAt, Reply, Request, StaffStep, TrailFilter};
use crate::db::{audit_trail, clinic_settings, permissions, staff, DbError};
use crate::domain::audit_trail::{AuditFilter, EntryCount, Page};

/// The database's filter for what the screen narrowed to: the patient found by their number.
async fn filter_of(c: &tokio_postgres::Client, f: &TrailFilter) -> Result<AuditFilter, DbError> {
    let mut filter = f.filter.clone();
    if let Some(n) = f.patient_number {
        filter.patient_id = Some(
            audit_trail::patient_id_by_number(c, n)
                .await?
                .ok_or_else(|| DbError::Invalid(format!("no patient has the number {n}")))?,
        );
    }
    Ok(filter)
}

async fn page(
    c: &tokio_postgres::Client,
    f: &TrailFilter,
    at: PageAt,
    limit: i64,
    count: bool,
) -> Result<(Page, Option<EntryCount>), DbError> {
    let filter = filter_of(c, f).await?;
    let (after, before) = match at {
        PageAt::Newest => (None, None),
        PageAt::OlderThan(c) => (Some(c), None),
        PageAt::NewerThan(c) => (None, Some(c)),
    };
    let page = audit_trail::audit_page(c, &filter, after, before, limit).await?;
    let count = match count {
        true => Some(audit_trail::count(c, &filter).await?),
        false => None,
    };
    Ok((page, count))
}

/// The filtered entries into a new file at `path` (its folder made if missing), readable by its
/// owner only (it names patients): written as `path.partial`, and given its name only once it is
/// whole and the export is in the audit trail; a failed export leaves no file. Never replaces one.
async fn export(
    c: &tokio_postgres::Client,
    f: &TrailFilter,
    path: &std::path::Path,
    progress: &crate::app::progress::Progress,
) -> Result<u64, String> {
    let filter = filter_of(c, f).await.map_err(|e| words(&e))?;
    let cannot = |e: std::io::Error| words(&format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    if path.exists() {
        return Err(words(&format!("{} exists already", path.display())));
    }
    let partial = path.with_extension("csv.partial");
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let file = open.open(&partial).map_err(cannot)?;
    let mut counted = |done: u64, of: u64| progress.set("entries written", done, of);
    let written =
        audit_trail::export_csv(c, &filter, std::io::BufWriter::new(file), &mut counted).await;
    let renamed = match written {
        Ok(n) => std::fs::rename(&partial, path).map(|()| n).map_err(cannot),
        Err(e) => Err(words(&e)),
    };
    if renamed.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    renamed
}

/// A step, done, in words for the notice line.
async fn step(
    c: &tokio_postgres::Client,
    step: &StaffStep,
    name: &str,
) -> Result<String, crate::db::DbError> {
    Ok(match step {
        StaffStep::Add {
            login,
            full_name,
            job,
            password,
        } => {
            staff::add_staff(c, login, password.expose(), full_name, *job).await?;
            format!(
                "{full_name} can sign in as {login}, as {}. Give them the password in person; :password changes it.",
                job.as_str()
            )
        }
        StaffStep::SetJob { staff_id, job } => {
            staff::set_job(c, *staff_id, *job).await?;
            format!("{name} is {} now (from their next sign-in).", job.as_str())
        }
        StaffStep::ResetPassword { staff_id, password } => {
            staff::reset_password(c, *staff_id, password.expose()).await?;
            format!("{name}'s password is reset: they choose their own at their next sign-in.")
        }
        StaffStep::Deactivate { staff_id } => {
            let ended = staff::deactivate(c, *staff_id).await?;
            match ended {
                0 => format!("{name} is deactivated: locked out of the app and of PostgreSQL."),
                1 => format!("{name} is deactivated; their open session was ended."),
                n => format!("{name} is deactivated; their {n} open sessions were ended."),
            }
        }
        StaffStep::Reactivate { staff_id } => {
            staff::reactivate(c, *staff_id).await?;
            format!("{name} can sign in again.")
        }
    })
}

impl Run for Request {
    type Reply = Reply;

    async fn run(self, pool: Pool) -> Reply {
        match self {
            Request::Staff { request } => Reply::Staff {
                request,
                result: read(&pool, async |c| staff::list_staff(&*c).await).await,
            },
            Request::Step {
                request,
                step: s,
                name,
            } => Reply::Step {
                request,
                result: read(&pool, async |c| step(c, &s, &name).await).await,
            },
            Request::Reviews { request } => Reply::Reviews {
                request,
                result: read(&pool, async |c| {
                    clinic_settings::accesses_to_review(&*c).await
                })
                .await,
            },
            Request::Review {
                request,
                access_id,
                note,
            } => Reply::Reviewed {
                request,
                result: read(&pool, async |c| {
                    clinic_settings::review(&*c, access_id, &note).await
                })
                .await,
            },
            Request::Settings { request } => Reply::Settings {
                request,
                result: read(&pool, async |c| {
                    clinic_settings::read(&*c).await.map(Box::new)
                })
                .await,
            },
            Request::SaveSettings { request, settings } => Reply::SettingsSaved {
                request,
                result: read(&pool, async |c| {
                    clinic_settings::update(&*c, &settings).await.map(Box::new)
                })
                .await,
            },
            Request::Permissions { request } => Reply::Permissions {
                request,
                result: read(&pool, async |c| permissions::permission_matrix(&*c).await).await,
            },
            Request::AuditPage {
                request,
                filter,
                at,
                limit,
                count,
            } => Reply::AuditPage {
                request,
                result: read(&pool, async |c| page(c, &filter, at, limit, count).await).await,
            },
            Request::AuditPickers { request } => Reply::AuditPickers {
                request,
                result: read(&pool, async |c| audit_trail::pickers(&*c).await).await,
            },
            Request::VerifyChain {
                request,
                progress,
                tz,
            } => Reply::Verified {
                request,
                result: read(&pool, async |c| {
                    let mut counted =
                        |done: u64, of: u64| progress.set("entries checked", done, of);
                    audit_trail::verify_chain(c, &mut counted).await
                })
                .await
                .map(|check| check.words(tz)),
            },
            Request::ExportAudit {
                request,
                filter,
                path,
                progress,
            } => Reply::AuditExported {
                request,
                result: match with_client(&pool, async |c| {
                    Ok::<_, DbError>(export(c, &filter, &path, &progress).await)
                })
                .await
                {
                    Ok(result) => result,
                    Err(e) => Err(words(&e)),
                },
            },
        }
    }
}
