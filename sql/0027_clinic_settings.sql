-- The clinic's shared settings (issue 10, item 5) and each person's last sign-in (item 1).
--
-- * clinic.settings (one row, sql/0009) grows the settings every desk must agree on: the clinic's
--   name, its currency, the longest a desk may stay unlocked while idle, and the longest an
--   emergency access may be granted for. `clinic db migrate` seeds them from the config until an
--   administrator changes them on the Admin screen (changed_at set); from then on the database's
--   values win over every desk's config. What each desk may choose for itself (keys, colours, the
--   date format, a shorter idle lock) stays in its config.
-- * An administrator changes them through clinic.update_settings only: checked, versioned (two
--   admins editing at once do not overwrite each other), and audited with the old and new values.
-- * The emergency-access cap (sql/0014, a constant until now) is read from the settings.
-- * clinic.note_sign_in() records when the app signed a person in, so the staff list can say
--   "last sign-in" (PostgreSQL itself keeps no such date; a psql session shows only while open).
SET LOCAL ROLE clinic_owner;

ALTER TABLE clinic.settings
  ADD COLUMN clinic_name text NOT NULL DEFAULT 'Clinic'
    CHECK (pg_catalog.length(pg_catalog.btrim(clinic_name)) BETWEEN 1 AND 80),
  ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  ADD COLUMN idle_lock_minutes integer NOT NULL DEFAULT 10 CHECK (idle_lock_minutes BETWEEN 1 AND 120),
  ADD COLUMN break_glass_max_minutes integer NOT NULL DEFAULT 240
    CHECK (break_glass_max_minutes BETWEEN 15 AND 720),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN changed_at timestamptz,
  ADD COLUMN changed_by text;

CREATE OR REPLACE FUNCTION clinic.break_glass_cap() RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  RETURN (SELECT s.break_glass_max_minutes FROM clinic.settings s);

-- The settings as the migration seeds them from a config: only while no administrator has changed
-- them on screen. The owner's step (no grant).
CREATE FUNCTION clinic.seed_settings(p_name text, p_time_zone text, p_currency text) RETURNS boolean
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    UPDATE clinic.settings s
       SET clinic_name = COALESCE(NULLIF(pg_catalog.btrim(p_name), ''), s.clinic_name),
           time_zone = COALESCE(p_time_zone, s.time_zone),
           currency = COALESCE(p_currency, s.currency)
     WHERE s.changed_at IS NULL;
    RETURN FOUND;
  END $$;

