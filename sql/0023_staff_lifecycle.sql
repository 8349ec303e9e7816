-- The staff lifecycle in the database (issue 10, item 1): an admin changes a person's job, resets
-- their password, deactivates and reactivates them, through narrow security-definer functions
-- that check every argument, touch only the clinic's own staff logins, never leave the clinic
-- without an active admin, and audit each step. Admins have no CREATEROLE: the owner does the
-- role changes inside these functions.
--
-- Deactivating locks the person out of PostgreSQL itself, not only the app: their login becomes
-- NOLOGIN and their open sessions are ended (the owner is given pg_signal_backend for that; it
-- cannot signal a superuser's sessions).
GRANT pg_signal_backend TO clinic_owner;
SET LOCAL ROLE clinic_owner;

-- After a reset the person chooses a new password at their next sign-in.
ALTER TABLE clinic.staff ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Names no staff login may take, whether or not such a role exists yet: PostgreSQL's own and the
-- clinic's.
CREATE FUNCTION clinic.is_reserved_login(p_login text) RETURNS boolean
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN p_login IS NULL
      OR p_login LIKE 'pg\_%' OR p_login LIKE 'clinic\_%'
      OR p_login IN ('postgres', 'public', 'none', 'all', 'current_role', 'current_user', 'session_user',
                     'user', 'default', 'template0', 'template1', 'replication', 'pgbouncer', 'root',
                     'admin', 'superuser', 'clinic');

-- A password arrives only as a SCRAM-SHA-256 verifier the client computed; anything else is refused.
CREATE FUNCTION clinic.require_verifier(p_verifier text) RETURNS void
  LANGUAGE plpgsql IMMUTABLE
  SET search_path = ''
  AS $$
  BEGIN
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
      RAISE EXCEPTION 'the password must be sent as a SCRAM-SHA-256 verifier' USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END $$;

-- The staff row an admin's step is about, checked: the caller is an active admin, the row is one
-- of the clinic's staff, and its login is a plain clinic login (a member of a clinic group, not a
-- superuser, not able to create roles or bypass row security). Locked for the step.
CREATE FUNCTION clinic.staff_for_admin_step(p_staff_id bigint, p_step text) RETURNS clinic.staff
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    s clinic.staff;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER')
       OR clinic.current_staff_id() IS NULL THEN
      RAISE EXCEPTION 'only an active administrator can %', p_step USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO s FROM clinic.staff x WHERE x.id = p_staff_id FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no staff member %', p_staff_id USING ERRCODE = 'no_data_found';
    END IF;
    IF clinic.is_reserved_login(s.login)
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                       WHERE r.rolname = s.login AND NOT r.rolsuper AND NOT r.rolcreaterole
                         AND NOT r.rolbypassrls AND NOT r.rolreplication)
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                        JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                        JOIN pg_catalog.pg_roles u ON u.oid = m.member
                       WHERE u.rolname = s.login
                         AND g.rolname IN ('clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant')) THEN
      RAISE EXCEPTION 'the login % is not one of the clinic''s staff logins: it is left alone', s.login
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN s;
  END $$;

-- Another active admin besides `p_staff_id`: the clinic is never left without one.
CREATE FUNCTION clinic.another_active_admin(p_staff_id bigint) RETURNS boolean
  LANGUAGE sql STABLE
  SET search_path = ''
  RETURN EXISTS (SELECT FROM clinic.staff s WHERE s.job = 'admin' AND s.active AND s.id <> p_staff_id);

CREATE OR REPLACE FUNCTION clinic.add_staff(p_login text, p_verifier text, p_full_name text, p_job text) RETURNS bigint
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
    IF p_login IS NULL OR p_login !~ '^[a-z][a-z0-9_]{0,62}$' THEN
      RAISE EXCEPTION 'login name must be lower-case letters, digits and _, starting with a letter'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF clinic.is_reserved_login(p_login) THEN
      RAISE EXCEPTION 'the login name % is PostgreSQL''s or the clinic''s own: choose another', p_login
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_job IS NULL OR p_job NOT IN ('admin', 'doctor', 'receptionist', 'accountant') THEN
      RAISE EXCEPTION 'job must be admin, doctor, receptionist or accountant' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM clinic.require_verifier(p_verifier);
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

