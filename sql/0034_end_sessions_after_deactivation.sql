-- Deactivation (sql/0023) ends a person's sessions inside the transaction that makes their login
-- NOLOGIN, so a session that connects before that transaction commits is let in (the login can
-- still log in for everyone else until then) and stays: the app's own reconnect after its session
-- was ended can land in that window, seen in a test on a busy machine. What ends the sessions
-- therefore runs once more after the deactivation has committed: clinic.end_inactive_sessions,
-- which the app and `clinic staff deactivate` call straight after clinic.deactivate_staff. From
-- then on no session can come back, as PostgreSQL itself refuses the login. It ends the sessions
-- of a deactivated clinic login only (inactive and NOLOGIN), through the same checks as every
-- admin step, and audits what it ended.
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.end_inactive_sessions(p_staff_id bigint) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    s clinic.staff;
    ended integer;
  BEGIN
    s := clinic.staff_for_admin_step(p_staff_id, 'end a deactivated person''s sessions');
    IF s.active OR EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = s.login AND r.rolcanlogin) THEN
      RAISE EXCEPTION '% is not deactivated: their sessions are left alone', s.full_name
        USING ERRCODE = 'check_violation';
    END IF;
    SELECT pg_catalog.count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(a.pid)) INTO ended
      FROM pg_catalog.pg_stat_activity a WHERE a.usename = s.login AND a.pid <> pg_catalog.pg_backend_pid();
    IF ended > 0 THEN
      PERFORM clinic.audit('end_inactive_sessions', 'staff', s.id, NULL,
                           pg_catalog.jsonb_build_object('login', s.login, 'sessions_ended', ended));
    END IF;
    RETURN ended;
  END $$;

REVOKE ALL ON FUNCTION clinic.end_inactive_sessions(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION clinic.end_inactive_sessions(bigint) TO clinic_admin;
