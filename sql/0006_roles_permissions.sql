-- roles_permissions: what each clinic role may do to each table and function, read from the catalog
-- itself, so it can never drift from what PostgreSQL actually enforces.
SET LOCAL ROLE clinic_owner;

CREATE VIEW clinic.roles_permissions WITH (security_invoker = true) AS
  SELECT r.rolname::text AS role,
         'table'::text AS object_type,
         c.relname::text AS object_name,
         pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT') AS can_select,
         pg_catalog.has_table_privilege(r.oid, c.oid, 'INSERT') AS can_insert,
         pg_catalog.has_table_privilege(r.oid, c.oid, 'UPDATE') AS can_update,
         pg_catalog.has_table_privilege(r.oid, c.oid, 'DELETE') AS can_delete,
         false AS can_execute,
         -- Columns granted one by one where the role sees or changes only part of a row.
         ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  AND NOT pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT')
                  AND pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')
                ORDER BY a.attnum) AS select_columns,
         ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  AND NOT pg_catalog.has_table_privilege(r.oid, c.oid, 'UPDATE')
                  AND pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, 'UPDATE')
                ORDER BY a.attnum) AS update_columns,
         ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  AND NOT pg_catalog.has_table_privilege(r.oid, c.oid, 'INSERT')
                  AND pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, 'INSERT')
                ORDER BY a.attnum) AS insert_columns,
         c.relrowsecurity AND c.relforcerowsecurity AS row_security_forced,
         ARRAY(SELECT p.polname::text FROM pg_catalog.pg_policy p
                WHERE p.polrelid = c.oid AND r.oid = ANY (p.polroles)
                ORDER BY p.polname) AS policies
    FROM pg_catalog.pg_roles r
    CROSS JOIN pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE r.rolname IN ('clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant')
     AND n.nspname = 'clinic' AND c.relkind IN ('r', 'p', 'v')
  UNION ALL
  SELECT r.rolname::text, 'function', p.oid::regprocedure::text,
         false, false, false, false,
         pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE'),
         '{}'::text[], '{}'::text[], '{}'::text[], false, '{}'::text[]
    FROM pg_catalog.pg_roles r
    CROSS JOIN pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE r.rolname IN ('clinic_admin', 'clinic_doctor', 'clinic_receptionist', 'clinic_accountant')
     AND n.nspname = 'clinic' AND p.prokind = 'f'
     AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE');

GRANT SELECT ON clinic.roles_permissions TO clinic_admin;

-- A last sweep: nothing in the schema is PUBLIC's, whatever an earlier step forgot.
REVOKE ALL ON ALL TABLES IN SCHEMA clinic FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA clinic FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA clinic FROM PUBLIC;
