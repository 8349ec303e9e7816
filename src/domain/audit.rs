//! The audit trail's hash chain, as the admin and `clinic audit verify` see it.

use chrono::{DateTime, Utc};

/// The chain after sealing what had finished (clinic.audit_status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    /// The first entry that does not follow from its predecessor, or the last one the head
    /// remembers when entries were cut off the end. `None` when the chain is whole.
    pub broken_at: Option<i64>,
    pub sealed: i64,
    /// Entries not yet in the chain (their transactions were still open, or a sealer held the head).
    pub unsealed: i64,
    pub oldest_unsealed: Option<DateTime<Utc>>,
    /// The head to keep outside the database: a later chain that does not pass through it means
    /// history was rewritten.
    pub head_seq: i64,
    pub head_hash: Option<Vec<u8>>,
}

impl ChainStatus {
    /// The head as `seq:hex`, the line to write down or send elsewhere.
    pub fn head(&self) -> String {
        let hex: String = self
            .head_hash
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{}:{hex}", self.head_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_reads_as_seq_and_hex() {
        let s = ChainStatus {
            broken_at: None,
            sealed: 2,
            unsealed: 0,
            oldest_unsealed: None,
            head_seq: 2,
            head_hash: Some(vec![0x0a, 0xff]),
        };
        assert_eq!(s.head(), "2:0aff");
    }
}