-- An administrator's change of the shared settings: every value checked, `p_version` the one read
-- (a stale one is refused), audited with what changed. The new version.
CREATE FUNCTION clinic.update_settings(p_version integer, p_name text, p_time_zone text, p_currency text,
                                       p_idle_lock_minutes integer, p_break_glass_max_minutes integer)
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    me bigint := clinic.current_staff_id();
    old clinic.settings;
    changes jsonb := '{}';
  BEGIN
    IF me IS NULL OR NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER') THEN
      RAISE EXCEPTION 'only an active administrator changes the clinic''s settings'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_name IS NULL OR pg_catalog.length(pg_catalog.btrim(p_name)) NOT BETWEEN 1 AND 80 THEN
      RAISE EXCEPTION 'the clinic''s name is 1 to 80 characters' USING ERRCODE = 'check_violation', COLUMN = 'clinic_name';
    END IF;
    IF p_time_zone IS NULL OR NOT clinic.is_time_zone(p_time_zone) THEN
      RAISE EXCEPTION '% is not a time zone PostgreSQL knows (e.g. Europe/Berlin)', COALESCE(p_time_zone, 'nothing')
        USING ERRCODE = 'check_violation', COLUMN = 'time_zone';
    END IF;
    IF p_currency IS NULL OR p_currency !~ '^[A-Z]{3}$' THEN
      RAISE EXCEPTION 'a currency is a three-letter ISO 4217 code such as USD' USING ERRCODE = 'check_violation', COLUMN = 'currency';
    END IF;
    IF p_idle_lock_minutes IS NULL OR p_idle_lock_minutes NOT BETWEEN 1 AND 120 THEN
      RAISE EXCEPTION 'the idle lock comes after 1 to 120 minutes' USING ERRCODE = 'check_violation', COLUMN = 'idle_lock_minutes';
    END IF;
    IF p_break_glass_max_minutes IS NULL OR p_break_glass_max_minutes NOT BETWEEN 15 AND 720 THEN
      RAISE EXCEPTION 'emergency access may last at most 15 to 720 minutes' USING ERRCODE = 'check_violation', COLUMN = 'break_glass_max_minutes';
    END IF;
    SELECT * INTO old FROM clinic.settings FOR UPDATE;
    IF old.version IS DISTINCT FROM p_version THEN
      RAISE EXCEPTION 'the settings were changed meanwhile by %; look at them again', COALESCE(old.changed_by, 'the migration')
        USING ERRCODE = 'serialization_failure';
    END IF;
    IF old.clinic_name <> pg_catalog.btrim(p_name) THEN
      changes := changes || pg_catalog.jsonb_build_object('clinic_name', pg_catalog.jsonb_build_array(old.clinic_name, pg_catalog.btrim(p_name)));
    END IF;
    IF old.time_zone <> p_time_zone THEN
      changes := changes || pg_catalog.jsonb_build_object('time_zone', pg_catalog.jsonb_build_array(old.time_zone, p_time_zone));
    END IF;
    IF old.currency <> p_currency THEN
      changes := changes || pg_catalog.jsonb_build_object('currency', pg_catalog.jsonb_build_array(old.currency, p_currency));
    END IF;
    IF old.idle_lock_minutes <> p_idle_lock_minutes THEN
      changes := changes || pg_catalog.jsonb_build_object('idle_lock_minutes', pg_catalog.jsonb_build_array(old.idle_lock_minutes, p_idle_lock_minutes));
    END IF;
    IF old.break_glass_max_minutes <> p_break_glass_max_minutes THEN
      changes := changes || pg_catalog.jsonb_build_object('break_glass_max_minutes', pg_catalog.jsonb_build_array(old.break_glass_max_minutes, p_break_glass_max_minutes));
    END IF;
    IF changes = '{}' THEN
      RETURN old.version;
    END IF;
    UPDATE clinic.settings s
       SET clinic_name = pg_catalog.btrim(p_name), time_zone = p_time_zone, currency = p_currency,
           idle_lock_minutes = p_idle_lock_minutes, break_glass_max_minutes = p_break_glass_max_minutes,
           version = s.version + 1, changed_at = pg_catalog.now(), changed_by = session_user;
    PERFORM clinic.audit('update_settings', 'settings', NULL, NULL, changes);
    RETURN old.version + 1;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.update_settings(integer, text, text, text, integer, integer) TO clinic_admin;

ALTER TABLE clinic.staff ADD COLUMN last_sign_in_at timestamptz;

-- The app's sign-in, recorded on the person's own staff row (any job; nothing else changes).
CREATE FUNCTION clinic.note_sign_in() RETURNS void
  LANGUAGE sql SECURITY DEFINER
  SET search_path = ''
  BEGIN ATOMIC
    UPDATE clinic.staff SET last_sign_in_at = pg_catalog.now() WHERE login = session_user AND active;
  END;
GRANT EXECUTE ON FUNCTION clinic.note_sign_in()
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- An export of the audit trail is itself in the trail: who, how many entries, and the patient it
-- was narrowed to (when it was). Administrators only; called by the export when it is written.
CREATE FUNCTION clinic.note_audit_export(p_entries bigint, p_patient_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF clinic.current_staff_id() IS NULL OR NOT pg_catalog.pg_has_role(session_user, 'clinic_admin', 'MEMBER') THEN
      RAISE EXCEPTION 'only an active administrator exports the audit trail' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_entries IS NULL OR p_entries < 0 THEN
      RAISE EXCEPTION 'an export holds zero or more entries' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM clinic.audit('export_audit', 'audit_log', NULL, p_patient_id,
                         pg_catalog.jsonb_build_object('entries', p_entries));
  END $$;
GRANT EXECUTE ON FUNCTION clinic.note_audit_export(bigint, bigint) TO clinic_admin;
