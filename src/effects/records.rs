//! The Records screen's requests: the doctor's day, charts, the encounter's saves and parts, the
//! ICD-10-CM search and signing, each through the database's clinical functions.

use deadpool_postgres::Pool;
use tokio_postgres::Client;

use super::{lock, patients, read, with_client, words, Run};
use crate::app::records::{ChartRefusal, Prescribed, Reply, Request};
use crate::db::records::{self, PrescribeError};
use crate::db::{icd10, DbError};
use crate::domain::record::EncounterNote;

/// Most codes the diagnosis box lists.
const ICD_LIMIT: i64 = 30;

/// Save the note (and the vitals when they go): the new version.
async fn save(c: &mut Client, request: &Request) -> Result<i32, DbError> {
    let Request::Save {
        record_id,
        version,
        patient_id,
        snapshot,
        vitals,
        ..
    } = request
    else {
        return Err(DbError::Other("not a save".into()));
    };
    let tx = c.transaction().await?;
    let (_, version) = records::save_encounter(
        &tx,
        Some(*record_id),
        Some(*version),
        *patient_id,
        &snapshot.note,
    )
    .await?;
    if let Some(v) = vitals {
        records::save_vitals(&tx, *record_id, v).await?;
    }
    tx.commit().await?;
    Ok(version)
}

impl Run for Request {
    type Reply = Reply;

    async fn run(self, pool: Pool) -> Reply {
        match self {
            Request::Day { request, day } => Reply::Day {
                request,
                result: read(&pool, async |c| {
                    let visits = records::doctor_day(&*c, day).await?;
                    let unsigned = records::my_unsigned(&*c).await?;
                    Ok((visits, unsigned))
                })
                .await,
            },
            Request::Chart {
                request,
                patient_id,
            } => Reply::Chart {
                request,
                // The only refusal of clinic.chart is the care relationship's.
                result: with_client(&pool, async |c| records::chart(&*c, patient_id).await)
                    .await
                    .map_err(|e| match e {
                        DbError::Forbidden => ChartRefusal::NoCare,
                        other => ChartRefusal::Other(words(&other)),
                    }),
            },
            Request::SearchPatients {
                request,
                query,
                limit,
            } => Reply::Patients {
                request,
                result: patients::search(&pool, &query, limit).await,
            },
            Request::BreakGlass {
                request,
                patient_id,
                reason,
                minutes,
            } => Reply::GlassBroken {
                request,
                result: read(&pool, async |c| {
                    records::break_glass(&*c, patient_id, &reason, minutes).await
                })
                .await,
            },
            Request::NewNote {
                request,
                patient_id,
            } => Reply::NoteStarted {
                request,
                result: read(&pool, async |c| {
                    let note = EncounterNote {
                        summary: "Note".into(),
                        ..EncounterNote::default()
                    };
                    let (id, _) =
                        records::save_encounter(&*c, None, None, patient_id, &note).await?;
                    Ok((id, records::chart(&*c, patient_id).await?))
                })
                .await,
            },
            Request::Amend {
                request,
                record_id,
                patient_id,
                summary,
                text,
            } => Reply::Amended {
                request,
                result: read(&pool, async |c| {
                    records::amend(&*c, record_id, patient_id, &summary, &text).await
                })
                .await,
            },
            Request::Start {
                request,
                appointment_id,
                patient_id,
            } => Reply::Started {
                request,
                result: read(&pool, async |c| {
                    let record_id = records::start_consultation(&*c, appointment_id).await?;
                    let chart = records::chart(&*c, patient_id).await?;
                    Ok((record_id, chart))
                })
                .await,
            },
            ref save_request @ Request::Save { request, .. } => Reply::Saved {
                request,
                result: read(&pool, async |c| save(c, save_request).await).await,
            },
            Request::SearchIcd { request, query } => Reply::IcdFound {
                request,
                result: read(&pool, async |c| icd10::search(c, &query, ICD_LIMIT).await).await,
            },
            Request::AddDiagnosis {
                request,
                record_id,
                code,
                primary,
            } => Reply::DiagnosisAdded {
                request,
                result: read(&pool, async |c| {
                    records::add_diagnosis(&*c, record_id, &code.code, None, primary).await
                })
                .await,
            },
            Request::RemoveDiagnosis {
                request,
                diagnosis_id,
            } => Reply::Removed {
                request,
                result: read(&pool, async |c| {
                    records::remove_diagnosis(&*c, diagnosis_id).await
                })
                .await,
            },
            Request::Prescribe {
                request,
                record_id,
                prescription,
                allergy_confirmed,
            } => Reply::PrescriptionAdded {
                request,
                result: with_client(&pool, async |c| {
                    match records::add_prescription(
                        &*c,
                        record_id,
                        &prescription,
                        allergy_confirmed,
                    )
                    .await
                    {
                        Ok(id) => Ok(Prescribed::Added(id)),
                        Err(PrescribeError::Allergy(words)) => Ok(Prescribed::Allergy(words)),
                        Err(PrescribeError::Db(e)) => Err(e),
                    }
                })
                .await
                .map_err(|e: DbError| words(&e)),
            },
            Request::RemovePrescription {
                request,
                prescription_id,
            } => Reply::Removed {
                request,
                result: read(&pool, async |c| {
                    records::remove_prescription(&*c, prescription_id).await
                })
                .await,
            },
            Request::RecordAllergy {
                request,
                patient_id,
                substance,
                reaction,
                severity,
            } => Reply::AllergyRecorded {
                request,
                result: read(&pool, async |c| {
                    records::record_allergy(
                        &*c,
                        patient_id,
                        &substance,
                        reaction.as_deref(),
                        severity,
                    )
                    .await
                })
                .await,
            },
            Request::Sign {
                request,
                record_id,
                password,
                hash,
                save: then_save,
            } => {
                // The password is checked as the lock screen checks it: against the argon2id hash
                // made when this person signed in (a slow hash, so on a blocking thread).
                let right = tokio::task::spawn_blocking(move || {
                    lock::verify_password(password.expose(), &hash)
                })
                .await
                .unwrap_or(false);
                if !right {
                    return Reply::Signed {
                        request,
                        result: Err("That is not your password; nothing was signed.".into()),
                    };
                }
                Reply::Signed {
                    request,
                    result: read(&pool, async |c| {
                        if let Some(s) = &then_save {
                            save(c, s).await?;
                        }
                        records::sign(&*c, record_id).await
                    })
                    .await,
                }
            }
        }
    }
}
