//! Seeds the demo clinic from sql/demo/seed.sql, one step at a time so the user sees progress.

use tokio_postgres::Client;

use super::DemoError;
use crate::config::Config;

const SEED: &str = include_str!("../../sql/demo/seed.sql");
const STEP: &str = "-- step: ";

/// The seed's steps: (description, SQL).
pub fn steps() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut rest = SEED;
    while let Some(at) = rest.find(STEP) {
        rest = &rest[at + STEP.len()..];
        let (title, body) = rest.split_once('\n').unwrap_or((rest, ""));
        let end = body.find(STEP).unwrap_or(body.len());
        out.push((title.trim(), &body[..end]));
        rest = &body[end..];
    }
    out
}

/// Run every step as the cluster's superuser, in the clinic's time zone (so "09:00" means the
/// clinic's morning) and currency.
pub async fn seed(
    db: &Client,
    config: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<(), DemoError> {
    // Both values were validated when the config was loaded: a time zone name and three capitals.
    let tz = config.time_zone().name().replace('\'', "");
    let currency = config.clinic.currency.replace('\'', "");
    db.batch_execute(&format!("SET TimeZone = '{tz}'")).await?;
    let steps = steps();
    for (i, (title, sql)) in steps.iter().enumerate() {
        progress(&format!(
            "Seeding the demo clinic [{}/{}]: {title}",
            i + 1,
            steps.len()
        ));
        db.batch_execute(&sql.replace("{{currency}}", &currency))
            .await?;
    }
    db.batch_execute("RESET TimeZone").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seed_splits_into_named_steps() {
        let steps = super::steps();
        assert!(steps.len() >= 5, "{steps:?}");
        assert_eq!(steps[0].0, "the seed's sample patient");
        assert!(steps
            .iter()
            .all(|(t, sql)| !t.is_empty() && sql.contains(';')));
    }
}
