-- Reports (issue 12): the front desk's and the admin's figures on appointments and patients.
--
-- Every report is a function that aggregates AS THE CALLER (security invoker, the default): the
-- rows it counts are the rows the caller's own policies let them read, so a report can never show
-- more than the caller could count in psql. EXECUTE is granted to the jobs that have the report
-- and revoked from PUBLIC, so a job without it is refused outright (an accountant asking for the
-- no-show rates). No report returns a reason, a note or anything clinical: only counts, minutes
-- and rates.
--
-- Small counts: a report that crosses patients shows a count of 1 to 4 as NULL (the app writes
-- "<5") to any caller who is not a doctor, and a rate or a waiting time resting on such a count is
-- NULL too. 0 is shown: it identifies nobody. Each total is suppressed on its own (GROUPING SETS),
-- so a total is exact however small its parts. (A total minus its shown parts can narrow down a
-- suppressed one; the desk reads the calendar anyway, and an export leaves the clinic rarer than
-- it is read. Complementary suppression is noted for later.)
--
-- Periods are the clinic's own dates, both ends included, turned into instants once in the
-- clinic's time zone so each report is a range of an index on the time column.
SET LOCAL ROLE clinic_owner;

-- A count as a non-clinical caller may see it: NULL for 1 to 4.
CREATE FUNCTION clinic.report_count(n bigint) RETURNS bigint
  LANGUAGE sql STABLE
  SET search_path = ''
  RETURN CASE
    WHEN n BETWEEN 1 AND 4 AND NOT pg_catalog.pg_has_role(current_user, 'clinic_doctor', 'MEMBER') THEN NULL
    ELSE n
  END;

-- The instant the clinic's day `d` starts.
CREATE FUNCTION clinic.report_day_start(d date) RETURNS timestamptz
  LANGUAGE sql STABLE
  SET search_path = ''
  RETURN (d::timestamp AT TIME ZONE clinic.clinic_time_zone());

