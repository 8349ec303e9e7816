//! Pieces of every list: where the selection is ("12 of 340") and what the list holds.

/// "12 of 340 matches"; `more` says the list stopped at its limit, so the total is at least that.
pub fn position(selected: usize, total: usize, more: bool, noun: &str) -> String {
    let plus = if more { "+" } else { "" };
    if total == 0 {
        return format!("no {noun}");
    }
    format!("{} of {total}{plus} {noun}", selected + 1)
}

/// The first row to show so that `selected` is visible in `height` rows, keeping it away from
/// the edges when the list is longer than the view.
pub fn scroll_offset(selected: usize, total: usize, height: usize) -> usize {
    if height == 0 || total <= height {
        return 0;
    }
    let wanted = selected.saturating_sub(height / 2);
    wanted.min(total - height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_as_on_the_sketches() {
        assert_eq!(position(11, 340, false, "matches"), "12 of 340 matches");
        assert_eq!(position(0, 100, true, "matches"), "1 of 100+ matches");
        assert_eq!(position(0, 0, false, "matches"), "no matches");
    }

    #[test]
    fn the_selection_stays_in_view() {
        assert_eq!(scroll_offset(0, 5, 10), 0);
        assert_eq!(scroll_offset(50, 100, 10), 45);
        assert_eq!(scroll_offset(99, 100, 10), 90);
    }
}
