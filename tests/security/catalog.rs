//! Catalog checks (as superuser), each with a control showing the check can see a violation.

use crate::common::{ok, one_bool, one_i64, strings, World};

#[tokio::test]
async fn catalog_patient_data_tables_force_row_security() {
    let w = World::new().await;
    let su = w.su().await;
    let sql = "SELECT c.relname::text, c.relrowsecurity AND c.relforcerowsecurity
                 FROM pg_class c
                WHERE c.relnamespace = 'clinic'::regnamespace AND c.relkind IN ('r', 'p')
                  AND (c.relname IN ('patients', 'audit_log')
                       OR EXISTS (SELECT FROM pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attname = 'patient_id' AND NOT a.attisdropped))
                ORDER BY 1";
    let rows = su.query(sql, &[]).await.expect("tables");
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    for t in [
        "patients",
        "appointments",
        "medical_records",
        "emergency_access",
        "invoices",
        "audit_log",
    ] {
        assert!(names.contains(&t.to_string()), "{t} checked: {names:?}");
    }
    let weak: Vec<&String> = rows
        .iter()
        .zip(&names)
        .filter(|(r, _)| !r.get::<_, bool>(1))
        .map(|(_, n)| n)
        .collect();
    assert!(
        weak.is_empty(),
        "patient data without forced row security: {weak:?}"
    );
    // Also: every other table but the staff directory.
    let others = strings(
        &su,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'clinic'::regnamespace AND relkind IN ('r', 'p')
            AND NOT (relrowsecurity AND relforcerowsecurity) ORDER BY 1",
    )
    .await;
    assert_eq!(others, vec!["staff".to_string()]);
    // Control: the same query sees a table that lacks it.
    ok(&su, "BEGIN; CREATE TABLE clinic.probe (patient_id bigint);").await;
    let probe = su.query(sql, &[]).await.expect("tables");
    assert!(probe
        .iter()
        .any(|r| r.get::<_, String>(0) == "probe" && !r.get::<_, bool>(1)));
    ok(&su, "ROLLBACK").await;
}

#[tokio::test]
async fn catalog_definer_functions_pin_an_empty_search_path() {
    let w = World::new().await;
    let su = w.su().await;
    let sql = "SELECT p.oid::regprocedure::text,
                      COALESCE('search_path=\"\"' = ANY (p.proconfig), false)
                 FROM pg_proc p WHERE p.pronamespace = 'clinic'::regnamespace AND p.prosecdef ORDER BY 1";
    let rows = su.query(sql, &[]).await.expect("functions");
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(rows.len() >= 10, "{names:?}");
    assert!(
        names.contains(&"clinic.open_chart(bigint)".to_string()),
        "{names:?}"
    );
    let loose: Vec<&String> = rows
        .iter()
        .zip(&names)
        .filter(|(r, _)| !r.get::<_, bool>(1))
        .map(|(_, n)| n)
        .collect();
    assert!(
        loose.is_empty(),
        "definer functions without search_path = '': {loose:?}"
    );
    // Every other function in the schema pins it too.
    assert_eq!(
        one_i64(
            &su,
            "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'clinic'::regnamespace
                AND NOT COALESCE('search_path=\"\"' = ANY (p.proconfig), false)"
        )
        .await,
        0
    );
    ok(&su, "BEGIN; CREATE FUNCTION clinic.probe() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';").await;
    let probe = su.query(sql, &[]).await.expect("functions");
    assert!(probe
        .iter()
        .any(|r| r.get::<_, String>(0) == "clinic.probe()" && !r.get::<_, bool>(1)));
    ok(&su, "ROLLBACK").await;
}

