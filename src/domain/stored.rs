//! A row as saved: its id and the version a change must name (optimistic concurrency).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    pub id: i64,
    pub version: i32,
    pub item: T,
}

impl<T> Stored<T> {
    /// The id and version a change to this row names.
    pub fn key(&self) -> (i64, i32) {
        (self.id, self.version)
    }
}
