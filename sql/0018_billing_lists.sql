-- The billing screen's lists (issue 9): drafts and "everything, newest first" read an index,
-- not the whole table, however many years of invoices a clinic keeps.
SET LOCAL ROLE clinic_owner;

CREATE INDEX invoices_drafts ON clinic.invoices (created_at, id) WHERE status = 'draft';
CREATE INDEX invoices_created ON clinic.invoices (created_at, id);
