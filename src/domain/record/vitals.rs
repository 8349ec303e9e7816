//! Vitals as typed on the encounter form: parsed, checked against what can be true of a living
//! patient (the database's limits, so the message comes at the field rather than from a save), and
//! warned about when merely unusual. BMI is the database's to derive; the form shows the same sum.

use std::str::FromStr;

use rust_decimal::Decimal;

/// The fields, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VitalField {
    Systolic,
    Diastolic,
    Pulse,
    Temperature,
    Respiratory,
    Spo2,
    Weight,
    Height,
}

impl VitalField {
    pub const ALL: [VitalField; 8] = [
        VitalField::Systolic,
        VitalField::Diastolic,
        VitalField::Pulse,
        VitalField::Temperature,
        VitalField::Respiratory,
        VitalField::Spo2,
        VitalField::Weight,
        VitalField::Height,
    ];

    pub fn label(self) -> &'static str {
        match self {
            VitalField::Systolic => "BP",
            VitalField::Diastolic => "/",
            VitalField::Pulse => "Pulse",
            VitalField::Temperature => "Temp",
            VitalField::Respiratory => "RR",
            VitalField::Spo2 => "SpO2",
            VitalField::Weight => "Wt",
            VitalField::Height => "Ht",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            VitalField::Systolic => "",
            VitalField::Diastolic => "mmHg",
            VitalField::Pulse | VitalField::Respiratory => "/min",
            VitalField::Temperature => "°C",
            VitalField::Spo2 => "%",
            VitalField::Weight => "kg",
            VitalField::Height => "cm",
        }
    }

    /// What the word is in a message.
    pub fn name(self) -> &'static str {
        match self {
            VitalField::Systolic => "systolic pressure",
            VitalField::Diastolic => "diastolic pressure",
            VitalField::Pulse => "pulse",
            VitalField::Temperature => "temperature",
            VitalField::Respiratory => "respiratory rate",
            VitalField::Spo2 => "SpO2",
            VitalField::Weight => "weight",
            VitalField::Height => "height",
        }
    }

    /// The limits the database enforces (sql/0014), and the usual adult range the form warns
    /// outside of; (hard_low, hard_high, usual_low, usual_high) in the field's unit.
    fn limits(self) -> (Decimal, Decimal, Decimal, Decimal) {
        let d = |n: i64, scale: u32| Decimal::new(n, scale);
        match self {
            VitalField::Systolic => (d(40, 0), d(300, 0), d(80, 0), d(180, 0)),
            VitalField::Diastolic => (d(20, 0), d(200, 0), d(45, 0), d(110, 0)),
            VitalField::Pulse => (d(20, 0), d(300, 0), d(40, 0), d(140, 0)),
            VitalField::Temperature => (d(250, 1), d(450, 1), d(350, 1), d(400, 1)),
            VitalField::Respiratory => (d(3, 0), d(80, 0), d(8, 0), d(30, 0)),
            VitalField::Spo2 => (d(40, 0), d(100, 0), d(90, 0), d(100, 0)),
            VitalField::Weight => (d(3, 1), d(500, 0), d(2, 0), d(250, 0)),
            VitalField::Height => (d(20, 0), d(260, 0), d(45, 0), d(215, 0)),
        }
    }

    /// Decimal places the database keeps.
    fn scale(self) -> u32 {
        match self {
            VitalField::Temperature | VitalField::Weight | VitalField::Height => 1,
            _ => 0,
        }
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VitalsProblem {
    /// Refused: not a number, impossible, or half a blood pressure.
    Error(String),
    /// Saved, but worth a second look.
    Warning(String),
}

/// The eight fields as typed (empty = not measured).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VitalsInput {
    pub systolic: String,
    pub diastolic: String,
    pub pulse: String,
    pub temperature: String,
    pub respiratory: String,
    pub spo2: String,
    pub weight: String,
    pub height: String,
}

/// The values to save, in the database's units and scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VitalsValues {
    pub systolic: Option<i16>,
    pub diastolic: Option<i16>,
    pub pulse: Option<i16>,
    pub temperature_c: Option<Decimal>,
    pub respiratory: Option<i16>,
    pub spo2: Option<i16>,
    pub weight_kg: Option<Decimal>,
    pub height_cm: Option<Decimal>,
}

impl VitalsInput {
    pub fn get(&self, f: VitalField) -> &str {
        match f {
            VitalField::Systolic => &self.systolic,
            VitalField::Diastolic => &self.diastolic,
            VitalField::Pulse => &self.pulse,
            VitalField::Temperature => &self.temperature,
            VitalField::Respiratory => &self.respiratory,
            VitalField::Spo2 => &self.spo2,
            VitalField::Weight => &self.weight,
            VitalField::Height => &self.height,
        }
    }

