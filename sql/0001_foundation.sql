-- Foundation: roles, schema, extensions, the staff directory, who-am-I helpers and the audit log.
--
-- Run by a superuser (or the database owner with CREATEROLE) through `clinic db migrate`. Everything
-- after the role and extension setup is created as the NOLOGIN owner role `clinic_owner`, so no staff
-- login ever owns a table.

-- Roles are cluster-wide: create them only where missing and correct them only where they differ, so
-- several clinic databases (or a test run's many databases) can share one cluster, even when two
-- migrate at once. The owner creates staff logins through one security-definer function and never
-- logs in; no group role may log in, bypass row security, or create roles.
DO $$
DECLARE
  r text;
  attrs text;
BEGIN
  FOREACH r IN ARRAY ARRAY['clinic_owner', 'clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant'] LOOP
    attrs := CASE WHEN r = 'clinic_owner' THEN 'CREATEROLE' ELSE 'NOCREATEROLE' END
             || ' NOLOGIN NOSUPERUSER NOCREATEDB NOBYPASSRLS NOREPLICATION';
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I %s', r, attrs);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles
                   WHERE rolname = r
                     AND (rolcanlogin OR rolsuper OR rolcreatedb OR rolbypassrls OR rolreplication
                          OR rolcreaterole <> (r = 'clinic_owner'))) THEN
      EXECUTE format('ALTER ROLE %I %s', r, attrs);
    END IF;
  END LOOP;
END $$;

-- From PostgreSQL 16 on, CREATEROLE alone no longer lets the owner put a new login into a group.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 160000 AND NOT EXISTS (
       SELECT FROM pg_catalog.pg_auth_members m
        WHERE m.member = 'clinic_owner'::regrole AND m.roleid = 'clinic_accountant'::regrole AND m.admin_option) THEN
    EXECUTE 'GRANT clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant TO clinic_owner WITH ADMIN OPTION, INHERIT FALSE, SET FALSE';
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS ext;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA ext;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA ext;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA ext;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA ext FROM PUBLIC;
GRANT USAGE ON SCHEMA ext TO clinic_owner, clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

CREATE SCHEMA clinic AUTHORIZATION clinic_owner;
REVOKE ALL ON SCHEMA clinic FROM PUBLIC;
GRANT USAGE ON SCHEMA clinic TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- Nothing the owner makes is executable by PUBLIC unless granted by name.
ALTER DEFAULT PRIVILEGES FOR ROLE clinic_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE clinic_owner REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE clinic_owner REVOKE ALL ON SEQUENCES FROM PUBLIC;

SET LOCAL ROLE clinic_owner;

