//! Latency samples and how they are printed.

use std::future::Future;
use std::time::{Duration, Instant};

/// Durations of one measured operation.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    times: Vec<Duration>,
}

impl Samples {
    /// Time `op` once per input, one after another (one desk's connection does one thing at a
    /// time), after a few untimed runs to warm the connection's caches.
    pub async fn measure<T, F, Fut, R>(
        inputs: &[T],
        warmup: usize,
        mut op: F,
    ) -> anyhow::Result<Samples>
    where
        F: FnMut(&T) -> Fut,
        Fut: Future<Output = anyhow::Result<R>>,
    {
        for input in inputs.iter().take(warmup) {
            op(input).await?;
        }
        let mut times = Vec::with_capacity(inputs.len());
        for input in inputs {
            let t = Instant::now();
            op(input).await?;
            times.push(t.elapsed());
        }
        Ok(Samples::from_times(times))
    }

    pub fn from_times(mut times: Vec<Duration>) -> Samples {
        times.sort();
        Samples { times }
    }

    /// The durations, shortest first.
    pub fn times(&self) -> &[Duration] {
        &self.times
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// The nearest-rank percentile `p` (0-100).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.times.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.times.len() as f64).ceil() as usize;
        self.times[rank.clamp(1, self.times.len()) - 1]
    }
}

/// Milliseconds with two decimals, right-aligned.
pub fn ms(d: Duration) -> String {
    format!("{:>9.2}", d.as_secs_f64() * 1000.0)
}

/// Name, N and p50/p95/p99: how every line begins.
fn head(name: &str, ours: &Samples) -> String {
    format!(
        "{name:<26} {:>5} {} {} {}",
        ours.len(),
        ms(ours.percentile(50.0)),
        ms(ours.percentile(95.0)),
        ms(ours.percentile(99.0))
    )
}

/// Whether the p95 met `target`, in words, when there is one.
fn verdict(ours: &Samples, target: Option<Duration>) -> String {
    target.map_or(String::new(), |t| {
        format!(
            "  p95 target {} ms: {}",
            t.as_millis(),
            if ours.percentile(95.0) <= t {
                "met"
            } else {
                "MISSED"
            }
        )
    })
}

/// One line: name, N and p50/p95/p99, then optionally the baseline's and the p95 ratio.
pub fn line(
    name: &str,
    ours: &Samples,
    naive: Option<&Samples>,
    target: Option<Duration>,
) -> String {
    let mut out = head(name, ours);
    match naive {
        Some(n) => {
            let ratio =
                n.percentile(95.0).as_secs_f64() / ours.percentile(95.0).as_secs_f64().max(1e-9);
            out.push_str(&format!(
                "  | {:>5} {} {}  | {:>7.0}x",
                n.len(),
                ms(n.percentile(50.0)),
                ms(n.percentile(95.0)),
                ratio
            ));
        }
        None => out.push_str(&format!("  | {:>5} {:>9} {:>9}  | {:>8}", "", "", "", "")),
    }
    out.push_str(&verdict(ours, target));
    out
}

/// One line measured beside its floor (the same work done plainly), with how many times the
/// floor's p95 ours took: the price of the policies, the function and the layout.
pub fn line_over_floor(
    name: &str,
    ours: &Samples,
    floor: &Samples,
    target: Option<Duration>,
) -> String {
    let times =
        ours.percentile(95.0).as_secs_f64() / floor.percentile(95.0).as_secs_f64().max(1e-9);
    format!(
        "{}  | {:>5} {} {}  | {times:>7.1}x{}",
        head(name, ours),
        floor.len(),
        ms(floor.percentile(50.0)),
        ms(floor.percentile(95.0)),
        verdict(ours, target)
    )
}

/// The header of [`line_over_floor`]'s table.
pub fn header_over_floor(title: &str) -> String {
    format!(
        "{title:<26} {:>5} {:>9} {:>9} {:>9}  | {:>5} {:>9} {:>9}  | {:>8}\n{}",
        "N",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "N",
        "base p50",
        "base p95",
        "x base",
        "-".repeat(118)
    )
}

/// One line of a form measured on a connection that keeps its statements prepared (the app's
/// pooled one), beside the same inputs planned on every call and the naive plan.
pub fn line_prepared(
    name: &str,
    ours: &Samples,
    planned: &Samples,
    naive: Option<&Samples>,
    target: Option<Duration>,
) -> String {
    let mut out = format!(
        "{}  | {} {}",
        head(name, ours),
        ms(planned.percentile(50.0)),
        ms(planned.percentile(95.0)),
    );
    if let Some(n) = naive {
        out.push_str(&format!(
            "  | {:>5} {} {}",
            n.len(),
            ms(n.percentile(50.0)),
            ms(n.percentile(95.0)),
        ));
    } else {
        out.push_str(&format!("  | {:>5} {:>9} {:>9}", "", "", ""));
    }
    out.push_str(&verdict(ours, target));
    out
}

/// The header of [`line_prepared`]'s table.
pub fn header_prepared(title: &str) -> String {
    format!(
        "{title:<26} {:>5} {:>9} {:>9} {:>9}  | {:>9} {:>9}  | {:>5} {:>9} {:>9}\n{}",
        "N",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "unprep50",
        "unprep95",
        "N",
        "naive p50",
        "naive p95",
        "-".repeat(112)
    )
}

pub fn header(title: &str, with_naive: bool) -> String {
    let naive = if with_naive {
        format!(
            "  | {:>5} {:>9} {:>9}  | {:>8}",
            "N", "naive p50", "naive p95", "p95 ratio"
        )
    } else {
        String::new()
    };
    format!(
        "{title:<26} {:>5} {:>9} {:>9} {:>9}{naive}\n{}",
        "N",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "-".repeat(if with_naive { 118 } else { 62 })
    )
}
