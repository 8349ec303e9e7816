//! The Admin screen's requests: the staff directory and its lifecycle steps, the emergency
//! accesses to review, and the clinic's settings, each through the database's own functions as the
//! signed-in administrator.

use deadpool_postgres::Pool;

use super::{read, Run};
use crate::app::admin::{Reply, Request, StaffStep};
use crate::db::{clinic_settings, staff};

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
        }
    }
}