    pub fn set(&mut self, f: VitalField, value: String) {
        let slot = match f {
            VitalField::Systolic => &mut self.systolic,
            VitalField::Diastolic => &mut self.diastolic,
            VitalField::Pulse => &mut self.pulse,
            VitalField::Temperature => &mut self.temperature,
            VitalField::Respiratory => &mut self.respiratory,
            VitalField::Spo2 => &mut self.spo2,
            VitalField::Weight => &mut self.weight,
            VitalField::Height => &mut self.height,
        };
        *slot = value;
    }

    /// Every field's problem, in form order; the values when nothing is an error.
    pub fn check(&self) -> (Option<VitalsValues>, Vec<(VitalField, VitalsProblem)>) {
        let mut problems = Vec::new();
        let mut parsed = [None; 8];
        for (i, f) in VitalField::ALL.into_iter().enumerate() {
            match parse_field(f, self.get(f)) {
                Ok(v) => parsed[i] = v,
                Err(p) => problems.push((f, p)),
            }
        }
        for (i, f) in VitalField::ALL.into_iter().enumerate() {
            if let Some(v) = parsed[i] {
                let (_, _, lo, hi) = f.limits();
                if v < lo || v > hi {
                    problems.push((
                        f,
                        VitalsProblem::Warning(format!(
                            "unusual {}: check it (usual {lo}-{hi} {})",
                            f.name(),
                            f.unit_or_mmhg()
                        )),
                    ));
                }
            }
        }
        let [sys, dia, pulse, temp, rr, spo2, wt, ht] = parsed;
        match (sys, dia) {
            (Some(_), None) => problems.push((
                VitalField::Diastolic,
                VitalsProblem::Error("blood pressure needs both numbers".into()),
            )),
            (None, Some(_)) => problems.push((
                VitalField::Systolic,
                VitalsProblem::Error("blood pressure needs both numbers".into()),
            )),
            (Some(s), Some(d)) if d >= s => problems.push((
                VitalField::Diastolic,
                VitalsProblem::Error("the diastolic pressure must be below the systolic".into()),
            )),
            _ => {}
        }
        problems.sort_by_key(|(f, _)| VitalField::ALL.iter().position(|x| x == f));
        if problems
            .iter()
            .any(|(_, p)| matches!(p, VitalsProblem::Error(_)))
        {
            return (None, problems);
        }
        let small = |v: Option<Decimal>| v.and_then(|d| i16::try_from(d.mantissa()).ok());
        let values = VitalsValues {
            systolic: small(sys),
            diastolic: small(dia),
            pulse: small(pulse),
            temperature_c: temp,
            respiratory: small(rr),
            spo2: small(spo2),
            weight_kg: wt,
            height_cm: ht,
        };
        (Some(values), problems)
    }

    /// BMI from what is typed, as the database will derive it (one decimal), when both are valid.
    pub fn bmi(&self) -> Option<Decimal> {
        let w = parse_field(VitalField::Weight, &self.weight).ok()??;
        let h = parse_field(VitalField::Height, &self.height).ok()??;
        bmi(w, h)
    }

    pub fn is_empty(&self) -> bool {
        VitalField::ALL
            .iter()
            .all(|f| self.get(*f).trim().is_empty())
    }
}

impl VitalField {
    fn unit_or_mmhg(self) -> &'static str {
        match self {
            VitalField::Systolic => "mmHg",
            f => f.unit(),
        }
    }
}

/// weight / (height in metres)², rounded to one decimal as the database's generated column is.
pub fn bmi(weight_kg: Decimal, height_cm: Decimal) -> Option<Decimal> {
    let m = height_cm / Decimal::new(100, 0);
    let sq = m * m;
    if sq.is_zero() {
        return None;
    }
    Some((weight_kg / sq).round_dp(1))
}

fn parse_field(f: VitalField, typed: &str) -> Result<Option<Decimal>, VitalsProblem> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let normal = t.replace(',', ".");
    let value = Decimal::from_str(&normal)
        .map_err(|_| VitalsProblem::Error(format!("the {} is a number", f.name())))?;
    if value.scale() > f.scale() {
        return Err(VitalsProblem::Error(match f.scale() {
            0 => format!("the {} is a whole number", f.name()),
            n => format!("the {} takes {n} decimal place", f.name()),
        }));
    }
    let (lo, hi, _, _) = f.limits();
    if value < lo || value > hi {
        return Err(VitalsProblem::Error(format!(
            "not a possible {}: {lo}-{hi} {}",
            f.name(),
            f.unit_or_mmhg()
        )));
    }
    let mut v = value;
    v.rescale(f.scale());
    Ok(Some(v))
}
