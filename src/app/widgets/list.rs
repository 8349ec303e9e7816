//! A list with a cursor: the rows, which one is selected, moving by rows and by pages, and keeping
//! the same row selected when the list is read again.

#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    items: Vec<T>,
    selected: usize,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            selected: 0,
        }
    }
}

impl<T> List<T> {
    pub fn new(items: Vec<T>) -> Self {
        Self { items, selected: 0 }
    }

    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The selected row's index (0 in an empty list).
    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.items.get(self.selected)
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i)
    }

    /// Select row `i`, or the last one when there are fewer.
    pub fn select(&mut self, i: usize) {
        self.selected = i.min(self.items.len().saturating_sub(1));
    }

    /// Move the selection by `delta` rows, staying inside the list.
    pub fn move_by(&mut self, delta: isize) {
        self.select(self.selected.saturating_add_signed(delta));
    }

    /// A page down (or up) of `rows` rows.
    pub fn page(&mut self, down: bool, rows: usize) {
        let rows = isize::try_from(rows.max(1)).unwrap_or(isize::MAX);
        self.move_by(if down { rows } else { -rows });
    }

    pub fn is_first(&self) -> bool {
        self.selected == 0
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.selected = 0;
    }

    /// New rows (the list read again): the same row stays selected when it is still there (by
    /// `key`), else the selection stays at its place, within the new length.
    pub fn replace<K: PartialEq>(&mut self, items: Vec<T>, key: impl Fn(&T) -> K) {
        let kept = self
            .selected_item()
            .map(&key)
            .and_then(|k| items.iter().position(|i| key(i) == k));
        self.items = items;
        self.select(kept.unwrap_or(self.selected));
    }

    /// New rows, starting from the top.
    pub fn reset(&mut self, items: Vec<T>) {
        self.items = items;
        self.selected = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stays_inside_and_follows_its_row() {
        let mut list = List::new(vec![10, 20, 30, 40]);
        list.move_by(-1);
        assert_eq!(list.selected(), 0);
        list.page(true, 10);
        assert_eq!(list.selected(), 3, "a page stops at the last row");
        list.select(1);
        // 20 moves to the end: it stays selected.
        list.replace(vec![5, 10, 30, 20], |v| *v);
        assert_eq!(list.selected_item(), Some(&20));
        // Gone: the same place, within the new length.
        list.replace(vec![1, 2], |v| *v);
        assert_eq!(list.selected(), 1);
        list.clear();
        assert_eq!((list.selected(), list.selected_item()), (0, None));
    }
}
