//! Invoices, their lines and the money taken for them, as billing shows them. The database keeps
//! every total and status (sql/0017); these types only carry what it answered, with the sums a
//! screen shows derived from it in exact minor units.

use chrono::{DateTime, NaiveDate, Utc};

use super::money::{Currency, Money};

/// Where an invoice stands. The database derives it from the money; the app never sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    Void,
}

impl InvoiceStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "issued" => Self::Issued,
            "partially_paid" => Self::PartiallyPaid,
            "paid" => Self::Paid,
            "void" => Self::Void,
            _ => return None,
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::PartiallyPaid => "part paid",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    /// Issued and still owed something: payments can be taken.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Issued | Self::PartiallyPaid)
    }
}

/// An invoice, or a credit note correcting one (numbered in the same series).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

/// How money was received (or, for `Credit`, which of the patient's credit paid it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    Cash,
    Card,
    BankTransfer,
    Insurance,
    /// From the patient's credit (an earlier overpayment or a credit note).
    Credit,
}

impl PaymentMethod {
    /// In the order the payment form offers them.
    pub const ALL: [PaymentMethod; 5] = [
        Self::Cash,
        Self::Card,
        Self::BankTransfer,
        Self::Insurance,
        Self::Credit,
    ];

    /// How money goes back (a refund, credit paid back): as money, never as the patient's credit.
    pub const BACK: [PaymentMethod; 4] =
        [Self::Cash, Self::Card, Self::BankTransfer, Self::Insurance];

    /// As the database stores it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::Card => "card",
            Self::BankTransfer => "bank_transfer",
            Self::Insurance => "insurance",
            Self::Credit => "credit",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::Card => "card",
            Self::BankTransfer => "bank transfer",
            Self::Insurance => "insurance",
            Self::Credit => "patient's credit",
        }
    }
}

/// A method as stored, in words ("bank transfer"); one not known here shows as stored.
pub fn method_word(code: &str) -> String {
    PaymentMethod::ALL
        .iter()
        .find(|m| m.code() == code)
        .map_or_else(|| code.replace('_', " "), |m| m.word().to_string())
}

/// Which invoices a list holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum InvoiceFilter {
    #[default]
    /// Issued and still owed, oldest first: what is waiting to be paid.
    Open,
    /// Not issued yet, newest first.
    Drafts,
    /// Everything, newest first.
    Recent,
    /// One patient's, the open ones first.
    Patient { patient_id: i64, name: String },
}

impl InvoiceFilter {
    pub fn word(&self) -> String {
        match self {
            Self::Open => "open invoices".into(),
            Self::Drafts => "drafts".into(),
            Self::Recent => "all invoices, newest first".into(),
            Self::Patient { name, .. } => format!("invoices of {name}"),
        }
    }
}

/// One row of the invoice list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    pub id: i64,
    /// Given at issue (gap-free per year); None for a draft, or an issue not yet numbered.
    pub number: Option<String>,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub patient_id: i64,
    pub patient_number: i64,
    /// "Family, Given".
    pub patient_name: String,
    pub currency: Currency,
    pub created_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub due_on: Option<NaiveDate>,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub credited_minor: i64,
    pub version: i32,
}

impl InvoiceRow {
    /// What is still owed: the total less what was paid and what credit notes took off. A credit
    /// note and a void invoice owe nothing; a draft shows what it would owe once issued.
    pub fn balance(&self) -> Money {
        let owes = self.kind == InvoiceKind::Invoice && self.status != InvoiceStatus::Void;
        let minor = if owes {
            self.total_minor - self.paid_minor - self.credited_minor
        } else {
            0
        };
        Money::new(minor, self.currency)
    }

    pub fn total(&self) -> Money {
        Money::new(self.total_minor, self.currency)
    }

    /// Open, of kind invoice: money can be taken for it.
    pub fn takes_payment(&self) -> bool {
        self.kind == InvoiceKind::Invoice && self.status.is_open()
    }

    /// Issued and paid something (net of its refunds): money can go back from it.
    pub fn can_be_refunded(&self) -> bool {
        self.kind == InvoiceKind::Invoice
            && matches!(
                self.status,
                InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid
            )
            && self.paid_minor > 0
    }

