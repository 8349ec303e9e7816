//! The network stalls under a receptionist's registration (the proxy stops forwarding; nothing
//! closes, nothing fails): the screen goes on answering keys, a save that gets no answer has the
//! connection proved at once, and the ping's timeout turns the silence into "offline" instead of
//! a screen waiting for ever. When the network comes back the app is connected again by itself,
//! the save that waited goes through, and live updates are still heard.

use std::time::{Duration, Instant};

use clinic::domain::staff::Job;

use crate::common::*;
use crate::db::TestDb;
use crate::proxy::Proxy;
use crate::pty::{config_for, quit, spawn_on};

/// The runner's SLOW_ANSWER (3 s) and the ping's timeout (10 s), and 5 s of slack for a loaded
/// machine: a stall shows no error to react to, only silence, so it takes longer to notice than a
/// server that goes (which says so, or closes its sockets: restart.rs's 5 s).
const OFFLINE_WITHIN: Duration = Duration::from_secs(18);
const BACK_WITHIN: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread")]
async fn a_network_that_stalls_shows_offline_not_a_frozen_screen_and_comes_back_by_itself() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let alice = db.staff("alice", Job::Doctor).await;
    let su = db.superuser().await;
    crate::db::clinic_at_noon(&su).await;
    let proxy = Proxy::start(db.server_config().port).await;
    let server = clinic::config::ServerConfig {
        port: proxy.port,
        ..db.server_config()
    };
    let (_home, config) = config_for(&server);
    let rt = tokio::runtime::Handle::current();

    tokio::task::spawn_blocking(move || {
        let mut desk = spawn_on(&config);
        desk.sign_in(&rita.user, &rita.password, "(reception)");
        desk.wait_until("live", live);
        desk.send(ESC);
        desk.wait_for("n new patient");
        desk.send("n");
        desk.wait_for("Family name");
        for text in ["Nwosu", "\t", "Chidi", "\t", "\t", "01/02/1990"] {
            desk.send(text);
        }

        proxy.stall();
        // Keys still echo at once: nothing on the key path waits for the network.
        let echo = typed_and_echoed(&mut desk, "\tm", "[m ");
        let saved_at = Instant::now();
        desk.send(CTRL_S);
        let offline = first_seen(&[&desk], OFFLINE, saved_at, Duration::from_secs(40))[0];
        println!(
            "stalled: a key echoed in {echo:?}; offline {offline:?} after the unanswered save"
        );
        assert!(offline <= OFFLINE_WITHIN, "offline only after {offline:?}");
        let echo = typed_and_echoed(&mut desk, "\tman", "[man ");
        assert!(echo < Duration::from_secs(1), "a key took {echo:?} to echo");
        let screen = desk.screen();
        for typed in ["Nwosu", "Chidi", "01/02/1990", "[m ", "[man "] {
            assert!(screen.contains(typed), "{typed:?} kept:\n{screen}");
        }

        proxy.resume();
        let resumed = Instant::now();
        let back = first_seen(&[&desk], CONNECTED, resumed, Duration::from_secs(30))[0];
        println!("forwarding resumed: connected again after {back:?}");
        assert!(back <= BACK_WITHIN, "connected again only after {back:?}");
        // The save that waited for the network went through, once.
        wait_said(&desk, "Registered NWOSU, Chidi");

        // Live updates still heard: a booking another desk makes shows on the queue by itself.
        desk.send(":queue\r");
        desk.wait_until("live", live);
        rt.block_on(async {
            let chidi: i64 = su
                .query_one(
                    "SELECT id FROM clinic.patients WHERE family_name = 'Nwosu'",
                    &[],
                )
                .await
                .expect("registered once")
                .get(0);
            appointment_today(&su, chidi, alice.staff_id.expect("id"), 12, "scheduled").await;
        });
        desk.wait_for("Nwosu");
        quit(&mut desk);
    })
    .await
    .expect("the session");
}
