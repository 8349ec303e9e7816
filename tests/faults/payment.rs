//! A payment whose answer is lost: the accountant's payment reaches the server and is recorded
//! there, and the connection is cut before the answer comes back (the proxy holds the answers,
//! then closes every connection). The form says it cannot tell and keeps the payment; once the
//! network is back one key sends it again with the same idempotency key, and the invoice has the
//! payment once.

use std::time::Duration;

use clinic::domain::staff::Job;

use crate::common::*;
use crate::db::TestDb;
use crate::proxy::Proxy;
use crate::pty::{config_for, quit, spawn_on};

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_recorded_whose_answer_was_lost_is_recorded_once_after_one_more_key() {
    let db = TestDb::new().await;
    let adam = db.staff("adam", Job::Accountant).await;
    let su = db.superuser().await;
    let okoye = patient(&su, "Okoye", "Ada").await;
    let invoice = invoice_issued(&su, okoye, 8_000).await;
    let proxy = Proxy::start(db.server_config().port).await;
    let server = clinic::config::ServerConfig {
        port: proxy.port,
        ..db.server_config()
    };
    let (_home, config) = config_for(&server);
    let rt = tokio::runtime::Handle::current();
    let count = move |su: &tokio_postgres::Client| {
        rt.block_on(async {
            su.query_one(
                "SELECT count(*) FROM clinic.payments WHERE invoice_id = $1",
                &[&invoice],
            )
            .await
            .expect("payments")
            .get::<_, i64>(0)
        })
    };

    let su = tokio::task::spawn_blocking(move || {
        let mut acct = spawn_on(&config);
        acct.sign_in(&adam.user, &adam.password, "(accounts)");
        acct.wait_until("live", live);
        acct.wait_for("Okoye");
        acct.send("\r");
        acct.wait_for("Payments and refunds");
        acct.send("p");
        acct.wait_for("Payment for");
        acct.send(CTRL_U);
        acct.send("25.00");

        proxy.hold_answers_from("record_payment");
        acct.send(CTRL_S);
        let mut waited = Duration::ZERO;
        while count(&su) == 0 {
            assert!(
                waited < Duration::from_secs(20),
                "the payment never reached the server"
            );
            std::thread::sleep(Duration::from_millis(50));
            waited += Duration::from_millis(50);
        }
        // Recorded at the server; its answer is lost with the connection.
        proxy.cut();
        proxy.resume();
        wait_said(&acct, "cannot be reached");
        assert!(acct.screen().contains("25.00"), "kept:\n{}", acct.screen());
        acct.wait_for(CONNECTED);

        acct.send(CTRL_S);
        wait_said(&acct, "Receipt");
        quit(&mut acct);
        su
    })
    .await
    .expect("the session");
    let paid: Vec<(i64, String)> = su
        .query(
            "SELECT amount_minor, kind FROM clinic.payments WHERE invoice_id = $1",
            &[&invoice],
        )
        .await
        .expect("payments")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(paid, vec![(2_500, "payment".to_string())], "recorded once");
}
