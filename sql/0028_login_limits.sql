-- Limits on every staff login (issue 11, item 7): an authenticated login can exhaust nothing shared.
-- A statement runs at most a minute (the app's longest, a chunk of the audit chain check or a large
-- bank statement, takes a few seconds), and a transaction left open and idle is ended after five
-- minutes (the app never holds one across a person's thinking; psql could, holding back vacuum and
-- keeping row locks).
--
-- Role settings do not pass from a group to its members, so they are set on each login: on every
-- existing one here, and on each new one as its staff row is written (the trigger below; logins are
-- made only by clinic.add_staff). They are not set on the database, so migrations, backups and the
-- owner's maintenance keep no limit.
--
-- Both are settings a user may change in their own session (SET statement_timeout = 0 in psql):
-- PostgreSQL offers no way to forbid it short of a pooler. That is acceptable: it lifts the limit for
-- that session only, the session is still the person's own login under row security, it shows in
-- pg_stat_activity with its query and start, and an administrator ends it by deactivating the login.
-- The app never changes them.
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.limit_login(p_login text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    EXECUTE pg_catalog.format('ALTER ROLE %I SET statement_timeout = %L', p_login, '60s');
    EXECUTE pg_catalog.format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_login, '5min');
  END $$;

CREATE FUNCTION clinic.limit_new_login() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.login AND NOT r.rolsuper) THEN
      PERFORM clinic.limit_login(NEW.login);
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER staff_login_limits AFTER INSERT ON clinic.staff
  FOR EACH ROW EXECUTE FUNCTION clinic.limit_new_login();

SELECT clinic.limit_login(s.login)
  FROM clinic.staff s JOIN pg_catalog.pg_roles r ON r.rolname = s.login AND NOT r.rolsuper;