-- Appointments per day and per doctor by status, with the totals per day, per doctor and of the
-- period (day or doctor NULL in a total row; status NULL in an all-statuses row).
CREATE FUNCTION clinic.report_appointments(p_from date, p_to date)
  RETURNS TABLE (day date, doctor_id bigint, doctor text, status text, appointments bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    SELECT a.day, a.doctor_id, CASE WHEN GROUPING(a.doctor_id) = 0 THEN pg_catalog.min(s.full_name) END, a.status, clinic.report_count(pg_catalog.count(*))
      FROM (SELECT clinic.clinic_date(x.starts_at) AS day, x.doctor_id, x.status
              FROM clinic.appointments x
             WHERE x.starts_at >= clinic.report_day_start(p_from)
               AND x.starts_at < clinic.report_day_start(p_to + 1)) a
      JOIN clinic.staff s ON s.id = a.doctor_id
     GROUP BY GROUPING SETS ((a.day, a.doctor_id, a.status), (a.day, a.doctor_id), (a.day, a.status), (a.day),
                             (a.doctor_id, a.status), (a.doctor_id), (a.status), ())
     ORDER BY a.day NULLS LAST, 3 NULLS FIRST, a.doctor_id NULLS FIRST, a.status NULLS LAST;
  END;

-- No-shows and late cancellations (cancelled less than 24 hours before the start) per doctor and
-- per weekday (ISO, 1 = Monday), of the appointments already begun in the period. What counts is
-- every appointment that was still expected a day ahead: the ones cancelled earlier freed their
-- slot in time and are left out. Rates are per mille, rounded.
CREATE FUNCTION clinic.report_attendance(p_from date, p_to date)
  RETURNS TABLE (doctor_id bigint, doctor text, weekday integer, appointments bigint, no_shows bigint,
                 no_show_permille integer, late_cancellations bigint, late_cancel_permille integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    WITH a AS (
      SELECT x.doctor_id, pg_catalog.date_part('isodow', x.starts_at AT TIME ZONE clinic.clinic_time_zone())::integer AS weekday,
             x.status = 'no_show' AS no_show,
             x.status = 'cancelled' AND x.status_changed_at > x.starts_at - interval '24 hours' AS late
        FROM clinic.appointments x
       WHERE x.starts_at >= clinic.report_day_start(p_from)
         AND x.starts_at < LEAST(clinic.report_day_start(p_to + 1), pg_catalog.now())
         AND (x.status <> 'cancelled' OR x.status_changed_at > x.starts_at - interval '24 hours')),
    g AS (
      SELECT a.doctor_id, a.weekday, pg_catalog.count(*) AS n,
             pg_catalog.count(*) FILTER (WHERE a.no_show) AS ns,
             pg_catalog.count(*) FILTER (WHERE a.late) AS lc
        FROM a GROUP BY GROUPING SETS ((a.doctor_id), (a.weekday), ()))
    SELECT g.doctor_id, s.full_name, g.weekday, clinic.report_count(g.n), clinic.report_count(g.ns),
           CASE WHEN clinic.report_count(g.ns) IS NOT NULL AND clinic.report_count(g.n) IS NOT NULL AND g.n > 0
                THEN pg_catalog.round(1000.0 * g.ns / g.n)::integer END,
           clinic.report_count(g.lc),
           CASE WHEN clinic.report_count(g.lc) IS NOT NULL AND clinic.report_count(g.n) IS NOT NULL AND g.n > 0
                THEN pg_catalog.round(1000.0 * g.lc / g.n)::integer END
      FROM g LEFT JOIN clinic.staff s ON s.id = g.doctor_id
     ORDER BY g.doctor_id IS NULL, s.full_name, g.weekday NULLS LAST;
  END;

-- Waiting time, from checking in to the start of the consultation, per day of the period and for
-- the whole period (day NULL): how many were seen, the median and the 90th percentile in minutes.
-- The last check-in counts (a check-in taken back and made again restarts the wait).
CREATE FUNCTION clinic.report_waiting(p_from date, p_to date)
  RETURNS TABLE (day date, seen bigint, p50_minutes integer, p90_minutes integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    WITH w AS (
      SELECT clinic.clinic_date(x.starts_at) AS day,
             pg_catalog.date_part('epoch', st.at - ci.at) / 60.0 AS minutes
        FROM clinic.appointments x
        CROSS JOIN LATERAL (SELECT pg_catalog.max(h.changed_at) AS at FROM clinic.appointment_status_history h
                             WHERE h.appointment_id = x.id AND h.to_status = 'checked_in') ci
        CROSS JOIN LATERAL (SELECT pg_catalog.max(h.changed_at) AS at FROM clinic.appointment_status_history h
                             WHERE h.appointment_id = x.id AND h.to_status = 'in_progress') st
       WHERE x.starts_at >= clinic.report_day_start(p_from)
         AND x.starts_at < clinic.report_day_start(p_to + 1)
         AND x.status IN ('in_progress', 'completed')
         AND ci.at IS NOT NULL AND st.at >= ci.at),
    g AS (
      SELECT w.day, pg_catalog.count(*) AS n,
             pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY w.minutes) AS p50,
             pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY w.minutes) AS p90
        FROM w GROUP BY GROUPING SETS ((w.day), ()))
    SELECT g.day, clinic.report_count(g.n),
           CASE WHEN clinic.report_count(g.n) IS NOT NULL THEN pg_catalog.round(g.p50::numeric)::integer END,
           CASE WHEN clinic.report_count(g.n) IS NOT NULL THEN pg_catalog.round(g.p90::numeric)::integer END
      FROM g ORDER BY g.day NULLS LAST;
  END;

-- Utilisation per doctor per ISO week (the Monday it starts on; NULL for the whole period): the
-- minutes booked (every appointment not cancelled, no-shows included: the slot was taken) and the
-- minutes of their working hours on the days of the period, less their leave and blocked time.
-- About a doctor's time, not patients: no count is suppressed.
CREATE FUNCTION clinic.report_utilisation(p_from date, p_to date)
  RETURNS TABLE (week date, doctor_id bigint, doctor text, booked_minutes bigint, working_minutes bigint,
                 permille integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    WITH days AS (
      SELECT d::date AS day FROM pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') d),
    stretches AS (
      SELECT wh.doctor_id, dy.day,
             pg_catalog.tstzrange((dy.day + wh.starts) AT TIME ZONE clinic.clinic_time_zone(),
                                  (dy.day + wh.ends) AT TIME ZONE clinic.clinic_time_zone()) AS r
        FROM days dy JOIN clinic.working_hours wh
          ON wh.weekday = pg_catalog.date_part('isodow', dy.day)::integer),
    working AS (
      SELECT st.doctor_id, st.day,
             pg_catalog.date_part('epoch', pg_catalog.upper(st.r) - pg_catalog.lower(st.r)) / 60
             - COALESCE((SELECT pg_catalog.sum(pg_catalog.date_part('epoch', pg_catalog.upper(o) - pg_catalog.lower(o)) / 60)
                           FROM (SELECT st.r * pg_catalog.tstzrange(e.starts_at, e.ends_at) AS o
                                   FROM clinic.schedule_exceptions e
                                  WHERE e.doctor_id = st.doctor_id AND e.starts_at < pg_catalog.upper(st.r)
                                    AND e.ends_at > pg_catalog.lower(st.r)) ov), 0) AS minutes
        FROM stretches st),
    booked AS (
      SELECT x.doctor_id, clinic.clinic_date(x.starts_at) AS day,
             pg_catalog.date_part('epoch', x.ends_at - x.starts_at) / 60 AS minutes
        FROM clinic.appointments x
       WHERE x.starts_at >= clinic.report_day_start(p_from)
         AND x.starts_at < clinic.report_day_start(p_to + 1)
         AND x.status <> 'cancelled'),
    both_ AS (
      SELECT w.doctor_id, w.day, w.minutes AS working, 0::double precision AS booked FROM working w
      UNION ALL
      SELECT b.doctor_id, b.day, 0, b.minutes FROM booked b),
    g AS (
      SELECT pg_catalog.date_trunc('week', b.day)::date AS week, b.doctor_id,
             pg_catalog.round(pg_catalog.sum(b.booked)::numeric)::bigint AS booked,
             pg_catalog.round(pg_catalog.sum(b.working)::numeric)::bigint AS working
        FROM both_ b GROUP BY GROUPING SETS ((pg_catalog.date_trunc('week', b.day)::date, b.doctor_id), (b.doctor_id)))
    SELECT g.week, g.doctor_id, s.full_name, g.booked, g.working,
           CASE WHEN g.working > 0 THEN pg_catalog.round(1000.0 * g.booked / g.working)::integer END
      FROM g JOIN clinic.staff s ON s.id = g.doctor_id
     ORDER BY g.week NULLS LAST, s.full_name, g.doctor_id;
  END;

-- New patients per month (the first of the month; NULL for the whole period), by when they were
-- registered.
CREATE FUNCTION clinic.report_new_patients(p_from date, p_to date)
  RETURNS TABLE (month date, patients bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    SELECT m.month, clinic.report_count(pg_catalog.count(*))
      FROM (SELECT pg_catalog.date_trunc('month', clinic.clinic_date(p.created_at))::date AS month
              FROM clinic.patients p
             WHERE p.created_at >= clinic.report_day_start(p_from)
               AND p.created_at < clinic.report_day_start(p_to + 1)) m
     GROUP BY GROUPING SETS ((m.month), ())
     ORDER BY 1 NULLS LAST;
  END;

REVOKE EXECUTE ON FUNCTION clinic.report_count(bigint), clinic.report_day_start(date),
  clinic.report_appointments(date, date), clinic.report_attendance(date, date),
  clinic.report_waiting(date, date), clinic.report_utilisation(date, date),
  clinic.report_new_patients(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION clinic.report_count(bigint), clinic.report_day_start(date)
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
GRANT EXECUTE ON FUNCTION clinic.report_appointments(date, date), clinic.report_attendance(date, date),
  clinic.report_waiting(date, date), clinic.report_utilisation(date, date),
  clinic.report_new_patients(date, date)
  TO clinic_receptionist, clinic_admin;