-- Move a person to another job: their group and their staff row together, in one transaction.
-- Nobody changes their own job (another admin does, and it is audited), and the last active
-- admin stays an admin.
CREATE FUNCTION clinic.set_staff_job(p_staff_id bigint, p_job text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    s clinic.staff;
  BEGIN
    s := clinic.staff_for_admin_step(p_staff_id, 'change a job');
    IF p_job IS NULL OR p_job NOT IN ('admin', 'doctor', 'receptionist', 'accountant') THEN
      RAISE EXCEPTION 'job must be admin, doctor, receptionist or accountant' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.login = session_user THEN
      RAISE EXCEPTION 'nobody changes their own job: another administrator does' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF s.job = p_job THEN
      RETURN;
    END IF;
    IF s.job = 'admin' AND s.active AND NOT clinic.another_active_admin(s.id) THEN
      RAISE EXCEPTION '% is the last active administrator', s.full_name USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE pg_catalog.format('REVOKE %I FROM %I', 'clinic_' || s.job, s.login);
    EXECUTE pg_catalog.format('GRANT %I TO %I', 'clinic_' || p_job, s.login);
    UPDATE clinic.staff x SET job = p_job, version = x.version + 1 WHERE x.id = s.id;
    PERFORM clinic.audit('set_staff_job', 'staff', s.id, NULL,
                         pg_catalog.jsonb_build_object('login', s.login, 'from', s.job, 'to', p_job));
  END $$;

-- A new password for a person who lost theirs, as a verifier the client computed; they choose
-- their own at the next sign-in.
CREATE FUNCTION clinic.reset_staff_password(p_staff_id bigint, p_verifier text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    s clinic.staff;
  BEGIN
    s := clinic.staff_for_admin_step(p_staff_id, 'reset a password');
    PERFORM clinic.require_verifier(p_verifier);
    EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', s.login, p_verifier);
    UPDATE clinic.staff x SET must_change_password = true, version = x.version + 1 WHERE x.id = s.id;
    PERFORM clinic.audit('reset_staff_password', 'staff', s.id, NULL, pg_catalog.jsonb_build_object('login', s.login));
  END $$;

-- The signed-in person's own new password (any job), as a verifier the client computed.
CREATE FUNCTION clinic.change_own_password(p_verifier text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    me bigint := clinic.current_staff_id();
  BEGIN
    IF me IS NULL THEN
      RAISE EXCEPTION 'only active staff change their password here' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM clinic.require_verifier(p_verifier);
    EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
    UPDATE clinic.staff x SET must_change_password = false, version = x.version + 1 WHERE x.id = me;
    PERFORM clinic.audit('change_own_password', 'staff', me, NULL, NULL);
  END $$;

-- Lock a person out: of the app (active = false) and of PostgreSQL (NOLOGIN, their open sessions
-- ended). Nobody deactivates themselves, and the last active admin stays.
CREATE FUNCTION clinic.deactivate_staff(p_staff_id bigint) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    s clinic.staff;
    ended integer;
  BEGIN
    s := clinic.staff_for_admin_step(p_staff_id, 'deactivate staff');
    IF s.login = session_user THEN
      RAISE EXCEPTION 'nobody deactivates themselves: another administrator does' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF s.job = 'admin' AND s.active AND NOT clinic.another_active_admin(s.id) THEN
      RAISE EXCEPTION '% is the last active administrator', s.full_name USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE pg_catalog.format('ALTER ROLE %I NOLOGIN', s.login);
    UPDATE clinic.staff x SET active = false, version = x.version + 1 WHERE x.id = s.id;
    SELECT pg_catalog.count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(a.pid)) INTO ended
      FROM pg_catalog.pg_stat_activity a WHERE a.usename = s.login AND a.pid <> pg_catalog.pg_backend_pid();
    PERFORM clinic.audit('deactivate_staff', 'staff', s.id, NULL,
                         pg_catalog.jsonb_build_object('login', s.login, 'sessions_ended', ended));
    RETURN ended;
  END $$;

CREATE FUNCTION clinic.reactivate_staff(p_staff_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    s clinic.staff;
  BEGIN
    s := clinic.staff_for_admin_step(p_staff_id, 'reactivate staff');
    EXECUTE pg_catalog.format('ALTER ROLE %I LOGIN', s.login);
    UPDATE clinic.staff x SET active = true, version = x.version + 1 WHERE x.id = s.id;
    PERFORM clinic.audit('reactivate_staff', 'staff', s.id, NULL, pg_catalog.jsonb_build_object('login', s.login));
  END $$;

GRANT EXECUTE ON FUNCTION clinic.set_staff_job(bigint, text), clinic.reset_staff_password(bigint, text),
  clinic.deactivate_staff(bigint), clinic.reactivate_staff(bigint) TO clinic_admin;
GRANT EXECUTE ON FUNCTION clinic.change_own_password(text)
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
