-- The audit chain without a lock anyone can hold: entries are appended unchained, and sealed into
-- the hash chain afterwards, in order, only once their transactions have finished.
--
-- Until now every audited write locked the chain's head row until its transaction ended, so one
-- login sitting in an open transaction after a single audited write (any login can, from psql)
-- made every booking, edit and chart opening in the clinic wait behind it. Now:
--   * clinic.audit() only inserts: the entry gets its id and content, no place in the chain yet.
--   * clinic.audit_seal() takes the entries that are committed and not yet sealed, in id order,
--     gives each the next chain position (seq), links it to the previous entry's hash and moves the
--     head. It never waits: while another sealer holds the head (for a moment, or for as long as a
--     psql session that called it in an open transaction sits there), it returns 0 at once. So
--     the worst a login can do with the head is delay sealing, never anyone's work, and
--     clinic.audit_status() shows how many entries wait and since when. The app calls it in the
--     background, `clinic audit seal` and `clinic audit verify` call it, and so does
--     clinic.audit_verify() before it checks.
--   * An entry whose transaction commits late (it got its id early) is sealed when it is finished,
--     with a later seq than entries with higher ids: the chain's order is the order of sealing.
-- What the chain proves is unchanged: a sealed entry that is altered or removed, or entries cut
-- off the end, break it. Entries not yet sealed (seconds old) are protected by the append-only
-- triggers and the missing grants, as every entry was before the chain existed.
SET LOCAL ROLE clinic_owner;

ALTER TABLE clinic.audit_log ADD COLUMN seq bigint UNIQUE;
ALTER TABLE clinic.audit_log ALTER COLUMN hash DROP NOT NULL;
CREATE INDEX audit_log_unsealed ON clinic.audit_log (id) WHERE seq IS NULL;
ALTER TABLE clinic.audit_head ADD COLUMN last_seq bigint NOT NULL DEFAULT 0;

-- The row's hash covers its place in the chain as well as its content.
CREATE OR REPLACE FUNCTION clinic.audit_row_hash(prev bytea, a clinic.audit_log) RETURNS bytea
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN pg_catalog.sha256(
    COALESCE(prev, '\x'::bytea) || pg_catalog.convert_to(pg_catalog.concat_ws('|',
      a.seq, a.id, pg_catalog.to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), a.actor_login,
      a.actor_staff_id, a.action, a.table_name, a.row_id, a.patient_id, a.detail::text, a.needs_review), 'UTF8'));

-- Append-only still, with one exception: sealing, which fills in the chain columns of an entry
-- that has none and touches nothing else. Only the owner can UPDATE at all (through the policy
-- below; staff have no UPDATE privilege).
CREATE OR REPLACE FUNCTION clinic.audit_log_is_append_only() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (OLD.id, OLD.at, OLD.actor_login, OLD.actor_staff_id, OLD.action, OLD.table_name, OLD.row_id,
            OLD.patient_id, OLD.detail, OLD.needs_review)
           IS NOT DISTINCT FROM
           (NEW.id, NEW.at, NEW.actor_login, NEW.actor_staff_id, NEW.action, NEW.table_name, NEW.row_id,
            NEW.patient_id, NEW.detail, NEW.needs_review) THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
  END $$;
CREATE POLICY audit_owner_seal ON clinic.audit_log FOR UPDATE TO clinic_owner
  USING (seq IS NULL) WITH CHECK (seq IS NOT NULL);

-- Append one entry: no lock beyond the new row itself.
CREATE OR REPLACE FUNCTION clinic.audit(p_action text, p_table text, p_row_id bigint, p_patient_id bigint,
                                        p_detail jsonb DEFAULT NULL, p_needs_review boolean DEFAULT false)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    INSERT INTO clinic.audit_log (at, actor_login, actor_staff_id, action, table_name, row_id, patient_id,
                                  detail, needs_review)
    VALUES (pg_catalog.clock_timestamp(), session_user,
            (SELECT s.id FROM clinic.staff s WHERE s.login = session_user),
            p_action, p_table, p_row_id, p_patient_id, p_detail, COALESCE(p_needs_review, false));
  END $$;