#[tokio::test]
async fn catalog_nothing_is_granted_to_public() {
    let w = World::new().await;
    let su = w.su().await;
    // A NULL acl means the defaults, which for functions include EXECUTE for PUBLIC.
    let sql = "SELECT o.kind || ' ' || o.name || ': ' || a.privilege_type
                 FROM (SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' ELSE 'table' END AS kind,
                              c.relname::text AS name,
                              COALESCE(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner)) AS acl
                         FROM pg_class c
                        WHERE c.relnamespace = 'clinic'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                       UNION ALL
                       SELECT 'function', p.oid::regprocedure::text, COALESCE(p.proacl, acldefault('f', p.proowner))
                         FROM pg_proc p WHERE p.pronamespace = 'clinic'::regnamespace
                       UNION ALL
                       SELECT 'schema', n.nspname::text, COALESCE(n.nspacl, acldefault('n', n.nspowner))
                         FROM pg_namespace n WHERE n.nspname IN ('clinic', 'ext', 'clinic_meta')
                       UNION ALL
                       SELECT 'database', d.datname::text, COALESCE(d.datacl, acldefault('d', d.datdba))
                         FROM pg_database d WHERE d.datname = current_database()) o,
                      LATERAL aclexplode(o.acl) a
                WHERE a.grantee = 0
                ORDER BY 1";
    let granted = strings(&su, sql).await;
    assert!(granted.is_empty(), "granted to PUBLIC: {granted:?}");
    let objects = one_i64(
        &su,
        "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'clinic'::regnamespace)
              + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'clinic'::regnamespace)",
    )
    .await;
    assert!(objects > 40, "{objects} objects checked");
    // The database specifically: no CONNECT, no TEMP for PUBLIC; CONNECT for the four jobs.
    for (role, privilege, want) in [
        ("public", "CONNECT", false),
        ("public", "TEMPORARY", false),
        ("public", "CREATE", false),
        ("clinic_doctor", "CONNECT", true),
        ("clinic_doctor", "TEMPORARY", false),
        ("clinic_receptionist", "CREATE", false),
    ] {
        assert_eq!(
            one_bool(
                &su,
                &format!(
                    "SELECT has_database_privilege('{role}', current_database(), '{privilege}')"
                )
            )
            .await,
            want,
            "{role} {privilege}"
        );
    }
    // Control: a function made without the owner's default privileges shows up.
    ok(
        &su,
        "BEGIN; CREATE FUNCTION clinic.probe() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    .await;
    assert_eq!(
        strings(&su, sql).await,
        vec!["function clinic.probe(): EXECUTE".to_string()]
    );
    ok(&su, "ROLLBACK").await;
}

#[tokio::test]
async fn catalog_no_staff_or_group_role_is_privileged() {
    let w = World::new().await;
    let su = w.su().await;
    let sql = "WITH groups AS (
                 SELECT oid FROM pg_roles
                  WHERE rolname IN ('clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant')),
               people AS (
                 SELECT m.member AS oid FROM pg_auth_members m WHERE m.roleid IN (SELECT oid FROM groups)
                 UNION SELECT r.oid FROM pg_roles r JOIN clinic.staff s ON s.login = r.rolname)
               SELECT r.rolname::text,
                      r.rolsuper OR r.rolbypassrls OR r.rolreplication OR r.rolcreatedb
                        OR (r.rolcreaterole AND (r.rolname <> 'clinic_owner' OR r.rolcanlogin))
                        OR (r.oid IN (SELECT oid FROM groups) AND r.rolcanlogin)
                 FROM pg_roles r
                WHERE r.oid IN (SELECT oid FROM groups) OR r.oid IN (SELECT oid FROM people)
                   OR r.rolname = 'clinic_owner'
                ORDER BY 1";
    let rows = su.query(sql, &[]).await.expect("roles");
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    for l in [&w.admin, &w.doctor, &w.receptionist, &w.accountant] {
        assert!(names.contains(&l.user), "{} checked", l.user);
    }
    assert!(names.contains(&"clinic_owner".to_string()));
    let bad: Vec<&String> = rows
        .iter()
        .zip(&names)
        .filter(|(r, _)| r.get::<_, bool>(1))
        .map(|(_, n)| n)
        .collect();
    assert!(bad.is_empty(), "privileged: {bad:?}");
    // Nobody can become the owner, and each person has exactly one job.
    assert_eq!(
        one_i64(
            &su,
            "SELECT count(*) FROM pg_auth_members WHERE roleid = 'clinic_owner'::regrole"
        )
        .await,
        0
    );
    assert_eq!(
        one_i64(
            &su,
            "SELECT count(*) FROM clinic.staff s
              WHERE (SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE m.member = s.login::regrole AND g.rolname LIKE 'clinic\\_%') <> 1"
        )
        .await,
        0
    );
    // Control.
    ok(
        &su,
        &format!("BEGIN; ALTER ROLE {} BYPASSRLS;", w.receptionist.user),
    )
    .await;
    let probe = su.query(sql, &[]).await.expect("roles");
    assert!(probe
        .iter()
        .any(|r| r.get::<_, String>(0) == w.receptionist.user && r.get::<_, bool>(1)));
    ok(&su, "ROLLBACK").await;
}

