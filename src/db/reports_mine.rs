//! A doctor's own reports (sql/0033) laid out as rows of figures and chart bars: their days,
//! the diagnoses they recorded by ICD-10-CM chapter, what they prescribed. The counts are exact
//! (the doctor saw each of these patients).

use chrono::NaiveDate;
use tokio_postgres::Row;

use super::reports::every_day;
use super::DbError;
use crate::domain::report::{Bar, Cell, FigureRow, Figures};

/// A row per day and the period's; bars of the patients seen each day.
pub fn my_days(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["day"];
    f.columns = vec![
        "appointments",
        "seen",
        "no-shows",
        "cancelled",
        "records",
        "signed",
    ];
    f.chart_title = "patients seen per day".into();
    f.bar_unit = "day";
    let mut by_day = std::collections::BTreeMap::new();
    for r in rows {
        let day: Option<NaiveDate> = r.try_get(0)?;
        let cells: Vec<Cell> = (1..=6)
            .map(|i| r.try_get::<_, i64>(i).map(Cell::Count))
            .collect::<Result<_, _>>()?;
        if let Some(d) = day {
            by_day.insert(d, cells[1]);
        }
        f.rows.push(FigureRow {
            label: vec![d_label(day)],
            cells,
            total: day.is_none(),
        });
    }
    f.bars = every_day(f.period, &by_day, Cell::Count(0));
    Ok(())
}

fn d_label(d: Option<NaiveDate>) -> String {
    d.map_or_else(
        || "all days".into(),
        |d| d.format("%Y-%m-%d %a").to_string(),
    )
}

/// A row per ICD-10-CM chapter, most diagnoses first, then all; a bar per chapter.
pub fn diagnoses(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["chapter"];
    f.columns = vec!["diagnoses", "patients"];
    f.chart_title = "diagnoses by ICD-10-CM chapter".into();
    f.bar_unit = "chapter";
    for r in rows {
        let chapter: Option<i16> = r.try_get(0)?;
        let title: Option<String> = r.try_get(1)?;
        let n = Cell::Count(r.try_get(2)?);
        let label = match (chapter, title) {
            (Some(c), Some(t)) => format!("{c:>2} {t}"),
            _ => "all chapters".into(),
        };
        if let Some(c) = chapter {
            f.bars.push(Bar {
                label: format!("ch {c}"),
                value: n,
            });
        }
        f.rows.push(FigureRow {
            label: vec![label],
            cells: vec![n, Cell::Count(r.try_get(3)?)],
            total: chapter.is_none(),
        });
    }
    Ok(())
}

/// A row per drug (the 20 most prescribed, then the rest), then all; a bar per drug.
pub fn prescriptions(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["drug"];
    f.columns = vec!["prescriptions", "patients"];
    f.chart_title = "prescriptions by drug".into();
    f.bar_unit = "drug";
    for r in rows {
        let drug: Option<String> = r.try_get(0)?;
        let n = Cell::Count(r.try_get(1)?);
        if let Some(d) = &drug {
            f.bars.push(Bar {
                label: d.chars().take(12).collect(),
                value: n,
            });
        }
        f.rows.push(FigureRow {
            label: vec![drug.clone().unwrap_or_else(|| "all drugs".into())],
            cells: vec![n, Cell::Count(r.try_get(2)?)],
            total: drug.is_none(),
        });
    }
    Ok(())
}
