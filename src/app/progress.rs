//! How far a long request has got (an export, an import): the task doing it counts here as it
//! goes, and the screen reads the count each time it draws, at its spinner's frames. Nothing waits
//! on anything: the count is a few atomics behind a shared handle, and the answer still comes back
//! as the one message the request gets.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct Counts {
    /// What is being done, e.g. "invoices.csv" or "staging".
    step: Mutex<String>,
    done: AtomicU64,
    /// How many there are in all (0: not known yet).
    of: AtomicU64,
}

/// A shared count of a request's progress. Clones share it; a new one is a new count.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Counts>);

impl Progress {
    /// `done` of `of` in `step`.
    pub fn set(&self, step: &str, done: u64, of: u64) {
        let mut s = self
            .0
            .step
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *s != step {
            step.clone_into(&mut s);
        }
        self.0.done.store(done, Ordering::Relaxed);
        self.0.of.store(of, Ordering::Relaxed);
    }

    /// The step and its counts, once anything was counted.
    pub fn get(&self) -> Option<(String, u64, u64)> {
        let step = self
            .0
            .step
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        (!step.is_empty()).then(|| {
            (
                step,
                self.0.done.load(Ordering::Relaxed),
                self.0.of.load(Ordering::Relaxed),
            )
        })
    }

    /// In words: "invoices.csv: 1200 of 4000"; with no total, "1200 lines read" (or the step
    /// alone before anything is counted).
    pub fn words(&self) -> Option<String> {
        self.get().map(|(step, done, of)| match (done, of) {
            (0, 0) => step,
            (_, 0) => format!("{done} {step}"),
            _ => format!("{step}: {done} of {of}"),
        })
    }
}

/// Two handles are equal when they share one count (requests compare by what they ask).
impl PartialEq for Progress {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Progress {}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn a_clone_sees_the_count_and_a_new_one_does_not() {
        let p = Progress::default();
        let seen = p.clone();
        assert_eq!(seen.get(), None);
        p.set("invoices.csv", 1200, 4000);
        assert_eq!(seen.get(), Some(("invoices.csv".to_string(), 1200, 4000)));
        assert_eq!(seen.words().as_deref(), Some("invoices.csv: 1200 of 4000"));
        p.set("lines read", 3, 0);
        assert_eq!(seen.words().as_deref(), Some("3 lines read"));
        p.set("reading the file", 0, 0);
        assert_eq!(seen.words().as_deref(), Some("reading the file"));
        assert_eq!(p, seen);
        assert_ne!(p, Progress::default());
        assert_eq!(Progress::default().get(), None);
    }
}