#[tokio::test]
async fn catalog_views_are_security_invoker() {
    let w = World::new().await;
    let su = w.su().await;
    let sql = "SELECT c.relname::text,
                      COALESCE(c.reloptions && ARRAY['security_invoker=true', 'security_invoker=on', 'security_invoker=1'], false)
                 FROM pg_class c WHERE c.relnamespace = 'clinic'::regnamespace AND c.relkind IN ('v', 'm') ORDER BY 1";
    let rows = su.query(sql, &[]).await.expect("views");
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(
        names.contains(&"roles_permissions".to_string()),
        "{names:?}"
    );
    let definer: Vec<&String> = rows
        .iter()
        .zip(&names)
        .filter(|(r, _)| !r.get::<_, bool>(1))
        .map(|(_, n)| n)
        .collect();
    assert!(
        definer.is_empty(),
        "views running as their owner: {definer:?}"
    );
    ok(&su, "BEGIN; CREATE VIEW clinic.probe AS SELECT 1 AS one;").await;
    let probe = su.query(sql, &[]).await.expect("views");
    assert!(probe
        .iter()
        .any(|r| r.get::<_, String>(0) == "probe" && !r.get::<_, bool>(1)));
    ok(&su, "ROLLBACK").await;
}

#[tokio::test]
async fn catalog_no_staff_login_owns_anything() {
    let w = World::new().await;
    let su = w.su().await;
    let owned = "SELECT count(*) FROM pg_shdepend d
                  WHERE d.deptype = 'o' AND d.refclassid = 'pg_authid'::regclass
                    AND d.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
                    AND d.refobjid IN (SELECT r.oid FROM pg_roles r JOIN clinic.staff s ON s.login = r.rolname
                                       UNION SELECT m.member FROM pg_auth_members m
                                        WHERE m.roleid IN ('clinic_admin'::regrole, 'clinic_doctor'::regrole,
                                                           'clinic_receptionist'::regrole, 'clinic_accountant'::regrole)
                                       UNION SELECT oid FROM pg_roles
                                        WHERE rolname IN ('clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant'))";
    assert_eq!(one_i64(&su, owned).await, 0);
    // Everything in the schema belongs to the NOLOGIN owner.
    assert_eq!(
        strings(
            &su,
            "SELECT DISTINCT pg_get_userbyid(owner)::text FROM (
               SELECT relowner AS owner FROM pg_class WHERE relnamespace = 'clinic'::regnamespace
               UNION ALL SELECT proowner FROM pg_proc WHERE pronamespace = 'clinic'::regnamespace
               UNION ALL SELECT typowner FROM pg_type WHERE typnamespace = 'clinic'::regnamespace
               UNION ALL SELECT nspowner FROM pg_namespace WHERE nspname = 'clinic') o"
        )
        .await,
        vec!["clinic_owner".to_string()]
    );
    ok(
        &su,
        &format!(
            "BEGIN; CREATE TABLE public.probe (i int); ALTER TABLE public.probe OWNER TO {};",
            w.doctor.user
        ),
    )
    .await;
    assert!(one_i64(&su, owned).await > 0);
    ok(&su, "ROLLBACK").await;
}

/// Every staff login carries its own limits (role settings do not pass from a group to its
/// members): a statement at most a minute, a transaction left idle at most five, so an
/// authenticated login exhausts nothing shared. Checked in the catalog and as each login sees it.
#[tokio::test]
async fn catalog_every_staff_login_has_its_limits() {
    let w = World::new().await;
    let su = w.su().await;
    let sql = "SELECT count(*) FROM clinic.staff s JOIN pg_roles r ON r.rolname = s.login
                WHERE NOT r.rolsuper AND NOT EXISTS (
                  SELECT FROM pg_db_role_setting d
                   WHERE d.setrole = r.oid AND d.setdatabase = 0
                     AND 'statement_timeout=60s' = ANY (d.setconfig)
                     AND 'idle_in_transaction_session_timeout=5min' = ANY (d.setconfig))";
    assert!(one_i64(&su, "SELECT count(*) FROM clinic.staff").await >= 5);
    assert_eq!(
        one_i64(&su, sql).await,
        0,
        "a staff login without its limits"
    );
    for login in [&w.admin, &w.doctor, &w.receptionist, &w.accountant] {
        let c = w.db.connect(login).await;
        let shown = strings(
            &c,
            "SELECT current_setting('statement_timeout') || ' ' || current_setting('idle_in_transaction_session_timeout')",
        )
        .await;
        assert_eq!(shown, vec!["1min 5min".to_string()], "{}", login.user);
    }
    // Control: a login whose limit was taken away is found.
    ok(
        &su,
        &format!(
            "BEGIN; ALTER ROLE {} RESET statement_timeout;",
            w.receptionist.user
        ),
    )
    .await;
    assert_eq!(one_i64(&su, sql).await, 1);
    ok(&su, "ROLLBACK").await;
}
