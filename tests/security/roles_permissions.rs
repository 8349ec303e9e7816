//! roles_permissions agrees with what PostgreSQL enforces.

use clinic::domain::staff::Job;

use crate::common::{err_code, one_bool, strings, try_sql, Outcome, World, JOBS};

/// Where the view and PostgreSQL disagree on `what` for `role`: allowed is rows, refused is 42501.
fn disagreement(role: &str, what: &str, view_says: bool, got: &Outcome) -> Option<String> {
    let enforced = match got {
        Outcome::Rows(_) => true,
        Outcome::Error(code) if code == "42501" => false,
        Outcome::Error(_) => return Some(format!("{role} {what}: unexpected {got:?}")),
    };
    (enforced != view_says)
        .then(|| format!("{role} {what}: view says {view_says}, PostgreSQL says {enforced}"))
}

#[tokio::test]
async fn roles_permissions_agrees_with_enforcement() {
    let w = World::new().await;
    let ad = w.connect(&w.admin).await;
    let su = w.su().await;
    let flag = |role: &'static str, table: &'static str, col: &'static str| {
        format!(
            "SELECT {col} FROM clinic.roles_permissions
              WHERE role = '{role}' AND object_type = 'table' AND object_name = '{table}'"
        )
    };
    // Reception registers patients through the demographic columns only.
    assert!(!one_bool(&ad, &flag("clinic_receptionist", "patients", "can_insert")).await);
    let desk_cols = strings(
        &ad,
        "SELECT unnest(insert_columns) FROM clinic.roles_permissions
          WHERE role = 'clinic_receptionist' AND object_name = 'patients'",
    )
    .await;
    assert!(
        desk_cols.contains(&"family_name".to_string())
            && !desk_cols.contains(&"patient_number".to_string()),
        "{desk_cols:?}"
    );
    assert!(!one_bool(&ad, &flag("clinic_doctor", "medical_records", "can_select")).await);
    assert!(!one_bool(&ad, &flag("clinic_accountant", "patients", "can_select")).await);
    assert!(
        one_bool(
            &ad,
            &flag("clinic_doctor", "medical_records", "row_security_forced")
        )
        .await
    );
    let acct_cols = strings(
        &ad,
        "SELECT unnest(select_columns) FROM clinic.roles_permissions
          WHERE role = 'clinic_accountant' AND object_name = 'patients'",
    )
    .await;
    assert!(
        acct_cols.contains(&"insurer".to_string()) && !acct_cols.contains(&"sex".to_string()),
        "{acct_cols:?}"
    );
    assert_eq!(
        strings(
            &ad,
            "SELECT unnest(update_columns) FROM clinic.roles_permissions
              WHERE role = 'clinic_doctor' AND object_name = 'appointments'"
        )
        .await,
        vec!["status".to_string()]
    );
    let fns = |role: &'static str| {
        format!(
            "SELECT object_name FROM clinic.roles_permissions
              WHERE role = '{role}' AND object_type = 'function' AND can_execute ORDER BY 1"
        )
    };
    assert!(strings(&ad, &fns("clinic_admin"))
        .await
        .contains(&"clinic.add_staff(text,text,text,text)".to_string()));
    assert!(!strings(&ad, &fns("clinic_receptionist"))
        .await
        .iter()
        .any(|f| f.starts_with("clinic.add_staff(")));
    for role in [
        "clinic_admin",
        "clinic_doctor",
        "clinic_receptionist",
        "clinic_accountant",
    ] {
        let f = strings(&ad, &fns(role)).await;
        assert!(f.contains(&"clinic.whoami()".to_string()), "{role}: {f:?}");
        assert!(
            !f.iter().any(|f| f.starts_with("clinic.audit(")),
            "{role}: {f:?}"
        );
    }

    // Every table row against the real thing: EXPLAIN runs the permission checks without running
    // the statement, as each job's own login.
    let rows = ad
        .query(
            "SELECT v.role, v.object_name, v.can_select, v.can_insert, v.can_update, v.can_delete,
                    v.select_columns, v.update_columns, c.relkind::text, v.insert_columns
               FROM clinic.roles_permissions v
               JOIN pg_class c ON c.relname = v.object_name AND c.relnamespace = 'clinic'::regnamespace
              WHERE v.object_type = 'table' ORDER BY 1, 2",
            &[],
        )
        .await
        .expect("view");
    assert!(rows.len() >= 4 * 10, "{} rows", rows.len());
    let mut clients = std::collections::HashMap::new();
    for job in JOBS {
        clients.insert(job.group_role(), w.connect(w.login(job)).await);
    }
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for r in &rows {
        let role: String = r.get(0);
        let table: String = r.get(1);
        let (can_select, can_insert, can_update, can_delete): (bool, bool, bool, bool) =
            (r.get(2), r.get(3), r.get(4), r.get(5));
        let select_cols: Vec<String> = r.get(6);
        let update_cols: Vec<String> = r.get(7);
        let relkind: String = r.get(8);
        let insert_cols: Vec<String> = r.get(9);
        let c = &clients[role.as_str()];
        let columns = strings(
            &su,
            &format!(
                "SELECT attname::text FROM pg_attribute
                  WHERE attrelid = 'clinic.{table}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
            ),
        )
        .await;
        let mut check = |what: String, view_says: bool, got: Outcome| {
            checked += 1;
            mismatches.extend(disagreement(&role, &what, view_says, &got));
        };
        check(
            format!("SELECT * FROM {table}"),
            can_select,
            try_sql(c, &format!("EXPLAIN SELECT * FROM clinic.{table}")).await,
        );
        for col in &columns {
            check(
                format!("SELECT {col} FROM {table}"),
                can_select || select_cols.contains(col),
                try_sql(c, &format!("EXPLAIN SELECT {col} FROM clinic.{table}")).await,
            );
        }
        if relkind == "r" {
            for col in &columns {
                check(
                    format!("INSERT INTO {table} ({col})"),
                    can_insert || insert_cols.contains(col),
                    try_sql(
                        c,
                        &format!("EXPLAIN INSERT INTO clinic.{table} ({col}) VALUES (DEFAULT)"),
                    )
                    .await,
                );
            }
            check(
                format!("INSERT INTO {table}"),
                // DEFAULT VALUES needs INSERT on the table or on any one column.
                can_insert || !insert_cols.is_empty(),
                try_sql(
                    c,
                    &format!("EXPLAIN INSERT INTO clinic.{table} DEFAULT VALUES"),
                )
                .await,
            );
            check(
                format!("DELETE FROM {table}"),
                can_delete,
                try_sql(c, &format!("EXPLAIN DELETE FROM clinic.{table}")).await,
            );
            for col in &columns {
                check(
                    format!("UPDATE {table} SET {col}"),
                    can_update || update_cols.contains(col),
                    try_sql(
                        c,
                        &format!("EXPLAIN UPDATE clinic.{table} SET {col} = DEFAULT"),
                    )
                    .await,
                );
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(checked > 500, "{checked} checks");

    // Only admins read the view.
    for job in [Job::Doctor, Job::Receptionist, Job::Accountant] {
        let c = &clients[job.group_role()];
        assert_eq!(
            err_code(c, "SELECT * FROM clinic.roles_permissions").await,
            "42501",
            "{job}"
        );
    }
}

/// clinic.permission_matrix (sql/0025), one row per role, object and operation, against what
/// PostgreSQL enforces: each table operation (whole and per column) by EXPLAIN as each job's
/// login, each function's EXECUTE by EXPLAIN of a call, and the policies against pg_policies.
#[tokio::test]
async fn permission_matrix_agrees_with_enforcement() {
    let w = World::new().await;
    let ad = w.connect(&w.admin).await;
    let su = w.su().await;
    let mut clients = std::collections::HashMap::new();
    for job in JOBS {
        clients.insert(job.group_role(), w.connect(w.login(job)).await);
    }
    let rows = ad
        .query(
            "SELECT m.role, m.object_kind, m.object_name, m.operation, m.allowed, m.columns,
                    m.policies,
                    ARRAY(SELECT p.policyname::text FROM pg_policies p
                           WHERE p.schemaname = 'clinic' AND p.tablename = m.object_name
                             AND p.cmd IN (m.operation, 'ALL')
                             AND (m.role = ANY (p.roles) OR 'public' = ANY (p.roles))
                           ORDER BY 1)
               FROM clinic.permission_matrix m ORDER BY 1, 2, 3, 4",
            &[],
        )
        .await
        .expect("the matrix");
    let (mut mismatches, mut odd) = (Vec::new(), Vec::new());
    let (mut tables, mut functions) = (0, 0);
    for r in &rows {
        let (role, kind, object, op): (String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let (allowed, columns): (bool, Option<Vec<String>>) = (r.get(4), r.get(5));
        let (policies, expected_policies): (Vec<String>, Vec<String>) = (r.get(6), r.get(7));
        let c = &clients[role.as_str()];
        if kind != "function" && policies != expected_policies {
            mismatches.push(format!(
                "{role} {op} {object}: policies {policies:?}, pg_policies says {expected_policies:?}"
            ));
        }
        if op == "DELETE" && columns.is_some() {
            mismatches.push(format!("{role} DELETE {object}: columns {columns:?}"));
        }
        let mut check = |what: String, view_says: bool, got: Outcome| {
            mismatches.extend(disagreement(&role, &what, view_says, &got));
        };
        if kind == "function" {
            functions += 1;
            let args = strings(
                &su,
                &format!(
                    "SELECT format('(SELECT NULL::%s)', format_type(t, NULL))
                       FROM unnest((SELECT proargtypes FROM pg_proc
                                     WHERE oid = '{object}'::regprocedure)) WITH ORDINALITY AS a (t, i)
                      ORDER BY i"
                ),
            )
            .await;
            let name = object.split('(').next().unwrap_or_default();
            let call = format!("EXPLAIN SELECT {name}({})", args.join(", "));
            check(
                format!("EXECUTE {object}"),
                allowed,
                try_sql(c, &call).await,
            );
            continue;
        }
        tables += 1;
        let every = strings(
            &su,
            &format!(
                "SELECT attname::text FROM pg_attribute
                  WHERE attrelid = 'clinic.{object}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
            ),
        )
        .await;
        let whole = allowed && columns.is_none();
        let col_ok = |col: &str| whole || columns.iter().flatten().any(|c| c == col);
        if kind == "view" && op != "SELECT" {
            // A view is read, not written: there is nothing to EXPLAIN for its other grants.
            continue;
        }
        let t = format!("clinic.{object}");
        match op.as_str() {
            "SELECT" => {
                let got = try_sql(c, &format!("EXPLAIN SELECT * FROM {t}")).await;
                check(format!("SELECT * FROM {object}"), whole, got);
                for col in &every {
                    let got = try_sql(c, &format!("EXPLAIN SELECT {col} FROM {t}")).await;
                    check(format!("SELECT {col} FROM {object}"), col_ok(col), got);
                }
            }
            "INSERT" => {
                for col in &every {
                    let sql = format!("EXPLAIN INSERT INTO {t} ({col}) VALUES (DEFAULT)");
                    check(
                        format!("INSERT {object} ({col})"),
                        col_ok(col),
                        try_sql(c, &sql).await,
                    );
                }
            }
            "UPDATE" => {
                for col in &every {
                    let sql = format!("EXPLAIN UPDATE {t} SET {col} = DEFAULT");
                    check(
                        format!("UPDATE {object} SET {col}"),
                        col_ok(col),
                        try_sql(c, &sql).await,
                    );
                }
            }
            "DELETE" => {
                let got = try_sql(c, &format!("EXPLAIN DELETE FROM {t}")).await;
                check(format!("DELETE FROM {object}"), allowed, got);
            }
            other => odd.push(format!("{role} {object}: operation {other}")),
        }
    }
    mismatches.append(&mut odd);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(tables >= 4 * 4 * 20, "{tables} table rows");
    assert!(functions >= 4 * 40, "{functions} function rows");
    // The rows the screen's words rely on.
    let one = |role: &str, object: &str, op: &str| {
        rows.iter()
            .find(|r| {
                r.get::<_, String>(0) == role
                    && r.get::<_, String>(2) == object
                    && r.get::<_, String>(3) == op
            })
            .map(|r| {
                (
                    r.get::<_, bool>(4),
                    r.get::<_, Option<Vec<String>>>(5),
                    r.get::<_, Vec<String>>(6),
                )
            })
    };
    let (allowed, cols, _) = one("clinic_doctor", "appointments", "UPDATE").expect("a row");
    assert!(allowed && cols == Some(vec!["status".to_string()]));
    let (allowed, cols, policies) = one("clinic_doctor", "audit_log", "SELECT").expect("a row");
    assert!(
        allowed && cols.is_none() && policies == ["audit_doctor_own"],
        "{policies:?}"
    );
    let (allowed, _, _) = one(
        "clinic_receptionist",
        "clinic.add_staff(text,text,text,text)",
        "EXECUTE",
    )
    .expect("a row");
    assert!(!allowed);
    let (allowed, _, _) = one(
        "clinic_admin",
        "clinic.audit_verify_range(bigint,bigint)",
        "EXECUTE",
    )
    .expect("a row");
    assert!(allowed);
}