    /// Nothing paid or credited on it and not void already: it can be voided.
    pub fn can_be_voided(&self) -> bool {
        self.status != InvoiceStatus::Void && self.paid_minor == 0 && self.credited_minor == 0
    }

    /// An issued invoice (paid or not): a credit note can correct it.
    pub fn can_be_credited(&self) -> bool {
        self.kind == InvoiceKind::Invoice
            && matches!(
                self.status,
                InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid
            )
    }

    /// Past its due date and still owed.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.takes_payment() && self.due_on.is_some_and(|d| d < today)
    }

    /// "2026-000123", "credit note 2026-000124", "draft #41": how the invoice is named to people.
    pub fn label(&self) -> String {
        let name = match &self.number {
            Some(n) => n.clone(),
            None if self.status == InvoiceStatus::Draft => format!("draft #{}", self.id),
            None => format!("#{} (numbering)", self.id),
        };
        match self.kind {
            InvoiceKind::Invoice => name,
            InvoiceKind::CreditNote => format!("credit note {name}"),
        }
    }
}

/// One line of an invoice, with what the database computed of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub id: i64,
    pub service_code: Option<String>,
    pub description: String,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub discount_minor: i64,
    /// Percent, as the database holds it ("8.00").
    pub tax_rate: String,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub amount_minor: i64,
}

/// A line to add to a draft, as typed: a service by its code fills what is left blank (its
/// description, its price of today, its tax rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub service_code: Option<String>,
    pub description: Option<String>,
    pub quantity: i32,
    pub unit_price_minor: Option<i64>,
    pub discount_minor: i64,
    /// Percent as typed ("8", "7.5"); None takes the service's (or 0).
    pub tax_rate: Option<String>,
}

/// A price of the fee schedule, valid from a day (to a day, when a later price took over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrice {
    pub id: i64,
    pub code: String,
    pub description: String,
    pub price_minor: i64,
    pub currency: Currency,
    /// Percent, as the database holds it ("8.00").
    pub tax_rate: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// The appointment reasons it is suggested for.
    pub suggested_for: Vec<String>,
}

/// A change to the fee schedule, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceChange {
    /// A new price for a service from a day on (the one in force ends the day before).
    NewPrice {
        code: String,
        price_minor: i64,
        tax_rate: Option<String>,
        from: NaiveDate,
    },
    /// A service not in the schedule yet.
    NewService {
        code: String,
        description: String,
        price_minor: i64,
        currency: Currency,
        tax_rate: String,
        from: NaiveDate,
        suggested_for: Vec<String>,
    },
}

/// Money received for an invoice, or paid back from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEntry {
    pub id: i64,
    pub refund: bool,
    /// Negative for a refund.
    pub amount_minor: i64,
    /// The part that went to the invoice (the rest became the patient's credit).
    pub applied_minor: i64,
    pub method: String,
    pub reference: Option<String>,
    pub received_at: DateTime<Utc>,
    /// Who took it.
    pub received_by: Option<String>,
}

/// An invoice with its lines and payments, as its detail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDetail {
    pub row: InvoiceRow,
    pub tax_minor: i64,
    pub void_reason: Option<String>,
    pub credit_reason: Option<String>,
    /// The invoice a credit note corrects, by its label.
    pub credits: Option<String>,
    /// Credit notes issued against this invoice, by their labels.
    pub credit_notes: Vec<String>,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<PaymentEntry>,
    /// The patient's credit in this currency, which can pay this invoice.
    pub patient_credit_minor: i64,
}

/// What the database answered for money taken (clinic.payment_receipt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub payment_id: i64,
    pub invoice_id: i64,
    pub amount_minor: i64,
    pub applied_minor: i64,
    /// The part beyond what the invoice owed, kept as the patient's credit.
    pub credit_minor: i64,
    pub method: String,
    pub received_at: DateTime<Utc>,
}

/// Why money going back (a refund, credit paid back) was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefused {
    /// More than can go back: at most this much can, as the database has it now (what the invoice
    /// was paid net of its refunds, or the credit the patient holds).
    TooMuch { at_most_minor: i64 },
    /// Anything else, in words.
    Other(String),
}

