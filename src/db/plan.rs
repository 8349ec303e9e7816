//! Running a lookup's statements, or only planning them: the searches' tests and the benchmark
//! check from the plans (EXPLAIN (FORMAT JSON)) that no form reads a whole table.

use serde_json::Value;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Row;

use super::conn::{self, Conn};
use super::DbError;

/// Runs a lookup's statement (prepared once where the connection keeps statements, on its generic
/// plan: `conn::query_generic`), or only plans it when `plans` is collecting.
pub(crate) struct Db<'a> {
    pub client: &'a dyn Conn,
    pub plans: Option<&'a mut Vec<Value>>,
}

impl Db<'_> {
    pub async fn rows(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, DbError> {
        match self.plans.as_deref_mut() {
            None => Ok(conn::query_generic(self.client, sql, params).await?),
            Some(plans) => {
                let rows = self
                    .client
                    .client()
                    .query_typed(&format!("EXPLAIN (FORMAT JSON) {sql}"), params)
                    .await?;
                for r in &rows {
                    plans.push(r.try_get(0).map_err(|e| DbError::Other(e.to_string()))?);
                }
                Ok(Vec::new())
            }
        }
    }
}

/// The tables a plan reads with a sequential scan.
pub fn sequential_scans(plan: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![plan];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                if o.get("Node Type").and_then(Value::as_str) == Some("Seq Scan") {
                    let table = o
                        .get("Relation Name")
                        .and_then(Value::as_str)
                        .unwrap_or("?");
                    found.push(table.to_string());
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    found
}
