-- Reports at scale (issue 12, item 3): the same figures as sql/0030, in time over a million
-- patients and ten million appointments. Measured by `clinic-bench reports` (docs/benchmarks.md,
-- "Reports"): a month's appointments report took 0.6 s on 15,000 rows, almost all of it outside
-- the data. Three things, in the order they mattered:
--
-- 1. The clinic's time zone is read once per report, not once per row. clinic.clinic_date() pins
--    its search_path (as every function here does), and a function with a SET clause is never
--    inlined, so each row paid a function call with a search_path swap and, inside it, the
--    SECURITY DEFINER clinic.clinic_time_zone() (some 30 us a row; the definer call alone about
--    5 us). Each report now writes `AT TIME ZONE (SELECT clinic.clinic_time_zone())`: an
--    uncorrelated scalar subquery, which PostgreSQL runs once as an InitPlan. The same
--    expression as clinic_date()'s body, so the same dates.
-- 2. The waiting report reads each appointment's check-in and start in one probe of a partial,
--    covering index that holds only those two kinds of change (index-only: appointment, status,
--    instant), instead of two probes reading every change of the appointment from the heap.
-- 3. New patients by when they were registered: a BRIN index on patients.created_at. Patients are
--    registered in time order, so the rows of a month lie together on disk and a summary of each
--    range of pages (a few pages for a million rows) finds them, where a btree would be
--    megabytes kept up on every registration for a report read a few times a month.
--
-- Not used: summary tables kept by triggers. A counter row per day, doctor and status would be
-- locked from a booking or a check-in until the desk's transaction ends, and any login can hold a
-- transaction open in psql, which design.md rules out (no login can make another wait); insert-only
-- deltas refreshed later would need a job to fold them and still be read row by row; and the
-- waiting report's medians do not add up from partial sums. With the above the reports read only
-- the rows of their period, which is within target (docs/benchmarks.md).
--
-- The functions keep their signatures, results and grants (CREATE OR REPLACE keeps the ACL).
SET LOCAL ROLE clinic_owner;

CREATE OR REPLACE FUNCTION clinic.report_appointments(p_from date, p_to date)
  RETURNS TABLE (day date, doctor_id bigint, doctor text, status text, appointments bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    SELECT a.day, a.doctor_id, CASE WHEN GROUPING(a.doctor_id) = 0 THEN pg_catalog.min(s.full_name) END, a.status, clinic.report_count(pg_catalog.count(*))
      FROM (SELECT (x.starts_at AT TIME ZONE (SELECT clinic.clinic_time_zone()))::date AS day, x.doctor_id, x.status
              FROM clinic.appointments x
             WHERE x.starts_at >= clinic.report_day_start(p_from)
               AND x.starts_at < clinic.report_day_start(p_to + 1)) a
      JOIN clinic.staff s ON s.id = a.doctor_id
     GROUP BY GROUPING SETS ((a.day, a.doctor_id, a.status), (a.day, a.doctor_id), (a.day, a.status), (a.day),
                             (a.doctor_id, a.status), (a.doctor_id), (a.status), ())
     ORDER BY a.day NULLS LAST, 3 NULLS FIRST, a.doctor_id NULLS FIRST, a.status NULLS LAST;
  END;

CREATE OR REPLACE FUNCTION clinic.report_attendance(p_from date, p_to date)
  RETURNS TABLE (doctor_id bigint, doctor text, weekday integer, appointments bigint, no_shows bigint,
                 no_show_permille integer, late_cancellations bigint, late_cancel_permille integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    WITH a AS (
      SELECT x.doctor_id, pg_catalog.date_part('isodow', x.starts_at AT TIME ZONE (SELECT clinic.clinic_time_zone()))::integer AS weekday,
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

CREATE OR REPLACE FUNCTION clinic.report_waiting(p_from date, p_to date)
  RETURNS TABLE (day date, seen bigint, p50_minutes integer, p90_minutes integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    WITH w AS (
      SELECT (x.starts_at AT TIME ZONE (SELECT clinic.clinic_time_zone()))::date AS day,
             pg_catalog.date_part('epoch', h.started - h.checked_in) / 60.0 AS minutes
        FROM clinic.appointments x
        CROSS JOIN LATERAL (
          SELECT pg_catalog.max(y.changed_at) FILTER (WHERE y.to_status = 'checked_in') AS checked_in,
                 pg_catalog.max(y.changed_at) FILTER (WHERE y.to_status = 'in_progress') AS started
            FROM clinic.appointment_status_history y
           WHERE y.appointment_id = x.id AND y.to_status IN ('checked_in', 'in_progress')) h
       WHERE x.starts_at >= clinic.report_day_start(p_from)
         AND x.starts_at < clinic.report_day_start(p_to + 1)
         AND x.status IN ('in_progress', 'completed')
         AND h.checked_in IS NOT NULL AND h.started >= h.checked_in),
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

CREATE OR REPLACE FUNCTION clinic.report_utilisation(p_from date, p_to date)
  RETURNS TABLE (week date, doctor_id bigint, doctor text, booked_minutes bigint, working_minutes bigint,
                 permille integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    WITH days AS (
      SELECT d::date AS day FROM pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') d),
    stretches AS (
      SELECT wh.doctor_id, dy.day,
             pg_catalog.tstzrange((dy.day + wh.starts) AT TIME ZONE (SELECT clinic.clinic_time_zone()),
                                  (dy.day + wh.ends) AT TIME ZONE (SELECT clinic.clinic_time_zone())) AS r
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
      SELECT x.doctor_id, (x.starts_at AT TIME ZONE (SELECT clinic.clinic_time_zone()))::date AS day,
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

CREATE OR REPLACE FUNCTION clinic.report_new_patients(p_from date, p_to date)
  RETURNS TABLE (month date, patients bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  BEGIN ATOMIC
    SELECT m.month, clinic.report_count(pg_catalog.count(*))
      FROM (SELECT pg_catalog.date_trunc('month', (p.created_at AT TIME ZONE (SELECT clinic.clinic_time_zone()))::date)::date AS month
              FROM clinic.patients p
             -- Bounds as InitPlans too: a BRIN scan rechecks its condition on every row of the
             -- ranges it reads, and a call of report_day_start() (not inlined) per row costs.
             WHERE p.created_at >= (SELECT clinic.report_day_start(p_from))
               AND p.created_at < (SELECT clinic.report_day_start(p_to + 1))) m
     GROUP BY GROUPING SETS ((m.month), ())
     ORDER BY 1 NULLS LAST;
  END;

-- The waiting report's probe: only check-ins and starts, with their instant, so it is answered
-- from the index alone (for rows the visibility map knows are visible to all).
CREATE INDEX appointment_status_history_waits ON clinic.appointment_status_history
  (appointment_id, to_status, changed_at) WHERE to_status IN ('checked_in', 'in_progress');

CREATE INDEX patients_created_brin ON clinic.patients USING brin (created_at);
