-- A doctor's own reports (issue 12, item 1). Doctors read clinical rows only through audited
-- functions (a chart read is clinic.chart), never by SELECT, so these are security definer, and
-- each counts only what the calling doctor did: their own appointments, the records they wrote,
-- the diagnoses and prescriptions on those records (their own patients, in their own care).
-- Nothing names a patient, so they are not chart reads and write no audit entry (as the doctor's
-- day, sql/0014). Counts are exact: a doctor is the clinician who saw each of these patients.
-- Only doctors may call them; an admin, the desk and the accounts office are refused.
--
-- * report_my_days: per day, the caller's appointments by outcome (seen, no-show, cancelled, the
--   rest still to come or under way) and the records they wrote and signed.
-- * report_my_diagnoses: the diagnoses on the caller's records of the period by ICD-10-CM chapter
--   (how many, on how many patients).
-- * report_my_prescriptions: what the caller prescribed in the period, by drug as written (case
--   and spaces aside), the 20 most prescribed and the rest together.
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.report_my_days(p_from date, p_to date)
  RETURNS TABLE (day date, appointments bigint, seen bigint, no_shows bigint, cancelled bigint,
                 records bigint, signed bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
  #variable_conflict use_column
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') THEN
      RAISE EXCEPTION 'a doctor''s own reports are for doctors' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH z AS (
      -- The time zone read once (sql/0031).
      SELECT clinic.clinic_time_zone() AS tz, clinic.current_staff_id() AS me,
             clinic.report_day_start(p_from) AS t0, clinic.report_day_start(p_to + 1) AS t1
    ), u AS (
      SELECT (x.starts_at AT TIME ZONE z.tz)::date AS day, 1 AS appointment, x.status, 0 AS record, false AS signed
        FROM z, clinic.appointments x
       WHERE x.doctor_id = z.me AND x.starts_at >= z.t0 AND x.starts_at < z.t1
      UNION ALL
      SELECT (m.recorded_at AT TIME ZONE z.tz)::date, 0, NULL, 1, m.signed_at IS NOT NULL
        FROM z, clinic.medical_records m
       WHERE m.author_id = z.me AND m.kind <> 'amendment' AND m.recorded_at >= z.t0 AND m.recorded_at < z.t1
    )
    SELECT u.day, COALESCE(pg_catalog.sum(u.appointment), 0)::bigint,
           pg_catalog.count(*) FILTER (WHERE u.status = 'completed'),
           pg_catalog.count(*) FILTER (WHERE u.status = 'no_show'),
           pg_catalog.count(*) FILTER (WHERE u.status = 'cancelled'),
           COALESCE(pg_catalog.sum(u.record), 0)::bigint,
           pg_catalog.count(*) FILTER (WHERE u.signed)
      FROM u
     GROUP BY ROLLUP (u.day)
     ORDER BY u.day NULLS LAST;
  END $$;

CREATE FUNCTION clinic.report_my_diagnoses(p_from date, p_to date)
  RETURNS TABLE (chapter smallint, title text, diagnoses bigint, patients bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
  #variable_conflict use_column
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') THEN
      RAISE EXCEPTION 'a doctor''s own reports are for doctors' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT c.chapter, c.title, pg_catalog.count(*), pg_catalog.count(DISTINCT g.patient_id)
      FROM clinic.diagnoses g
      JOIN clinic.medical_records m ON m.id = g.record_id
      JOIN clinic.icd10cm i ON i.code = g.code
      JOIN clinic.icd10cm_chapters c ON c.chapter = i.chapter
     WHERE m.author_id = (SELECT clinic.current_staff_id())
       AND m.recorded_at >= (SELECT clinic.report_day_start(p_from))
       AND m.recorded_at < (SELECT clinic.report_day_start(p_to + 1))
     GROUP BY GROUPING SETS ((c.chapter, c.title), ())
     ORDER BY c.chapter IS NULL, pg_catalog.count(*) DESC, c.chapter;
  END $$;

CREATE FUNCTION clinic.report_my_prescriptions(p_from date, p_to date)
  RETURNS TABLE (drug text, prescriptions bigint, patients bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
  #variable_conflict use_column
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') THEN
      RAISE EXCEPTION 'a doctor''s own reports are for doctors' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH mine AS (
      SELECT pg_catalog.lower(pg_catalog.btrim(p.drug)) AS drug, p.patient_id
        FROM clinic.prescriptions p
        JOIN clinic.medical_records m ON m.id = p.record_id
       WHERE m.author_id = (SELECT clinic.current_staff_id())
         AND m.recorded_at >= (SELECT clinic.report_day_start(p_from))
         AND m.recorded_at < (SELECT clinic.report_day_start(p_to + 1))
    ), ranked AS (
      SELECT x.drug, pg_catalog.count(*) AS n,
             pg_catalog.row_number() OVER (ORDER BY pg_catalog.count(*) DESC, x.drug) AS rank
        FROM mine x GROUP BY x.drug
    ), named AS (
      SELECT CASE WHEN k.rank <= 20 THEN k.drug ELSE 'all others' END AS drug,
             pg_catalog.min(k.rank) AS rank
        FROM ranked k GROUP BY 1
    )
    SELECT t.drug, t.n, t.patients
      FROM (
        SELECT nm.drug, nm.rank,
               (SELECT pg_catalog.count(*) FROM mine x JOIN ranked k ON k.drug = x.drug
                 WHERE CASE WHEN k.rank <= 20 THEN k.drug ELSE 'all others' END = nm.drug) AS n,
               (SELECT pg_catalog.count(DISTINCT x.patient_id) FROM mine x JOIN ranked k ON k.drug = x.drug
                 WHERE CASE WHEN k.rank <= 20 THEN k.drug ELSE 'all others' END = nm.drug) AS patients
          FROM named nm
        UNION ALL
        SELECT NULL, NULL, (SELECT pg_catalog.count(*) FROM mine),
               (SELECT pg_catalog.count(DISTINCT x.patient_id) FROM mine x)
      ) t
     ORDER BY t.rank NULLS LAST;
  END $$;

-- A doctor's records of a period, for the three reports above (the existing index on author
-- leads to the patient, sql/0004; the unsigned one holds only records still to sign, sql/0014).
CREATE INDEX medical_records_author_recorded ON clinic.medical_records (author_id, recorded_at);

REVOKE ALL ON FUNCTION clinic.report_my_days(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION clinic.report_my_diagnoses(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION clinic.report_my_prescriptions(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION clinic.report_my_days(date, date) TO clinic_doctor;
GRANT EXECUTE ON FUNCTION clinic.report_my_diagnoses(date, date) TO clinic_doctor;
GRANT EXECUTE ON FUNCTION clinic.report_my_prescriptions(date, date) TO clinic_doctor;
