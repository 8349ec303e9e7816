//! Writing the encounter: the form's keys, its saves, its parts (diagnoses, prescriptions,
//! allergies), signing, and the answers to all of them.

use super::{Cmd, EncounterForm, Popup, Prescribed, RecordsScreen, Reply, Request, Section};
use crate::app::confirm::Confirm;
use crate::app::pending::Pending;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::List;
use tui_input::Input;

impl RecordsScreen {
    pub(super) fn save_now(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        let Some(request) = save_request(form, ctx) else {
            return Outcome::redraw();
        };
        Outcome::request(request)
    }

    pub(super) fn close_encounter(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.encounter = None;
        // The chart shows what was just written.
        match &mut self.chart {
            Some(view) => {
                let request = ctx.start(&mut view.loading, ());
                let patient_id = view.patient.patient_id;
                Outcome::request(Request::Chart {
                    request,
                    patient_id,
                })
                .and(self.load_day(ctx))
            }
            None => self.load_day(ctx),
        }
    }

    pub(super) fn encounter_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        if cmd == Cmd::PrescribeAnyway {
            return match self.held_prescription.take() {
                Some(prescription) => {
                    let request = ctx.start(&mut form.part, prescription.drug.clone());
                    Outcome::request(Request::Prescribe {
                        request,
                        record_id: form.record_id,
                        prescription: Box::new(prescription),
                        allergy_confirmed: true,
                    })
                }
                None => Outcome::default(),
            };
        }
        match (&mut form.popup, cmd) {
            (Some(Popup::Diagnosis { found, .. }), Cmd::Up | Cmd::Down) => {
                found.move_by(if cmd == Cmd::Up { -1 } else { 1 });
                return Outcome::redraw();
            }
            (Some(Popup::Diagnosis { found, .. }), Cmd::Pick) => {
                let Some(code) = found.selected_item().cloned() else {
                    return Outcome::notice("Type a code or words of the diagnosis first.");
                };
                if !code.billable {
                    return Outcome::notice(format!(
                        "{} is a category: choose one of its codes.",
                        code.code
                    ));
                }
                let primary = form.diagnoses.is_empty();
                let request = ctx.start(&mut form.part, code.code.clone());
                form.popup = None;
                return Outcome::request(Request::AddDiagnosis {
                    request,
                    record_id: form.record_id,
                    code,
                    primary,
                });
            }
            (Some(Popup::Prescription(rx)), Cmd::NextSection | Cmd::PreviousSection) => {
                rx.next_field(cmd == Cmd::NextSection, true);
                return Outcome::redraw();
            }
            (Some(Popup::Prescription(rx)), Cmd::Pick) => {
                let Some(prescription) = EncounterForm::typed_prescription(rx) else {
                    return Outcome::redraw();
                };
                let request = ctx.start(&mut form.part, prescription.drug.clone());
                return Outcome::request(Request::Prescribe {
                    request,
                    record_id: form.record_id,
                    prescription: Box::new(prescription),
                    allergy_confirmed: false,
                });
            }
            (Some(Popup::Allergy(a)), Cmd::NextSection | Cmd::PreviousSection) => {
                a.next_field(cmd == Cmd::NextSection, true);
                return Outcome::redraw();
            }
            (Some(Popup::Allergy(a)), Cmd::Up | Cmd::Down) => {
                a.step(cmd == Cmd::Down);
                return Outcome::redraw();
            }
            (Some(Popup::Allergy(a)), Cmd::Pick) => {
                let Some((substance, reaction, severity)) = EncounterForm::typed_allergy(a) else {
                    return Outcome::redraw();
                };
                let request = ctx.start(&mut form.part, substance.clone());
                return Outcome::request(Request::RecordAllergy {
                    request,
                    patient_id: form.patient_id,
                    substance,
                    reaction,
                    severity,
                });
            }
            (Some(Popup::Prescription(_) | Popup::Allergy(_)), Cmd::Remove) => {
                // "Discard" from the question asked by Esc.
                form.popup = None;
                return Outcome::redraw();
            }
            (Some(Popup::Sign { .. }), Cmd::Pick) => return self.sign(ctx),
            (Some(_), _) => return Outcome::default(),
            (None, _) => {}
        }
        match cmd {
            Cmd::NextSection | Cmd::PreviousSection => {
                form.move_focus(cmd == Cmd::NextSection);
                Outcome::redraw()
            }
            Cmd::Up | Cmd::Down => {
                let by = if cmd == Cmd::Up { -1 } else { 1 };
                match form.focus {
                    Section::Diagnoses => form.diagnoses.move_by(by),
                    Section::Prescriptions => form.prescriptions.move_by(by),
                    _ => form.move_focus(by > 0),
                }
                Outcome::redraw()
            }
            Cmd::Save => self.save_now(ctx),
            Cmd::AddDiagnosis => {
                form.popup = Some(Popup::Diagnosis {
                    input: Input::default(),
                    found: List::default(),
                    due: None,
                    searching: Pending::default(),
                    error: None,
                });
                Outcome::redraw()
            }
            Cmd::AddPrescription => {
                form.open_prescription();
                Outcome::redraw()
            }
            Cmd::AddAllergy => {
                form.open_allergy();
                Outcome::redraw()
            }
            Cmd::Remove => {
                if form.part.in_flight() {
                    return Outcome::notice("Still saving the last change to the lists.");
                }
                let request = match form.focus {
                    Section::Diagnoses => form
                        .diagnoses
                        .selected_item()
                        .map(|d| (d.code.clone(), d.id, true)),
                    Section::Prescriptions => form
                        .prescriptions
                        .selected_item()
                        .map(|p| (p.drug.clone(), p.id, false)),
                    _ => None,
                };
                match request {
                    Some((what, id, diagnosis)) => {
                        let request = ctx.start(&mut form.part, what);
                        Outcome::request(if diagnosis {
                            Request::RemoveDiagnosis {
                                request,
                                diagnosis_id: id,
                            }
                        } else {
                            Request::RemovePrescription {
                                request,
                                prescription_id: id,
                            }
                        })
                    }
                    None => Outcome::notice("Select a diagnosis or a prescription to remove."),
                }
            }
            Cmd::Sign => {
                if ctx.password_hash.is_none() {
                    return Outcome::notice(
                        "Your password check is not ready yet; try again in a moment.",
                    );
                }
                form.open_sign();
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn sign(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(hash) = ctx.password_hash.map(str::to_string) else {
            return Outcome::notice("Your password check is not ready yet; try again in a moment.");
        };
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        if form.signing.in_flight() {
            return Outcome::notice("Still signing.");
        }
        let Some(password) = form.take_password() else {
            return Outcome::default();
        };
        let save = save_request(form, ctx).map(Box::new);
        let request = ctx.start(&mut form.signing, ());
        Outcome::request(Request::Sign {
            request,
            record_id: form.record_id,
            password,
            hash,
            save,
        })
    }

    pub(super) fn encounter_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        let now = ctx.now;
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        match reply {
            Reply::Saved { request, result } => {
                let Some(sent) = form.saving.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(version) => {
                        form.saved_ok(sent, version, now);
                        if form.closing {
                            if form.savable().is_none() {
                                return self.close_encounter(ctx);
                            }
                            return self.save_now(ctx);
                        }
                        Outcome::redraw()
                    }
                    Err(e) => {
                        form.save_failed(e.clone(), now);
                        Outcome::notice(format!("Not saved yet (kept here, trying again): {e}"))
                    }
                }
            }
            Reply::IcdFound { request, result } => {
                if let Some(Popup::Diagnosis {
                    found,
                    searching,
                    error,
                    ..
                }) = &mut form.popup
                {
                    if searching.finish(request).is_none() {
                        return Outcome::default();
                    }
                    match result {
                        Ok(codes) => {
                            found.reset(codes);
                            *error = None;
                        }
                        Err(e) => *error = Some(e),
                    }
                }
                Outcome::redraw()
            }
            Reply::DiagnosisAdded { request, result } => {
                let Some(code) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(_) => self
                        .reload_chart(ctx)
                        .with_notice(sentence(&format!("{code} added."))),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::PrescriptionAdded { request, result } => {
                let Some(drug) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(Prescribed::Added(_)) => {
                        form.popup = None;
                        self.held_prescription = None;
                        self.reload_chart(ctx)
                            .with_notice(sentence(&format!("{drug} prescribed.")))
                    }
                    Ok(Prescribed::Allergy(words)) => {
                        self.held_prescription = match &mut form.popup {
                            Some(Popup::Prescription(rx)) => EncounterForm::typed_prescription(rx),
                            _ => None,
                        };
                        Outcome::confirm(Confirm::new(
                            "Recorded allergy",
                            format!("{}. Prescribe {drug} anyway?", sentence(&words)),
                            "Prescribe anyway",
                            "Change it",
                            Cmd::PrescribeAnyway,
                        ))
                    }
                    Err(e) => {
                        if let Some(Popup::Prescription(rx)) = &mut form.popup {
                            rx.set_error(0, e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::AllergyRecorded { request, result } => {
                let Some(substance) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(_) => {
                        form.popup = None;
                        self.reload_chart(ctx)
                            .with_notice(sentence(&format!("{substance}: allergy recorded.")))
                    }
                    Err(e) => {
                        if let Some(Popup::Allergy(a)) = &mut form.popup {
                            a.set_error(0, e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::Removed { request, result } => {
                let Some(what) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(()) => self
                        .reload_chart(ctx)
                        .with_notice(sentence(&format!("{what} removed."))),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::Signed { request, result } => {
                if form.signing.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(()) => {
                        // What was typed went with the signature.
                        form.saved = form.snapshot();
                        let name = form.patient_name.clone();
                        self.close_encounter(ctx)
                            .with_notice(format!("Signed: {name}'s encounter is final now."))
                    }
                    Err(e) => {
                        form.open_sign();
                        if let Some(Popup::Sign { error, .. }) = &mut form.popup {
                            *error = Some(e.clone());
                        }
                        Outcome::redraw()
                    }
                }
            }
            _ => Outcome::default(),
        }
    }
}

/// `text` with a capital first letter, as a message starts.
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The save of what the form holds now, or None when nothing needs saving or one is on its way.
pub(super) fn save_request(form: &mut EncounterForm, ctx: &mut Ctx) -> Option<Request> {
    let (snapshot, vitals) = form.due_save()?;
    let request = ctx.start(&mut form.saving, snapshot.clone());
    Some(Request::Save {
        request,
        record_id: form.record_id,
        version: form.version,
        patient_id: form.patient_id,
        snapshot: Box::new(snapshot),
        vitals,
    })
}