-- Case- and accent-folded text, for search keys and their indexes. unaccent() itself is only STABLE
-- (its dictionary could change); naming the dictionary makes this safe to index.
CREATE FUNCTION clinic.fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  RETURN pg_catalog.lower(ext.unaccent('ext.unaccent'::regdictionary, t));
GRANT EXECUTE ON FUNCTION clinic.fold(text) TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- The staff directory (the seed's "users"). `login` is the person's PostgreSQL login; their job is the
-- group role that login belongs to, and add_staff keeps the two in step.
CREATE TABLE clinic.staff (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login text NOT NULL UNIQUE CHECK (login ~ '^[a-z][a-z0-9_]{0,62}$'),
  full_name text NOT NULL CHECK (pg_catalog.btrim(full_name) <> '' AND pg_catalog.length(full_name) <= 200),
  job text NOT NULL CHECK (job IN ('admin', 'doctor', 'receptionist', 'accountant')),
  email text CHECK (email IS NULL OR email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  phone text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
GRANT SELECT ON clinic.staff TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- The logged-in person: always by session_user, which SET ROLE cannot change and no client can send.
CREATE FUNCTION clinic.current_staff_id() RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$ SELECT s.id FROM clinic.staff s WHERE s.login = session_user AND s.active $$;
GRANT EXECUTE ON FUNCTION clinic.current_staff_id() TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- Who am I: the staff row and the job my login's group membership actually gives me. A staff row whose
-- job disagrees with the membership gives no job at all.
CREATE FUNCTION clinic.whoami()
  RETURNS TABLE (staff_id bigint, login text, full_name text, job text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT s.id, s.login, s.full_name,
           CASE WHEN pg_catalog.pg_has_role(session_user, 'clinic_' || s.job, 'MEMBER') THEN s.job END
      FROM clinic.staff s
     WHERE s.login = session_user AND s.active
  $$;
GRANT EXECUTE ON FUNCTION clinic.whoami() TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- The audit log: append-only and hash-chained. Nobody has INSERT, UPDATE, DELETE or TRUNCATE on it;
-- rows arrive only through clinic.audit(), and each row's hash covers the previous row's hash, so a
-- changed or removed row breaks the chain (clinic.audit_verify finds where).
-- It records which row and which columns changed, never the values: admins read it and must not see
-- clinical content.
CREATE TABLE clinic.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_login text NOT NULL,
  actor_staff_id bigint,
  action text NOT NULL,
  table_name text,
  row_id bigint,
  patient_id bigint,
  detail jsonb,
  needs_review boolean NOT NULL DEFAULT false,
  prev_hash bytea,
  hash bytea NOT NULL
);
CREATE INDEX audit_log_actor ON clinic.audit_log (actor_login, at);
CREATE INDEX audit_log_patient ON clinic.audit_log (patient_id, at) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_log_review ON clinic.audit_log (at) WHERE needs_review;

ALTER TABLE clinic.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.audit_log FORCE ROW LEVEL SECURITY;
GRANT SELECT ON clinic.audit_log TO clinic_admin, clinic_doctor;
CREATE POLICY audit_admin_read ON clinic.audit_log FOR SELECT TO clinic_admin USING (true);
CREATE POLICY audit_doctor_own ON clinic.audit_log FOR SELECT TO clinic_doctor USING (actor_login = session_user);
CREATE POLICY audit_owner_read ON clinic.audit_log FOR SELECT TO clinic_owner USING (true);
CREATE POLICY audit_owner_append ON clinic.audit_log FOR INSERT TO clinic_owner WITH CHECK (true);

-- Even the owner cannot rewrite history.
CREATE FUNCTION clinic.audit_log_is_append_only() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
  END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON clinic.audit_log
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON clinic.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION clinic.audit_log_is_append_only();

CREATE FUNCTION clinic.audit_row_hash(prev bytea, a clinic.audit_log) RETURNS bytea
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN pg_catalog.sha256(
    COALESCE(prev, '\x'::bytea) || pg_catalog.convert_to(pg_catalog.concat_ws('|',
      a.id, pg_catalog.to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), a.actor_login,
      a.actor_staff_id, a.action, a.table_name, a.row_id, a.patient_id, a.detail::text, a.needs_review), 'UTF8'));

-- The chain's head: the last entry's id and hash, in one row that every writer locks and moves.
-- A row lock rather than an advisory lock plus "read the last entry": a writer whose snapshot is
-- older than the last entry (REPEATABLE READ or SERIALIZABLE, which any client may choose) would not
-- see it and would link to a stale predecessor, forking the chain; locking a row changed since its
-- snapshot fails with a serialization error (40001) instead, and the client retries. The head also
-- lets audit_verify notice entries cut off the end of the log.
CREATE TABLE clinic.audit_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last_id bigint,
  hash bytea
);
INSERT INTO clinic.audit_head DEFAULT VALUES;
ALTER TABLE clinic.audit_head ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.audit_head FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_head_owner ON clinic.audit_head TO clinic_owner USING (true) WITH CHECK (true);

-- Append one entry. Locking the head keeps the chain linear: the next writer waits until this
-- transaction ends and then links to this row.
CREATE FUNCTION clinic.audit(p_action text, p_table text, p_row_id bigint, p_patient_id bigint,
                             p_detail jsonb DEFAULT NULL, p_needs_review boolean DEFAULT false)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    prev bytea;
    e clinic.audit_log;
  BEGIN
    SELECT h.hash INTO prev FROM clinic.audit_head h FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'the audit log has lost its head row' USING ERRCODE = 'data_corrupted';
    END IF;
    e.id := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('clinic.audit_log', 'id'));
    e.at := pg_catalog.clock_timestamp();
    e.actor_login := session_user;
    e.actor_staff_id := (SELECT s.id FROM clinic.staff s WHERE s.login = session_user);
    e.action := p_action;
    e.table_name := p_table;
    e.row_id := p_row_id;
    e.patient_id := p_patient_id;
    e.detail := p_detail;
    e.needs_review := COALESCE(p_needs_review, false);
    e.prev_hash := prev;
    e.hash := clinic.audit_row_hash(prev, e);
    INSERT INTO clinic.audit_log OVERRIDING SYSTEM VALUE SELECT e.*;
    UPDATE clinic.audit_head SET last_id = e.id, hash = e.hash;
  END $$;

