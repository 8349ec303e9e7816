//! The `?` popup: every key of the place it was opened from, straight from the keymap.

use super::keymap::{Keymap, Place, ResolvedBinding};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpState {
    /// The place the keys are listed for (what was in front when `?` was pressed).
    pub about: Place,
    pub scroll: u16,
}

impl HelpState {
    pub fn new(about: Place) -> Self {
        Self { about, scroll: 0 }
    }

    /// The bindings of `about` and of every list behind it, grouped under the list's title.
    pub fn sections<'k>(&self, keymap: &'k Keymap) -> Vec<(&'static str, &'k [ResolvedBinding])> {
        self.about
            .stack()
            .into_iter()
            .map(|p| (p.title(), keymap.bindings(p)))
            .filter(|(_, b)| !b.is_empty())
            .collect()
    }
}
