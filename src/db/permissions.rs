//! The permission matrix, read live from the catalog through `clinic.permission_matrix`
//! (sql/0025): what each clinic role may do to each table, view and function, as PostgreSQL
//! enforces it. Administrators only (the view is theirs; others are refused by the database).

use tokio_postgres::GenericClient;

use super::DbError;
pub use crate::domain::permissions::{to_csv, to_markdown, ObjectKind, PermissionRow};

/// Every row of the matrix, by role, then tables and views before functions, then name and
/// operation (SELECT, INSERT, UPDATE, DELETE, EXECUTE).
pub async fn permission_matrix(client: &impl GenericClient) -> Result<Vec<PermissionRow>, DbError> {
    let rows = client
        .query(
            "SELECT role, object_kind, object_name, operation, allowed, columns, policies,
                    row_security, security_definer
               FROM clinic.permission_matrix
              ORDER BY role, object_kind = 'function', object_name,
                       array_position(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'EXECUTE'], operation)",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.get(1);
            Ok(PermissionRow {
                role: r.get(0),
                kind: ObjectKind::parse(&kind)
                    .ok_or_else(|| DbError::Other(format!("unknown object kind {kind:?}")))?,
                object: r.get(2),
                operation: r.get(3),
                allowed: r.get(4),
                columns: r.get(5),
                policies: r.get(6),
                row_security: r.get(7),
                security_definer: r.get(8),
            })
        })
        .collect()
}
