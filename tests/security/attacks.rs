//! Attacks that must fail: switching roles, custom settings, TRUNCATE, creating objects,
//! add_staff misuse, a login without a job.

use clinic::domain::staff::Job;
use tokio_postgres::{Client, NoTls};

use crate::common::{
    err_code, ok, one_i64, one_string, run, sid, strings, try_sql, Outcome, World, JOBS,
};
use crate::support::{sqlstate, Login};

#[tokio::test]
async fn set_role_to_anything_but_ones_own_group_is_refused() {
    let w = World::new().await;
    let su = w.su().await;
    let superuser = one_string(&su, "SELECT current_user::text").await;
    let clients = w.clients().await;
    let mut others: Vec<String> = [
        "clinic_owner",
        "clinic_admin",
        "clinic_doctor",
        "clinic_receptionist",
        "clinic_accountant",
        "pg_read_all_data",
        "pg_write_all_data",
        "pg_execute_server_program",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    others.push(superuser);
    others.push(w.other_doctor.user.clone());
    for (i, job) in JOBS.iter().enumerate() {
        let c = &clients[i];
        let me = w.login(*job);
        for role in others.iter().chain([
            &w.admin.user,
            &w.doctor.user,
            &w.receptionist.user,
            &w.accountant.user,
        ]) {
            if role == job.group_role() || *role == me.user {
                continue;
            }
            assert_eq!(
                try_sql(c, &format!("SET ROLE {role}")).await,
                Outcome::Error("42501".into()),
                "{job} SET ROLE {role}"
            );
            assert_eq!(
                try_sql(c, &format!("SET SESSION AUTHORIZATION {role}")).await,
                Outcome::Error("42501".into()),
                "{job} SET SESSION AUTHORIZATION {role}"
            );
        }
        // One's own group is allowed, and changes nothing about who one is.
        ok(c, &format!("SET ROLE {}", job.group_role())).await;
        assert_eq!(
            one_string(c, "SELECT login FROM clinic.whoami()").await,
            me.user
        );
        assert_eq!(
            one_string(c, "SELECT job FROM clinic.whoami()").await,
            job.as_str()
        );
        ok(c, "RESET ROLE").await;
    }
}

#[tokio::test]
async fn custom_settings_change_nothing() {
    let w = World::new().await;
    let clients = w.clients().await;
    let admin_id = sid(&w.admin);
    for (i, job) in JOBS.iter().enumerate() {
        let c = &clients[i];
        ok(
            c,
            &format!(
                "SET app.anything = '1';
                 SET app.login = '{admin}';
                 SET app.staff_id = '{admin_id}';
                 SET app.role = 'admin';
                 SELECT set_config('app.user', '{admin}', false);
                 SELECT set_config('app.current_user', '{admin}', false);
                 SELECT set_config('clinic.staff_id', '{admin_id}', false);",
                admin = w.admin.user
            ),
        )
        .await;
        assert_eq!(
            one_string(c, "SELECT current_setting('app.user')").await,
            w.admin.user,
            "{job}: the SET took"
        );
        assert_eq!(
            one_string(c, "SELECT login FROM clinic.whoami()").await,
            w.login(*job).user,
            "{job}"
        );
        assert_eq!(
            one_string(c, "SELECT job FROM clinic.whoami()").await,
            job.as_str(),
            "{job}"
        );
        assert_eq!(
            one_i64(c, "SELECT clinic.current_staff_id()").await,
            sid(w.login(*job)),
            "{job}"
        );
    }
    // Row security still follows the session user.
    let (dc, rc, ac) = (&clients[1], &clients[2], &clients[3]);
    assert_eq!(
        run(
            dc,
            &format!(
                "SELECT 1 FROM clinic.appointments WHERE doctor_id <> {}",
                sid(&w.doctor)
            )
        )
        .await,
        Outcome::Rows(0)
    );
    assert_eq!(
        run(
            dc,
            "SELECT 1 FROM clinic.audit_log WHERE actor_login <> session_user"
        )
        .await,
        Outcome::Rows(0)
    );
    assert_eq!(
        err_code(
            dc,
            &format!("SELECT * FROM clinic.open_chart({})", w.p_stranger)
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(rc, "SELECT * FROM clinic.audit_log").await,
        "42501"
    );
    assert_eq!(
        err_code(ac, "SELECT sex FROM clinic.patients").await,
        "42501"
    );
    assert_eq!(
        err_code(
            rc,
            &format!(
                "INSERT INTO clinic.payments (invoice_id, kind, amount_minor, method, idempotency_key)
                 VALUES ({}, 'refund', -1, 'cash', gen_random_uuid())",
                w.inv_issued
            )
        )
        .await,
        "42501"
    );
}

#[tokio::test]
async fn truncate_on_every_clinic_table_is_refused() {
    let w = World::new().await;
    let su = w.su().await;
    let tables = strings(
        &su,
        "SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = 'clinic'::regnamespace AND c.relkind IN ('r', 'p')
          ORDER BY 1",
    )
    .await;
    assert!(tables.len() >= 10, "{tables:?}");
    let clients = w.clients().await;
    let mut wrong = Vec::new();
    for (i, job) in JOBS.iter().enumerate() {
        for t in &tables {
            let got = try_sql(&clients[i], &format!("TRUNCATE clinic.{t} CASCADE")).await;
            if got != Outcome::Error("42501".into()) {
                wrong.push(format!("{job} TRUNCATE {t}: {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
    assert!(one_i64(&su, "SELECT count(*) FROM clinic.patients").await >= 3);
}

#[tokio::test]
async fn nobody_creates_objects_anywhere() {
    let w = World::new().await;
    let clients = w.clients().await;
    for (i, job) in JOBS.iter().enumerate() {
        for sql in [
            "CREATE TABLE clinic.sneaky (i int)",
            "CREATE VIEW clinic.sneaky AS SELECT 1 AS one",
            "CREATE FUNCTION clinic.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TABLE public.sneaky (i int)",
            "CREATE TABLE sneaky (i int)",
            "CREATE FUNCTION public.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TABLE ext.sneaky (i int)",
            "CREATE TEMP TABLE sneaky (i int)",
            "CREATE TEMP VIEW sneaky AS SELECT 1 AS one",
            "CREATE SCHEMA sneaky",
            "CREATE ROLE sneaky",
            "CREATE DATABASE sneaky",
        ] {
            // CREATE DATABASE refuses to run in a transaction block at all, so it runs bare.
            let got = if sql.starts_with("CREATE DATABASE") {
                run(&clients[i], sql).await
            } else {
                try_sql(&clients[i], sql).await
            };
            assert_eq!(got, Outcome::Error("42501".into()), "{job}: {sql}");
        }
    }
}

#[tokio::test]
async fn add_staff_is_for_admins_and_validates_its_arguments() {
    let w = World::new().await;
    let clients = w.clients().await;
    let su = w.su().await;
    let new_login = format!("{}_nina", w.db.name);
    let verifier = clinic::db::staff::scram_verifier("nina's own password");
    let call = |login: &str, verifier: &str, job: &str| {
        format!(
            "SELECT clinic.add_staff('{}', '{}', 'Nina Nurse', '{job}')",
            login.replace('\'', "''"),
            verifier
        )
    };
    for c in &clients[1..] {
        assert_eq!(
            err_code(c, &call(&new_login, &verifier, "admin")).await,
            "42501"
        );
    }
    let ad = &clients[0];
    let md5 = format!("md5{}", "0123456789abcdef".repeat(2));
    let bad = [
        (
            new_login.clone(),
            "hunter2hunter2".to_string(),
            "receptionist",
            "22023",
        ),
        (new_login.clone(), md5, "receptionist", "22023"),
        (
            new_login.clone(),
            format!("{verifier} SUPERUSER"),
            "receptionist",
            "22023",
        ),
        (
            format!("clinic_x{}", w.db.name),
            verifier.clone(),
            "receptionist",
            "22023",
        ),
        (
            "clinic_owner".to_string(),
            verifier.clone(),
            "receptionist",
            "22023",
        ),
        (
            "pg_sneaky".to_string(),
            verifier.clone(),
            "receptionist",
            "22023",
        ),
        (
            "Robert\"; drop role clinic_admin; --".to_string(),
            verifier.clone(),
            "receptionist",
            "22023",
        ),
        (
            "Nina".to_string(),
            verifier.clone(),
            "receptionist",
            "22023",
        ),
        (new_login.clone(), verifier.clone(), "superuser", "22023"),
        (new_login.clone(), verifier.clone(), "owner", "22023"),
        (
            w.doctor.user.clone(),
            verifier.clone(),
            "receptionist",
            "42710",
        ),
    ];
    for (login, v, job, code) in &bad {
        assert_eq!(
            &err_code(ad, &call(login, v, job)).await,
            code,
            "{login:?} {v:?} {job}"
        );
    }
    assert_eq!(
        one_i64(
            &su,
            &format!(
                "SELECT count(*) FROM pg_roles WHERE rolname IN ('{new_login}', 'pg_sneaky', 'Nina', 'clinic_x{}')",
                w.db.name
            )
        )
        .await,
        0,
        "no refused call left a role behind"
    );
    assert_eq!(
        one_i64(
            &su,
            "SELECT count(*) FROM pg_roles WHERE rolname = 'clinic_admin'"
        )
        .await,
        1
    );

    // The real thing: the new login can log in and is who add_staff said.
    let id = one_i64(ad, &call(&new_login, &verifier, "receptionist")).await;
    let nina = Login {
        user: new_login.clone(),
        password: "nina's own password".into(),
        job: Some(Job::Receptionist),
        staff_id: Some(id),
    };
    let nc = w.connect(&nina).await;
    let me = nc
        .query_one("SELECT staff_id, login, job FROM clinic.whoami()", &[])
        .await
        .expect("whoami");
    assert_eq!(me.get::<_, i64>(0), id);
    assert_eq!(me.get::<_, String>(1), new_login);
    assert_eq!(me.get::<_, String>(2), "receptionist");
    assert_eq!(
        run(&nc, "SELECT 1 FROM clinic.patients LIMIT 1").await,
        Outcome::Rows(1)
    );
    assert_eq!(
        err_code(&nc, "SELECT * FROM clinic.audit_log").await,
        "42501"
    );
    // Its password was stored as the verifier sent, never in the clear.
    let stored = one_string(
        &su,
        &format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{new_login}'"),
    )
    .await;
    assert!(
        stored.starts_with("SCRAM-SHA-256$") && !stored.contains("nina"),
        "{stored}"
    );
    let attrs = su
        .query_one(
            &format!("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = '{new_login}'"),
            &[],
        )
        .await
        .expect("attrs");
    assert!(
        !attrs.get::<_, bool>(0)
            && !attrs.get::<_, bool>(1)
            && !attrs.get::<_, bool>(2)
            && !attrs.get::<_, bool>(3)
    );
    // The admin's call is in the audit log.
    assert_eq!(
        one_i64(
            ad,
            &format!("SELECT count(*) FROM clinic.audit_log WHERE action = 'add_staff' AND row_id = {id} AND actor_login = session_user")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_login_without_a_job_reads_nothing() {
    let w = World::new().await;
    let drifter = w.db.login_without_job("drifter").await;
    let su = w.su().await;
    let cannot_read = |c: Client| async move {
        for sql in [
            "SELECT * FROM clinic.patients",
            "SELECT family_name FROM clinic.patients",
            "SELECT * FROM clinic.staff",
            "SELECT * FROM clinic.whoami()",
            "SELECT * FROM clinic.audit_log",
        ] {
            assert_eq!(err_code(&c, sql).await, "42501", "{sql}");
        }
    };
    // As deployed: no CONNECT on the database at all.
    match w.db.config_for(&drifter).connect(NoTls).await {
        Err(e) => assert_eq!(sqlstate(&e), "42501", "{e:?}"),
        Ok((c, conn)) => {
            tokio::spawn(conn);
            cannot_read(c).await;
        }
    }
    // Even if someone grants it CONNECT by mistake, the schema and tables stay closed.
    ok(
        &su,
        &format!(
            "GRANT CONNECT ON DATABASE {} TO {}",
            w.db.name, drifter.user
        ),
    )
    .await;
    let (c, conn) =
        w.db.config_for(&drifter)
            .connect(NoTls)
            .await
            .expect("connects after the grant");
    tokio::spawn(conn);
    cannot_read(c).await;
}
