//! What one simulated desk measured and did, merged over all desks at the end.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::super::stats::{ms, Samples};

/// One operation's times (every answer the desk saw, refusals included: a refusal is an answer
/// on screen too), its unexpected errors and its expected refusals by kind.
#[derive(Default)]
pub struct Op {
    pub times: Vec<Duration>,
    pub errors: usize,
    pub refusals: BTreeMap<&'static str, usize>,
}

/// Everything a desk brings back.
#[derive(Default)]
pub struct Tally {
    pub ops: BTreeMap<&'static str, Op>,
    /// Unexpected errors in words, with how often each came.
    pub error_words: BTreeMap<String, usize>,
    /// Keys typed into lookup boxes, and the searches the debounce let out.
    pub keys: usize,
    pub searches: usize,
    /// Appointments this desk booked and checked in (the check-ins are taken back at the end).
    pub booked: Vec<(i64, i32)>,
    pub checked_in: Vec<(i64, i32)>,
    /// Payments recorded: invoice, payment id, amount and the part applied to the invoice.
    pub payments: Vec<Payment>,
    /// Retries with a payment's own key that answered with a different payment (must be none).
    pub doubled: usize,
    pub registered: usize,
    /// Registrations the duplicate check stopped (the same name and birth date found), and
    /// re-registrations of a known patient it did not stop (must be none).
    pub same_person_found: usize,
    pub missed_duplicates: usize,
    /// Check-ins wanted when no arrival was left in today's queue.
    pub nothing_left: usize,
    pub notes: usize,
    /// Unexpected errors of an absorbed phase (the quiet clinic's), whose figures stay apart.
    pub absorbed_errors: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Payment {
    pub invoice_id: i64,
    pub payment_id: i64,
    pub amount_minor: i64,
    pub applied_minor: i64,
}

impl Tally {
    /// Time `op` from `started`: a success.
    pub fn ok(&mut self, op: &'static str, started: Instant) {
        self.ops
            .entry(op)
            .or_default()
            .times
            .push(started.elapsed());
    }

    /// An expected refusal (a slot taken by another desk), timed like any answer.
    pub fn refused(&mut self, op: &'static str, started: Instant, why: &'static str) {
        let entry = self.ops.entry(op).or_default();
        entry.times.push(started.elapsed());
        *entry.refusals.entry(why).or_default() += 1;
    }

    /// An error no desk should see.
    pub fn error(&mut self, op: &'static str, started: Instant, words: impl std::fmt::Display) {
        let entry = self.ops.entry(op).or_default();
        entry.times.push(started.elapsed());
        entry.errors += 1;
        *self
            .error_words
            .entry(format!("{op}: {words}"))
            .or_default() += 1;
    }

    /// Another phase's work, for the checks only: its figures stay apart, in the baseline.
    pub fn absorb(&mut self, other: Tally) {
        self.absorbed_errors += other.errors();
        self.booked.extend(other.booked);
        self.checked_in.extend(other.checked_in);
        self.payments.extend(other.payments);
        self.doubled += other.doubled;
        self.registered += other.registered;
        self.same_person_found += other.same_person_found;
        self.missed_duplicates += other.missed_duplicates;
        self.notes += other.notes;
        for (w, n) in other.error_words {
            *self.error_words.entry(format!("(quiet) {w}")).or_default() += n;
        }
    }

    pub fn merge(&mut self, other: Tally) {
        for (name, op) in other.ops {
            let mine = self.ops.entry(name).or_default();
            mine.times.extend(op.times);
            mine.errors += op.errors;
            for (why, n) in op.refusals {
                *mine.refusals.entry(why).or_default() += n;
            }
        }
        for (w, n) in other.error_words {
            *self.error_words.entry(w).or_default() += n;
        }
        self.keys += other.keys;
        self.searches += other.searches;
        self.booked.extend(other.booked);
        self.checked_in.extend(other.checked_in);
        self.payments.extend(other.payments);
        self.doubled += other.doubled;
        self.registered += other.registered;
        self.same_person_found += other.same_person_found;
        self.missed_duplicates += other.missed_duplicates;
        self.nothing_left += other.nothing_left;
        self.notes += other.notes;
    }

    pub fn errors(&self) -> usize {
        self.ops.values().map(|o| o.errors).sum::<usize>() + self.absorbed_errors
    }

    /// The per-operation table, each p95 against `target`, beside the quiet clinic's figures
    /// when there are some; whether every p95 met the target.
    pub fn print(&self, target: Duration, quiet: Option<&Tally>) -> bool {
        println!(
            "{:<30} {:>6} {:>9} {:>9} {:>9} {:>6}  | {:>5} {:>9} {:>9}  | expected refusals",
            "operation", "N", "p50 ms", "p95 ms", "p99 ms", "errors", "quiet", "p50 ms", "p95 ms"
        );
        println!("{}", "-".repeat(120));
        let mut all_met = true;
        for (name, op) in &self.ops {
            let s = Samples::from_times(op.times.clone());
            let met = s.percentile(95.0) <= target;
            all_met &= met;
            let refusals: Vec<String> = op
                .refusals
                .iter()
                .map(|(why, n)| format!("{n} {why}"))
                .collect();
            let baseline = match quiet.and_then(|q| q.ops.get(name)) {
                Some(q) => {
                    let q = Samples::from_times(q.times.clone());
                    format!(
                        "{:>5} {} {}",
                        q.len(),
                        ms(q.percentile(50.0)),
                        ms(q.percentile(95.0))
                    )
                }
                None => format!("{:>5} {:>9} {:>9}", "", "", ""),
            };
            println!(
                "{name:<30} {:>6} {} {} {} {:>6}  | {baseline}  | {}{}",
                s.len(),
                ms(s.percentile(50.0)),
                ms(s.percentile(95.0)),
                ms(s.percentile(99.0)),
                op.errors,
                refusals.join(", "),
                if met { "" } else { "  <-- p95 over target" }
            );
        }
        all_met
    }
}
