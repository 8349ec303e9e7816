//! Live updates over LISTEN/NOTIFY: other desks' changes arrive, and survive a dropped connection.

use std::time::{Duration as StdDuration, Instant};

use clinic::db::appointments;
use clinic::db::listen;
use clinic::domain::live::LiveEvent;
use clinic::domain::staff::Job;
use tokio::sync::mpsc;

use crate::common::{clinic, id, register, today_at, visit, TZ};

async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    within: StdDuration,
) -> Option<LiveEvent> {
    tokio::time::timeout(within, rx.recv()).await.ok().flatten()
}

/// Wait for `want`, skipping other events, for at most `within`.
async fn wait_for(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    want: LiveEvent,
    within: StdDuration,
) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match next_event(rx, left).await {
            Some(e) if e == want => return true,
            Some(_) => {}
            None => return false,
        }
    }
    false
}

#[tokio::test]
async fn other_desks_changes_arrive_live_and_survive_a_dropped_connection() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let listener = c.db.staff("lena", Job::Receptionist).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = listen::spawn_listener(c.db.config_for(&listener), tx);
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(5)).await,
        Some(LiveEvent::Reconnected)
    );

    let booked_at = Instant::now();
    let a = appointments::book(&c.desk, &visit(john, id(&c.alice), today_at(9, 0), 15), TZ)
        .await
        .expect("book");
    assert!(
        wait_for(
            &mut rx,
            LiveEvent::Appointment(a.id),
            StdDuration::from_secs(1)
        )
        .await
    );
    assert!(booked_at.elapsed() < StdDuration::from_secs(1));
    // A check-in is heard too; junk on the channel (any login may NOTIFY) is ignored.
    c.desk
        .batch_execute("NOTIFY clinic_appointments, 'not an id'")
        .await
        .expect("notify");
    appointments::check_in(&c.desk, a.id, a.version, TZ)
        .await
        .expect("check in");
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(1)).await,
        Some(LiveEvent::Appointment(a.id))
    );

    // The server drops the listener's connection: it says so, comes back, and hears again.
    let su = c.db.superuser().await;
    let killed: i64 = su
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
              WHERE usename = $1 AND application_name = $2",
            &[&listener.user, &listen::APPLICATION_NAME],
        )
        .await
        .expect("terminate")
        .get(0);
    assert_eq!(killed, 1);
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(5)).await,
        Some(LiveEvent::Lost)
    );
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(5)).await,
        Some(LiveEvent::Reconnected)
    );
    let b = appointments::book(&c.desk, &visit(john, id(&c.alice), today_at(9, 30), 15), TZ)
        .await
        .expect("book");
    assert!(
        wait_for(
            &mut rx,
            LiveEvent::Appointment(b.id),
            StdDuration::from_secs(1)
        )
        .await
    );

    // Dropping the receiver stops the task.
    drop(rx);
    tokio::time::timeout(StdDuration::from_secs(5), handle)
        .await
        .expect("listener stops")
        .expect("no panic");
}
