-- The permission matrix and the audit trail's screen (issue 10, items 2 and 3).
--
-- * clinic.permission_matrix: one row per clinic role x object x operation, read from the catalog
--   (never a hand-kept copy). clinic.roles_permissions (0006) has a row per role and table with
--   the operations side by side, its policies for every command at once, and only the functions a
--   role may execute; the screen and `clinic permissions` want each operation on its own row with
--   the policies that apply to that command, the functions a role may not execute as well, and
--   whether a function runs as its owner.
-- * Indexes that serve the trail's keyset pages, newest first by (at, id), under every filter: the
--   whole log, and by person, patient, action or table, each with a date range, is one index range
--   scan that stops after a page. (actor_login, at) and (patient_id, at) are replaced by the same
--   with id, so the page's order needs no sort.
-- * clinic.audit_verify_range(from_seq, to_seq): the same check as clinic.audit_verify() over a
--   range of chain positions, so the app can check millions of entries chunk by chunk and show
--   how far it has got.
SET LOCAL ROLE clinic_owner;

CREATE VIEW clinic.permission_matrix WITH (security_invoker = true) AS
  WITH roles AS (
    SELECT r.oid, r.rolname::text AS role FROM pg_catalog.pg_roles r
     WHERE r.rolname IN ('clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant')
  ), operations (operation, polcmd) AS (
    VALUES ('SELECT', 'r'::"char"), ('INSERT', 'a'::"char"), ('UPDATE', 'w'::"char"), ('DELETE', 'd'::"char")
  )
  SELECT ro.role,
         CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS object_kind,
         c.relname::text AS object_name,
         o.operation,
         whole.granted OR cols.names IS NOT NULL AS allowed,
         -- Columns granted one by one where the role has the operation on part of a row only.
         CASE WHEN NOT whole.granted THEN cols.names END AS columns,
         ARRAY(SELECT p.polname::text FROM pg_catalog.pg_policy p
                WHERE p.polrelid = c.oid AND p.polcmd IN (o.polcmd, '*')
                  AND (p.polroles = '{0}'::oid[]
                       OR EXISTS (SELECT FROM pg_catalog.unnest(p.polroles) AS pr (oid)
                                   WHERE pg_catalog.pg_has_role(ro.oid, pr.oid, 'MEMBER')))
                ORDER BY p.polname) AS policies,
         c.relrowsecurity AND c.relforcerowsecurity AS row_security,
         false AS security_definer
    FROM roles ro
   CROSS JOIN pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   CROSS JOIN operations o
   CROSS JOIN LATERAL (SELECT pg_catalog.has_table_privilege(ro.oid, c.oid, o.operation) AS granted) whole
   CROSS JOIN LATERAL (
     SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) AS names
       FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        -- DELETE has no column privileges.
        AND CASE WHEN o.operation = 'DELETE' THEN false
                 ELSE pg_catalog.has_column_privilege(ro.oid, c.oid, a.attnum, o.operation) END) cols
   WHERE n.nspname = 'clinic' AND c.relkind IN ('r', 'p', 'v')
  UNION ALL
  SELECT ro.role, 'function', p.oid::pg_catalog.regprocedure::text, 'EXECUTE',
         pg_catalog.has_function_privilege(ro.oid, p.oid, 'EXECUTE'),
         NULL, '{}'::text[], false, p.prosecdef
    FROM roles ro
   CROSS JOIN pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'clinic' AND p.prokind = 'f'
     -- Trigger functions run as triggers, whoever may execute them.
     AND p.prorettype NOT IN ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype);

GRANT SELECT ON clinic.permission_matrix TO clinic_admin;

-- Keyset pages newest first by (at, id), under each filter.
DROP INDEX clinic.audit_log_actor;
DROP INDEX clinic.audit_log_patient;
CREATE INDEX audit_log_at ON clinic.audit_log (at, id);
CREATE INDEX audit_log_actor ON clinic.audit_log (actor_login, at, id);
CREATE INDEX audit_log_patient ON clinic.audit_log (patient_id, at, id) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_log_action ON clinic.audit_log (action, at, id);
CREATE INDEX audit_log_table ON clinic.audit_log (table_name, at, id);