/// A completed appointment of a day not invoiced yet, with what its invoice would hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UninvoicedVisit {
    pub appointment_id: i64,
    pub starts_at: DateTime<Utc>,
    pub patient_name: String,
    pub doctor_name: String,
    /// The suggested services' codes ("" when none is known: invoiced by hand).
    pub services: String,
    pub total_minor: i64,
}

/// A key that makes a save happen once however often it is sent (a UUID v4, as text): made when
/// a payment or refund form opens and kept for every retry of that money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn from_bytes(mut b: [u8; 16]) -> Self {
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: InvoiceStatus, total: i64, paid: i64, credited: i64) -> InvoiceRow {
        InvoiceRow {
            id: 7,
            number: None,
            kind: InvoiceKind::Invoice,
            status,
            patient_id: 1,
            patient_number: 10001,
            patient_name: "Doe, Jane".into(),
            currency: Currency::USD,
            created_at: DateTime::from_timestamp(1_800_000_000, 0).expect("instant"),
            issued_at: None,
            due_on: NaiveDate::from_ymd_opt(2026, 12, 1),
            total_minor: total,
            paid_minor: paid,
            credited_minor: credited,
            version: 1,
        }
    }

    #[test]
    fn the_balance_is_what_payments_and_credit_notes_left() {
        let r = row(InvoiceStatus::PartiallyPaid, 12_000, 5_000, 2_000);
        assert_eq!(r.balance().minor(), 5_000);
        assert!(r.takes_payment());
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        assert!(r.overdue(day(2)) && !r.overdue(day(1)));
        assert!(!row(InvoiceStatus::Paid, 1, 1, 0).takes_payment());
        assert!(!row(InvoiceStatus::Draft, 1, 0, 0).takes_payment());
    }

    #[test]
    fn credit_notes_and_void_invoices_owe_nothing() {
        let mut note = row(InvoiceStatus::Issued, 6_000, 0, 0);
        note.kind = InvoiceKind::CreditNote;
        assert_eq!(note.balance().minor(), 0, "a credit note is not owed");
        assert_eq!(note.balance().currency(), Currency::USD);
        assert_eq!(row(InvoiceStatus::Void, 3_000, 0, 0).balance().minor(), 0);
        assert_eq!(
            row(InvoiceStatus::Paid, 3_000, 2_000, 1_000)
                .balance()
                .minor(),
            0
        );
        assert_eq!(
            row(InvoiceStatus::Draft, 7_400, 0, 0).balance().minor(),
            7_400,
            "a draft shows what it will owe"
        );
        assert_eq!(
            row(InvoiceStatus::Issued, 7_400, 0, 0).balance().minor(),
            7_400
        );
    }

    #[test]
    fn money_goes_back_only_from_an_invoice_paid_something() {
        assert!(row(InvoiceStatus::Paid, 12_000, 12_000, 0).can_be_refunded());
        assert!(row(InvoiceStatus::PartiallyPaid, 12_000, 1, 0).can_be_refunded());
        assert!(!row(InvoiceStatus::Issued, 12_000, 0, 0).can_be_refunded());
        assert!(!row(InvoiceStatus::Void, 12_000, 0, 0).can_be_refunded());
        let mut note = row(InvoiceStatus::Paid, 12_000, 12_000, 0);
        note.kind = InvoiceKind::CreditNote;
        assert!(!note.can_be_refunded(), "a credit note is not paid");
    }

    #[test]
    fn invoices_are_named_by_their_number_once_they_have_one() {
        let mut r = row(InvoiceStatus::Draft, 0, 0, 0);
        assert_eq!(r.label(), "draft #7");
        r.status = InvoiceStatus::Issued;
        r.number = Some("2026-000123".into());
        assert_eq!(r.label(), "2026-000123");
        r.kind = InvoiceKind::CreditNote;
        assert_eq!(r.label(), "credit note 2026-000123");
        assert_eq!(method_word("bank_transfer"), "bank transfer");
        assert_eq!(method_word("other"), "other");
    }

    #[test]
    fn idempotency_keys_are_version_4_uuids() {
        let k = IdempotencyKey::from_bytes([0xff; 16]);
        assert_eq!(k.as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(IdempotencyKey::from_bytes([0; 16]).as_str().len(), 36);
    }
}
