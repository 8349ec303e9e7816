-- Credit paid back (clinic.refund_credit) is money gone, read by day: the cash report counts it and
-- the books' export writes it into payments.csv. Both ask for a range of days, so the ledger's
-- refunded entries are indexed by when they happened, as payments are by when they were received
-- (payments_received, sql/0019), rather than scanned whole for every day's report.
SET LOCAL ROLE clinic_owner;

CREATE INDEX patient_credit_paid_back ON clinic.patient_credit (at) WHERE kind = 'refunded';