-- Seal the visible unsealed entries (the first p_limit of them by id, or all when NULL) into the
-- chain; the caller holds the head row. Internal.
CREATE FUNCTION clinic.audit_seal_visible(head clinic.audit_head, p_limit bigint) RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    prev bytea := head.hash;
    s bigint := head.last_seq;
    last bigint := head.last_id;
    e clinic.audit_log;
  BEGIN
    FOR e IN SELECT * FROM clinic.audit_log a WHERE a.seq IS NULL ORDER BY a.id LIMIT p_limit LOOP
      s := s + 1;
      e.seq := s;
      e.prev_hash := prev;
      e.hash := clinic.audit_row_hash(prev, e);
      UPDATE clinic.audit_log a SET seq = e.seq, prev_hash = e.prev_hash, hash = e.hash WHERE a.id = e.id;
      prev := e.hash;
      last := e.id;
    END LOOP;
    IF s > head.last_seq THEN
      UPDATE clinic.audit_head h SET last_id = last, last_seq = s, hash = prev;
    END IF;
    RETURN s - head.last_seq;
  END $$;

-- Seal what has finished; the number of entries sealed (0 when another sealer has the head).
CREATE FUNCTION clinic.audit_seal() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    head clinic.audit_head;
  BEGIN
    BEGIN
      SELECT * INTO head FROM clinic.audit_head FOR UPDATE NOWAIT;
    EXCEPTION WHEN lock_not_available OR serialization_failure THEN
      RETURN 0;
    END;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'the audit log has lost its head row' USING ERRCODE = 'data_corrupted';
    END IF;
    -- A bounded step, so a desk's background call stays short after a bulk import; the rest is
    -- the next call's.
    RETURN clinic.audit_seal_visible(head, 10000);
  END $$;
GRANT EXECUTE ON FUNCTION clinic.audit_seal() TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- The chain's state, for `clinic audit verify`: the first sealed entry that does not follow from
-- its predecessor (or the last id the head remembers, when entries were cut off the end), NULL
-- when whole; how many entries are sealed, how many wait and since when; and the head to keep outside the
-- database (a later head whose chain does not pass through it means history was rewritten).
-- It seals what it can first.
CREATE FUNCTION clinic.audit_status(OUT broken_at bigint, OUT sealed bigint, OUT unsealed bigint,
                                    OUT oldest_unsealed timestamptz, OUT head_seq bigint, OUT head_hash bytea)
  LANGUAGE plpgsql SECURITY DEFINER
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
    PERFORM clinic.audit_seal();
    sealed := 0;
    FOR e IN SELECT * FROM clinic.audit_log a WHERE a.seq IS NOT NULL ORDER BY a.seq LOOP
      IF broken_at IS NULL AND (e.seq <> expect OR e.prev_hash IS DISTINCT FROM prev
                                OR e.hash <> clinic.audit_row_hash(prev, e)) THEN
        broken_at := e.id;
      END IF;
      prev := e.hash;
      last := e.id;
      expect := e.seq + 1;
      sealed := sealed + 1;
    END LOOP;
    SELECT * INTO head FROM clinic.audit_head;
    IF broken_at IS NULL AND (head.last_id IS DISTINCT FROM last OR head.hash IS DISTINCT FROM prev
                              OR head.last_seq <> expect - 1) THEN
      broken_at := COALESCE(head.last_id, last);
    END IF;
    SELECT pg_catalog.count(*), pg_catalog.min(a.at) INTO unsealed, oldest_unsealed
      FROM clinic.audit_log a WHERE a.seq IS NULL;
    head_seq := head.last_seq;
    head_hash := head.hash;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.audit_status() TO clinic_admin;

CREATE OR REPLACE FUNCTION clinic.audit_verify() RETURNS bigint
  LANGUAGE sql SECURITY DEFINER
  SET search_path = ''
  RETURN (SELECT s.broken_at FROM clinic.audit_status() s);

-- The entries written so far were chained in id order under the old rule; chain them again under
-- the new one (the same order), as the owner, in this one step, and say so in the log.
DO $$
DECLARE
  head clinic.audit_head;
BEGIN
  -- Every entry has no seq yet, so sealing them overwrites their old links.
  UPDATE clinic.audit_head SET last_id = NULL, last_seq = 0, hash = NULL;
  PERFORM clinic.audit('rechain', 'audit_log', NULL, NULL,
                       pg_catalog.jsonb_build_object('migration', '0011_audit_seal'));
  SELECT * INTO head FROM clinic.audit_head FOR UPDATE;
  PERFORM clinic.audit_seal_visible(head, NULL);
END $$;
ALTER TABLE clinic.audit_log ADD CONSTRAINT audit_log_sealed_whole
  CHECK ((seq IS NULL) = (hash IS NULL));
