//! The audit trail's hash chain: sealing finished entries into it, and checking it.

use tokio_postgres::GenericClient;

use super::DbError;
use crate::domain::audit::ChainStatus;

/// Seal the entries whose transactions have finished; how many were sealed. Never waits: 0 when
/// another sealer holds the chain's head. Any staff login may call it (the app does, after each
/// ping), so entries are in the chain within seconds of their commit.
pub async fn seal(client: &impl GenericClient) -> Result<i64, DbError> {
    Ok(client
        .query_one("SELECT clinic.audit_seal()", &[])
        .await?
        .get(0))
}

/// Seal what can be sealed, then verify the whole chain (administrators and the owner only).
pub async fn status(client: &impl GenericClient) -> Result<ChainStatus, DbError> {
    let row = client
        .query_one(
            "SELECT broken_at, sealed, unsealed, oldest_unsealed, head_seq, head_hash
               FROM clinic.audit_status()",
            &[],
        )
        .await?;
    Ok(ChainStatus {
        broken_at: row.get(0),
        sealed: row.get(1),
        unsealed: row.get(2),
        oldest_unsealed: row.get(3),
        head_seq: row.get(4),
        head_hash: row.get(5),
    })
}
