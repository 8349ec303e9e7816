-- Reviewing emergency accesses (issue 10, item 4): every break-the-glass grant waits for an
-- administrator's review, which is kept in its own append-only table with the reviewer's note (the
-- audit log itself never changes). Admins read the queue and mark each reviewed through one
-- security-definer function; nobody writes the table directly.
SET LOCAL ROLE clinic_owner;

CREATE TABLE clinic.emergency_access_reviews (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  access_id bigint NOT NULL UNIQUE REFERENCES clinic.emergency_access (id),
  reviewed_by bigint NOT NULL REFERENCES clinic.staff (id),
  reviewed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  note text NOT NULL CHECK (pg_catalog.length(pg_catalog.btrim(note)) BETWEEN 3 AND 500)
);
ALTER TABLE clinic.emergency_access_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.emergency_access_reviews FORCE ROW LEVEL SECURITY;
GRANT SELECT ON clinic.emergency_access_reviews TO clinic_admin;
CREATE POLICY emergency_access_reviews_admin ON clinic.emergency_access_reviews FOR SELECT TO clinic_admin
  USING (true);
CREATE POLICY emergency_access_reviews_owner ON clinic.emergency_access_reviews TO clinic_owner
  USING (true) WITH CHECK (true);

CREATE FUNCTION clinic.emergency_reviews_are_kept() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    RAISE EXCEPTION 'a review is kept as it was written' USING ERRCODE = 'check_violation';
  END $$;
CREATE TRIGGER emergency_access_reviews_kept BEFORE UPDATE OR DELETE ON clinic.emergency_access_reviews
  FOR EACH ROW EXECUTE FUNCTION clinic.emergency_reviews_are_kept();

-- Mark an emergency access reviewed, with a note: an active admin, once per access. The review's id.
CREATE FUNCTION clinic.review_emergency_access(p_access_id bigint, p_note text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    me bigint := clinic.current_staff_id();
    access clinic.emergency_access;
    done clinic.emergency_access_reviews;
    new_id bigint;
  BEGIN
    IF me IS NULL OR NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER') THEN
      RAISE EXCEPTION 'only an active administrator reviews emergency accesses'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_note IS NULL OR pg_catalog.length(pg_catalog.btrim(p_note)) < 3 THEN
      RAISE EXCEPTION 'say what the review found, in a few words' USING ERRCODE = 'check_violation', COLUMN = 'note';
    END IF;
    SELECT * INTO access FROM clinic.emergency_access e WHERE e.id = p_access_id FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no emergency access %', p_access_id USING ERRCODE = 'no_data_found';
    END IF;
    SELECT * INTO done FROM clinic.emergency_access_reviews r WHERE r.access_id = p_access_id;
    IF FOUND THEN
      RAISE EXCEPTION 'this emergency access was reviewed already, at %', done.reviewed_at
        USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO clinic.emergency_access_reviews (access_id, reviewed_by, note)
    VALUES (p_access_id, me, pg_catalog.btrim(p_note))
    RETURNING id INTO new_id;
    -- The note stays in its table; the audit says who reviewed which access, not what they wrote.
    PERFORM clinic.audit('review_emergency_access', 'emergency_access', p_access_id, access.patient_id, NULL);
    RETURN new_id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.review_emergency_access(bigint, text) TO clinic_admin;

-- The emergency accesses still to review, oldest first: who, which patient, the stated reason,
-- when and for how long. With the caller's rights (admins read all three tables).
CREATE FUNCTION clinic.emergency_accesses_to_review()
  RETURNS TABLE (access_id bigint, doctor_name text, patient_id bigint, patient_number bigint,
                 patient_name text, reason text, granted_at timestamptz, minutes integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    SELECT e.id, s.full_name, p.id, p.patient_number, p.family_name || ', ' || p.given_names, e.reason,
           e.granted_at, (pg_catalog.date_part('epoch', e.expires_at - e.granted_at) / 60)::integer
      FROM clinic.emergency_access e
      JOIN clinic.staff s ON s.id = e.doctor_id
      JOIN clinic.patients p ON p.id = e.patient_id
     WHERE NOT EXISTS (SELECT FROM clinic.emergency_access_reviews r WHERE r.access_id = e.id)
     ORDER BY e.granted_at, e.id;
  END;
GRANT EXECUTE ON FUNCTION clinic.emergency_accesses_to_review() TO clinic_admin;
