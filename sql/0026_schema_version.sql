-- The schema version for every desk (issue 10, item 8): each clinic binary knows the migrations it
-- was built with and refuses a database that has one it does not know (upgrade clinic) or lacks one
-- it expects (run `clinic db migrate`). Staff logins cannot read clinic_meta, so the applied names
-- come through one security-definer function; they are file names, nothing about anyone.
--
-- Also: the bookkeeping schema (clinic_meta) and the extensions' schema (ext) were owned by
-- whoever ran the first migration, a superuser whose name differs from cluster to cluster. Owned by
-- clinic_owner like everything else, a backup restores onto another cluster with the clinic's roles
-- alone (docs/operations.md).
ALTER SCHEMA clinic_meta OWNER TO clinic_owner;
ALTER TABLE clinic_meta.migrations OWNER TO clinic_owner;
ALTER SCHEMA ext OWNER TO clinic_owner;

SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.schema_migrations() RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT m.name FROM clinic_meta.migrations m ORDER BY m.name
  $$;
REVOKE EXECUTE ON FUNCTION clinic.schema_migrations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION clinic.schema_migrations()
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