-- The first entry whose hash does not follow from its predecessor (or, when entries are missing
-- from the end, the last id the head remembers), or NULL when the chain is whole.
CREATE FUNCTION clinic.audit_verify() RETURNS bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    prev bytea := NULL;
    last bigint := NULL;
    e clinic.audit_log;
    head clinic.audit_head;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER')
       AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) THEN
      RAISE EXCEPTION 'only an administrator can verify the audit log' USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR e IN SELECT * FROM clinic.audit_log ORDER BY id LOOP
      IF e.prev_hash IS DISTINCT FROM prev OR e.hash <> clinic.audit_row_hash(prev, e) THEN
        RETURN e.id;
      END IF;
      prev := e.hash;
      last := e.id;
    END LOOP;
    SELECT * INTO head FROM clinic.audit_head;
    IF head.last_id IS DISTINCT FROM last OR head.hash IS DISTINCT FROM prev THEN
      RETURN COALESCE(head.last_id, last);
    END IF;
    RETURN NULL;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.audit_verify() TO clinic_admin;

-- Writes to patient data are audited by this trigger: which row, which patient, which columns.
-- TG_ARGV[0] names the column holding the patient's id ('id' on patients itself); when TG_ARGV[1]
-- names a table, that column holds the id of a row of it whose patient_id is the patient (a
-- payment's invoice_id, 'invoices').
CREATE FUNCTION clinic.audit_write() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    n jsonb := CASE WHEN TG_OP <> 'DELETE' THEN pg_catalog.to_jsonb(NEW) END;
    o jsonb := CASE WHEN TG_OP <> 'INSERT' THEN pg_catalog.to_jsonb(OLD) END;
    r jsonb := COALESCE(n, o);
    patient bigint := (r ->> TG_ARGV[0])::bigint;
    changed jsonb;
  BEGIN
    IF TG_NARGS > 1 AND patient IS NOT NULL THEN
      EXECUTE pg_catalog.format('SELECT t.patient_id FROM clinic.%I t WHERE t.id = $1', TG_ARGV[1])
        INTO patient USING patient;
    END IF;
    IF TG_OP = 'UPDATE' THEN
      SELECT pg_catalog.jsonb_agg(k ORDER BY k) INTO changed
        FROM pg_catalog.jsonb_object_keys(n) AS k
       WHERE n -> k IS DISTINCT FROM o -> k AND k NOT IN ('version', 'updated_at', 'updated_by');
      IF changed IS NULL THEN
        RETURN NULL;
      END IF;
    END IF;
    PERFORM clinic.audit(pg_catalog.lower(TG_OP), TG_TABLE_NAME, (r ->> 'id')::bigint, patient,
                         CASE WHEN changed IS NOT NULL THEN pg_catalog.jsonb_build_object('columns', changed) END);
    RETURN NULL;
  END $$;

-- Rows with a version column get it bumped on every change (optimistic concurrency: a save names
-- the version it read, and a stale one matches no row), plus who and when.
CREATE FUNCTION clinic.bump_version() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    NEW.version := OLD.version + 1;
    IF pg_catalog.to_jsonb(NEW) ? 'updated_at' THEN
      NEW := pg_catalog.jsonb_populate_record(NEW, pg_catalog.jsonb_build_object(
        'updated_at', pg_catalog.now(), 'updated_by', clinic.current_staff_id()));
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER staff_version BEFORE UPDATE ON clinic.staff FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();

-- Create a staff member with their own login. The password arrives only as a SCRAM verifier computed
-- by the client, so it never reaches the server or its logs in plain text.
CREATE FUNCTION clinic.add_staff(p_login text, p_verifier text, p_full_name text, p_job text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    new_id bigint;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER')
       AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) THEN
      RAISE EXCEPTION 'only an administrator can add staff' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_login IS NULL OR p_login !~ '^[a-z][a-z0-9_]{0,62}$' OR p_login LIKE 'clinic\_%' OR p_login LIKE 'pg\_%' THEN
      RAISE EXCEPTION 'login name must be lower-case letters, digits and _, starting with a letter'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_job IS NULL OR p_job NOT IN ('admin', 'doctor', 'receptionist', 'accountant') THEN
      RAISE EXCEPTION 'job must be admin, doctor, receptionist or accountant' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
      RAISE EXCEPTION 'the password must be sent as a SCRAM-SHA-256 verifier' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = p_login) THEN
      RAISE EXCEPTION 'the login % is already taken', p_login USING ERRCODE = 'duplicate_object';
    END IF;
    EXECUTE pg_catalog.format(
      'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT PASSWORD %L IN ROLE %I',
      p_login, p_verifier, 'clinic_' || p_job);
    INSERT INTO clinic.staff (login, full_name, job) VALUES (p_login, pg_catalog.btrim(p_full_name), p_job)
      RETURNING id INTO new_id;
    PERFORM clinic.audit('add_staff', 'staff', new_id, NULL, pg_catalog.jsonb_build_object('login', p_login, 'job', p_job));
    RETURN new_id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.add_staff(text, text, text, text) TO clinic_admin;
