//! What `clinic db backup` and `clinic db restore` ask the database: its server's version, what a
//! dump will hold, whether a target is empty, and the clinic's cluster-wide roles.

use tokio_postgres::Client;

/// The group roles every clinic database's grants and policies name, and the owner of its objects.
pub const CLINIC_ROLES: [&str; 5] = [
    "clinic_owner",
    "clinic_admin",
    "clinic_doctor",
    "clinic_receptionist",
    "clinic_accountant",
];

/// The schemas PostgreSQL itself keeps in every database.
const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// The server's major version (15 for 15.8).
pub async fn server_major(client: &Client) -> Result<u32, tokio_postgres::Error> {
    let num: String = client
        .query_one("SELECT current_setting('server_version_num')", &[])
        .await?
        .get(0);
    Ok(num.parse::<u32>().unwrap_or(0) / 10_000)
}

/// The tables whose rows a dump of this database holds (extensions' own tables aside).
pub async fn table_count(client: &Client) -> Result<usize, tokio_postgres::Error> {
    let sql = format!(
        "SELECT count(*) FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND {SYSTEM_SCHEMAS}
            AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                             WHERE d.classid = 'pg_catalog.pg_class'::regclass
                               AND d.objid = c.oid AND d.deptype = 'e')"
    );
    let n: i64 = client.query_one(&sql, &[]).await?.get(0);
    Ok(usize::try_from(n).unwrap_or(0))
}

/// What makes a database unfit to restore into: `None` when it is empty (no tables or views
/// outside PostgreSQL's own schemas, no clinic schema), else the words saying what is there.
pub async fn not_empty(client: &Client) -> Result<Option<String>, tokio_postgres::Error> {
    let schemas: Vec<String> = client
        .query(
            "SELECT nspname FROM pg_catalog.pg_namespace
              WHERE nspname IN ('clinic', 'clinic_meta') ORDER BY 1",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let sql = format!(
        "SELECT n.nspname || '.' || c.relname, count(*) OVER ()
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM_SCHEMAS}
          ORDER BY 1 LIMIT 3"
    );
    let tables = client.query(&sql, &[]).await?;
    if schemas.is_empty() && tables.is_empty() {
        return Ok(None);
    }
    let mut what = Vec::new();
    if !schemas.is_empty() {
        let plural = if schemas.len() == 1 { "" } else { "s" };
        what.push(format!("the schema{plural} {}", schemas.join(" and ")));
    }
    if let Some(first) = tables.first() {
        let total: i64 = first.get(1);
        let names: Vec<String> = tables.iter().map(|r| r.get(0)).collect();
        what.push(format!(
            "{total} table{} ({}{})",
            if total == 1 { "" } else { "s" },
            names.join(", "),
            if total > 3 { ", ..." } else { "" }
        ));
    }
    Ok(Some(what.join("; ")))
}

/// The clinic's roles in this cluster: the owner and group roles, and every role that is a member
/// of one of them or has a staff row here (the staff logins, active or not).
pub async fn clinic_role_names(client: &Client) -> Result<Vec<String>, tokio_postgres::Error> {
    let groups: Vec<String> = CLINIC_ROLES.iter().map(|r| (*r).to_string()).collect();
    let rows = client
        .query(
            "SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY ($1)
             UNION
             SELECT m.rolname FROM pg_catalog.pg_auth_members a
               JOIN pg_catalog.pg_roles g ON g.oid = a.roleid
               JOIN pg_catalog.pg_roles m ON m.oid = a.member
              WHERE g.rolname = ANY ($1) AND NOT m.rolsuper
             UNION
             SELECT s.login FROM clinic.staff s JOIN pg_catalog.pg_roles r ON r.rolname = s.login
              WHERE NOT r.rolsuper
             ORDER BY 1",
            &[&groups],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Which of `names` exist as roles in this cluster.
pub async fn existing_roles(
    client: &Client,
    names: &[String],
) -> Result<Vec<String>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY ($1)",
            &[&names],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// After a restore: the grants `CREATE DATABASE` does not copy, then fresh planner statistics
/// (a dump holds none, and the lookups' plans depend on them).
pub async fn after_restore(client: &Client) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(super::migrate::DATABASE_GRANTS)
        .await?;
    client.batch_execute("ANALYZE").await
}

/// Create the database `name` (owned by the connected role) from a connection to another one.
pub async fn create_database(client: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    client
        .batch_execute(&format!("CREATE DATABASE {quoted}"))
        .await
}

/// Run the statements that make a roles file's missing roles, in one transaction.
pub async fn create_roles(
    client: &mut Client,
    statements: &[String],
) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    for s in statements {
        tx.batch_execute(s).await?;
    }
    tx.commit().await
}
