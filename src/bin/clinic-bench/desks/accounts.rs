//! An accountant's day at human speed: one of the shared invoices opened, a payment taken on it
//! with the form's idempotency key, and now and then the same payment sent again with the same
//! key (the answer lost on the way back, the key pressed twice), which must record nothing new.

use std::time::Instant;

use rand::Rng;

use clinic::db::billing;
use clinic::domain::invoice::{IdempotencyKey, PaymentMethod};
use clinic::effects::with_client;

use super::tally::Payment;
use super::{pause, Desk};

pub async fn work(desk: &mut Desk) {
    let shared = desk.shared.clone();
    while Instant::now() < desk.deadline {
        let invoice_id = shared.invoices[desk.rng.gen_range(0..shared.invoices.len())];
        let t = Instant::now();
        match with_client(&desk.pool, async |c| {
            billing::invoice(&*c, invoice_id).await
        })
        .await
        {
            Ok(_) => desk.tally.ok("invoice opened", t),
            Err(e) => desk.tally.error("invoice opened", t, e),
        }
        // Typing the amount and the method.
        if !pause(desk, 2.0..5.0).await {
            break;
        }
        let amount_minor = desk.rng.gen_range(500..20_000);
        let method = if desk.rng.gen_bool(0.5) {
            PaymentMethod::Card
        } else {
            PaymentMethod::BankTransfer
        };
        // As the payment form makes it: random, never the same in another run (a seeded key
        // would meet the last run's payment and be refused as another payment's).
        let key = IdempotencyKey::from_bytes(rand::random());
        let t = Instant::now();
        let paid = with_client(&desk.pool, async |c| {
            billing::record_payment(&*c, invoice_id, amount_minor, method, None, &key).await
        })
        .await;
        let receipt = match paid {
            Ok(r) => {
                desk.tally.ok("payment", t);
                r
            }
            Err(e) => {
                desk.tally.error("payment", t, e);
                continue;
            }
        };
        desk.tally.payments.push(Payment {
            invoice_id,
            payment_id: receipt.payment_id,
            amount_minor,
            applied_minor: receipt.applied_minor,
        });
        if desk.rng.gen_bool(0.1) {
            let t = Instant::now();
            let again = with_client(&desk.pool, async |c| {
                billing::record_payment(&*c, invoice_id, amount_minor, method, None, &key).await
            })
            .await;
            match again {
                Ok(r) if r.payment_id == receipt.payment_id => {
                    desk.tally.ok("payment sent again, same key", t);
                }
                Ok(_) => {
                    desk.tally.doubled += 1;
                    desk.tally.error(
                        "payment sent again, same key",
                        t,
                        "recorded a second payment",
                    );
                }
                Err(e) => desk.tally.error("payment sent again, same key", t, e),
            }
        }
        pause(desk, 2.0..6.0).await;
    }
}
