//! Invoices, their lines, and payments.

use super::{cell, run_matrix, Cell, NONE};
use crate::common::{sid, Allowed, Denied, Fails, World, ZeroRows};

/// The rows of [`matrix_billing`].
pub fn rows(w: &World) -> Vec<Cell> {
    let (draft, issued, line, p) = (w.inv_draft, w.inv_issued, w.line_draft, w.p_own);
    let key = w.payment_key;
    let fresh = "00000000-0000-4000-8000-0000000000aa";
    let admin_id = sid(&w.admin);
    vec![
        // The fee schedule: accounts keep it (a price only ever changes from a date on), the desk
        // and the admin read it, doctors see no billing.
        cell("SELECT * FROM clinic.services", [Allowed, Denied, Allowed, Allowed]),
        cell(
            "INSERT INTO clinic.services (code, description, price_minor, currency) VALUES ('ECG', 'Electrocardiogram', 4000, 'EUR')",
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            "UPDATE clinic.services SET description = 'Standard consultation' WHERE code = 'CONSULT'",
            [Denied, Denied, Denied, Allowed],
        ),
        cell("UPDATE clinic.services SET price_minor = 1 WHERE code = 'CONSULT'", NONE),
        cell("DELETE FROM clinic.services WHERE code = 'CONSULT'", NONE),
        cell("TRUNCATE clinic.services", NONE),
        cell(
            "SELECT clinic.set_service_price('CONSULT', 5500, NULL, '2027-01-01')",
            [Denied, Denied, Denied, Allowed],
        ),
        // The yearly invoice counters are the numberer's alone.
        cell("SELECT * FROM clinic.invoice_counters", NONE),
        cell("INSERT INTO clinic.invoice_counters (year) VALUES (2031)", NONE),
        cell("UPDATE clinic.invoice_counters SET last = 0", NONE),
        cell("DELETE FROM clinic.invoice_counters", NONE),
        cell(
            format!("UPDATE clinic.invoices SET invoice_number = '2026-999999' WHERE id = {issued}"),
            NONE,
        ),
        // invoices: the accountant runs them; reception and admin read; doctors nothing.
        cell("SELECT * FROM clinic.invoices", [Allowed, Denied, Allowed, Allowed]),
        cell(
            format!("INSERT INTO clinic.invoices (patient_id, currency) VALUES ({p}, 'EUR')"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("UPDATE clinic.invoices SET status = 'issued', issued_at = now() WHERE id = {draft}"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("UPDATE clinic.invoices SET status = 'void', void_reason = 'Duplicate' WHERE id = {draft}"),
            [Denied, Denied, Denied, Allowed],
        ),
        // Paid in part: voided by nobody (a refund first, or a credit note).
        cell(
            format!("UPDATE clinic.invoices SET status = 'void', void_reason = 'Duplicate' WHERE id = {issued}"),
            [Denied, Denied, Denied, Fails("23514")],
        ),
        // The status follows the money: writing 'paid' leaves it partially paid.
        cell(
            format!("UPDATE clinic.invoices SET status = 'paid' WHERE id = {issued} RETURNING status = 'partially_paid' OR NULL"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(format!("UPDATE clinic.invoices SET tax_minor = 0, credited_minor = 1 WHERE id = {issued}"), NONE),
        // The privileged steps, by their functions.
        cell(
            format!("SELECT clinic.issue_invoice({draft}, current_date + 30)"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("SELECT clinic.credit_note({issued}, 'Charged twice')"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("SELECT clinic.invoice_appointment({}, 'EUR')", w.appt_scheduled),
            [Denied, Denied, Denied, Fails("23514")],
        ),
        cell(
            "SELECT count(*) FROM clinic.uninvoiced_appointments(current_date, 'EUR')",
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("SELECT count(*) FROM clinic.invoice_appointments(ARRAY[{}], 'EUR', current_date + 30)", w.appt_scheduled),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("SELECT clinic.record_payment({issued}, 500, 'cash', 'desk', '{fresh}')"),
            [Denied, Denied, Allowed, Allowed],
        ),
        cell(
            format!("SELECT clinic.record_refund({issued}, 500, 'cash', NULL, '{fresh}')"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("SELECT clinic.record_money({issued}, 'refund', -500, 'cash', NULL, '{fresh}')"),
            [Denied, Denied, Denied, Allowed],
        ),
        // The patient's credit: read by who reads payments, written by the payment rules only.
        cell("SELECT count(*) FROM clinic.patient_credit", [Allowed, Denied, Allowed, Allowed]),
        cell(
            format!("SELECT clinic.credit_balance({p}, 'EUR')"),
            [Allowed, Denied, Allowed, Allowed],
        ),
        cell(
            format!("INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, invoice_id) VALUES ({p}, 'EUR', 100000, 'credit_note', {issued})"),
            NONE,
        ),
        cell("UPDATE clinic.patient_credit SET amount_minor = 100000", NONE),
        cell("DELETE FROM clinic.patient_credit", NONE),
        cell(
            format!("SELECT clinic.refund_credit({p}, 'EUR', 100, 'cash', NULL, '{fresh}')"),
            [Denied, Denied, Denied, Fails("23514")],
        ),
        cell(format!("UPDATE clinic.invoices SET total_minor = 1 WHERE id = {issued}"), NONE),
        cell(format!("UPDATE clinic.invoices SET paid_minor = 999999 WHERE id = {issued}"), NONE),
        cell(format!("UPDATE clinic.invoices SET patient_id = {} WHERE id = {issued}", w.p_other), NONE),
        cell(format!("DELETE FROM clinic.invoices WHERE id = {draft}"), NONE),
        cell("TRUNCATE clinic.invoices CASCADE", NONE),
        // invoice_lines: the accountant edits a draft's lines.
        cell("SELECT * FROM clinic.invoice_lines", [Allowed, Denied, Allowed, Allowed]),
        cell(
            format!(
                "INSERT INTO clinic.invoice_lines (invoice_id, description, unit_price_minor) VALUES ({draft}, 'ECG', 4000)"
            ),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!(
                "INSERT INTO clinic.invoice_lines (invoice_id, description, unit_price_minor) VALUES ({issued}, 'ECG', 4000)"
            ),
            [Denied, Denied, Denied, Fails("23514")],
        ),
        cell(
            format!("UPDATE clinic.invoice_lines SET quantity = 3 WHERE id = {line}"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!("DELETE FROM clinic.invoice_lines WHERE id = {line}"),
            [Denied, Denied, Denied, Allowed],
        ),
        cell("TRUNCATE clinic.invoice_lines", NONE),
        // payments: append-only; reception takes payments (not refunds) in their own name.
        cell("SELECT * FROM clinic.payments", [Allowed, Denied, Allowed, Allowed]),
        cell(
            format!(
                "INSERT INTO clinic.payments (invoice_id, amount_minor, method, idempotency_key)
                 VALUES ({issued}, 500, 'card', '{fresh}')"
            ),
            [Denied, Denied, Allowed, Allowed],
        ),
        cell(
            format!(
                "INSERT INTO clinic.payments (invoice_id, kind, amount_minor, method, idempotency_key)
                 VALUES ({issued}, 'refund', -500, 'card', '{fresh}')"
            ),
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            format!(
                "INSERT INTO clinic.payments (invoice_id, amount_minor, method, received_by, idempotency_key)
                 VALUES ({issued}, 500, 'cash', {admin_id}, '{fresh}')"
            ),
            NONE,
        ),
        cell(
            format!(
                "INSERT INTO clinic.payments (invoice_id, amount_minor, method, idempotency_key)
                 VALUES ({draft}, 500, 'card', '{fresh}')"
            ),
            [Denied, Denied, Fails("23514"), Fails("23514")],
        ),
        cell(
            format!(
                "INSERT INTO clinic.payments (invoice_id, amount_minor, method, idempotency_key)
                 VALUES ({issued}, 500, 'card', '{key}')"
            ),
            [Denied, Denied, Fails("23505"), Fails("23505")],
        ),
        cell("UPDATE clinic.payments SET amount_minor = 1", NONE),
        cell("UPDATE clinic.payments SET reference = 'corrected'", NONE),
        cell("DELETE FROM clinic.payments", NONE),
        cell("TRUNCATE clinic.payments", NONE),
        // Bank statements: the accounts office stages and resolves them through the functions only
        // (no direct write, so nothing is staged matched or resolved in another's name), admins
        // read (none are staged here: readable is "no rows", not a refusal), and what a statement
        // brought is kept as the bank wrote it.
        cell("SELECT * FROM clinic.bank_statements", [ZeroRows, Denied, Denied, ZeroRows]),
        cell(
            "INSERT INTO clinic.bank_statements (source, format, currency, lines_read) VALUES ('nov.csv', 'csv', 'EUR', 0)",
            NONE,
        ),
        cell(
            format!(
                "INSERT INTO clinic.bank_statements (source, format, currency, lines_read, imported_by)
                 VALUES ('nov.csv', 'csv', 'EUR', 0, {admin_id})"
            ),
            [Denied, Denied, Denied, Denied],
        ),
        cell("UPDATE clinic.bank_statements SET source = 'other.csv'", NONE),
        cell("DELETE FROM clinic.bank_statements", NONE),
        cell("SELECT * FROM clinic.bank_lines", [ZeroRows, Denied, Denied, ZeroRows]),
        cell(
            "INSERT INTO clinic.bank_lines (statement_id, line_key, line_no, booked_on, amount_minor, currency)
             SELECT s.id, 'matrix-1', 1, current_date, 100, 'EUR' FROM clinic.bank_statements s WHERE false",
            NONE,
        ),
        cell(
            "UPDATE clinic.bank_lines SET state = 'not_ours' WHERE false",
            NONE,
        ),
        cell("UPDATE clinic.bank_lines SET amount_minor = 1", NONE),
        cell("DELETE FROM clinic.bank_lines", NONE),
        cell("SELECT * FROM clinic.bank_line_payments", [ZeroRows, Denied, Denied, ZeroRows]),
        cell(
            "INSERT INTO clinic.bank_line_payments (bank_line_id, payment_id) SELECT 1, 1 WHERE false",
            NONE,
        ),
        cell("UPDATE clinic.bank_line_payments SET payment_id = 1", NONE),
        cell("DELETE FROM clinic.bank_line_payments", NONE),
        // The matcher's own index of open invoices' payers: nobody reads or writes it.
        cell("SELECT * FROM clinic.open_invoice_payers", NONE),
        cell(
            "INSERT INTO clinic.open_invoice_payers (invoice_id, patient_id, currency, owed_minor, family_words,
                                                     family_key, name_folded)
             SELECT 1, 1, 'EUR', 1, 'x', 'x', 'x' WHERE false",
            NONE,
        ),
        cell("UPDATE clinic.open_invoice_payers SET owed_minor = 1", NONE),
        cell("DELETE FROM clinic.open_invoice_payers", NONE),
        cell(
            "SELECT * FROM clinic.import_bank_statement('nov.csv', 'csv', 'EUR', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
            [Denied, Denied, Denied, Allowed],
        ),
        cell(
            "SELECT clinic.accept_bank_line(0, ARRAY[1], ARRAY[100])",
            [Denied, Denied, Denied, Fails("P0002")],
        ),
        cell(
            "SELECT clinic.mark_bank_line(0, 'not_ours')",
            [Denied, Denied, Denied, Fails("P0002")],
        ),
        cell("SELECT * FROM clinic.receivables_aging(current_date, 'EUR')", [Allowed, Denied, Denied, Allowed]),
        cell("SELECT * FROM clinic.cash_report(current_date, current_date)", [Allowed, Denied, Allowed, Allowed]),
    ]
}

#[tokio::test]
async fn matrix_billing() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