-- Check chain positions p_from_seq..p_to_seq as clinic.audit_verify() checks the whole chain: each
-- entry must follow from the stored hash of the entry before it (the one before p_from_seq for
-- the first), so checking consecutive ranges in order finds the same first break as the whole
-- check. Returns the first broken entry's id (NULL when none), how many entries it checked, the
-- last position it checked, the head's position (the chain's length when whole: a total for the
-- progress), and the next position after p_to_seq (NULL when the range reaches the end; then the
-- head is checked too, so entries cut off the end are found). It seals nothing, and being STABLE
-- it reads one snapshot per call; call it inside one REPEATABLE READ transaction to check a
-- moving chain as of one moment. Administrators (and superusers) only.
CREATE FUNCTION clinic.audit_verify_range(p_from_seq bigint, p_to_seq bigint,
                                          OUT broken_at bigint, OUT checked bigint, OUT last_seq bigint,
                                          OUT head_seq bigint, OUT next_seq bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    prev bytea := NULL;
    expect bigint := 1;
    last bigint := NULL;
    e clinic.audit_log;
    head clinic.audit_head;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER')
       AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) THEN
      RAISE EXCEPTION 'only an administrator can verify the audit log' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_from_seq IS NULL OR p_to_seq IS NULL OR p_from_seq < 1 OR p_to_seq < p_from_seq THEN
      RAISE EXCEPTION 'a range of chain positions runs from 1 or later to the same or a later one'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.hash, a.seq + 1, a.id INTO prev, expect, last
      FROM clinic.audit_log a WHERE a.seq < p_from_seq ORDER BY a.seq DESC LIMIT 1;
    IF NOT FOUND THEN
      prev := NULL;
      expect := 1;
      last := NULL;
    END IF;
    checked := 0;
    FOR e IN SELECT * FROM clinic.audit_log a WHERE a.seq BETWEEN p_from_seq AND p_to_seq ORDER BY a.seq LOOP
      IF broken_at IS NULL AND (e.seq <> expect OR e.prev_hash IS DISTINCT FROM prev
                                OR e.hash <> clinic.audit_row_hash(prev, e)) THEN
        broken_at := e.id;
      END IF;
      prev := e.hash;
      last := e.id;
      expect := e.seq + 1;
      checked := checked + 1;
    END LOOP;
    last_seq := expect - 1;
    SELECT * INTO head FROM clinic.audit_head;
    head_seq := head.last_seq;
    SELECT a.seq INTO next_seq FROM clinic.audit_log a WHERE a.seq > p_to_seq ORDER BY a.seq LIMIT 1;
    IF next_seq IS NULL AND broken_at IS NULL
       AND (head.last_id IS DISTINCT FROM last OR head.hash IS DISTINCT FROM prev OR head.last_seq <> expect - 1) THEN
      broken_at := COALESCE(head.last_id, last);
    END IF;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.audit_verify_range(bigint, bigint) TO clinic_admin;

-- The whole check is the range check over the whole chain: one loop, so the chunked check with
-- progress and clinic.audit_verify() cannot come to differ. Same outputs as before (0011).
CREATE OR REPLACE FUNCTION clinic.audit_status(OUT broken_at bigint, OUT sealed bigint, OUT unsealed bigint,
                                               OUT oldest_unsealed timestamptz, OUT head_seq bigint, OUT head_hash bytea)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER')
       AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) THEN
      RAISE EXCEPTION 'only an administrator can verify the audit log' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM clinic.audit_seal();
    SELECT v.broken_at, v.checked INTO broken_at, sealed
      FROM clinic.audit_verify_range(1, 9223372036854775807) v;
    SELECT pg_catalog.count(*), pg_catalog.min(a.at) INTO unsealed, oldest_unsealed
      FROM clinic.audit_log a WHERE a.seq IS NULL;
    SELECT h.last_seq, h.hash INTO head_seq, head_hash FROM clinic.audit_head h;
  END $$;
