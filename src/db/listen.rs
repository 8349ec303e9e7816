//! Live updates: one dedicated connection LISTENs on `clinic_appointments` and forwards each
//! notification's appointment id to the app, so other desks' bookings and check-ins appear without
//! polling.
//!
//! Not a pooled connection: a pool hands out clients whose connection task swallows notifications.
//! Here the task owns the `Connection` and drives it with `poll_message`, which is what surfaces
//! them. When the connection drops it says [`LiveEvent::Lost`], reconnects with backoff, LISTENs
//! again and says [`LiveEvent::Reconnected`]: whatever happened in between was not heard, so the
//! app refetches what it shows.
//!
//! Any login may NOTIFY on any channel, so a payload is only ever a hint: it is parsed as an id (or
//! dropped), and the app re-reads that appointment through its own policies.

use std::future::poll_fn;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{AsyncMessage, NoTls, Socket};

use crate::config::ServerConfig;
use crate::domain::live::LiveEvent;

/// The channel sql/0003's trigger notifies on every appointment change.
pub const CHANNEL: &str = "clinic_appointments";
const LISTEN: &str = "LISTEN clinic_appointments";
/// How the listener's connection shows up in pg_stat_activity.
pub const APPLICATION_NAME: &str = "clinic-listen";

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(10);

/// Listen over a plain connection (a unix socket, or sslmode disable).
pub fn spawn_listener(
    cfg: tokio_postgres::Config,
    tx: UnboundedSender<LiveEvent>,
) -> JoinHandle<()> {
    spawn_listener_with_tls(cfg, NoTls, tx)
}

/// Listen with `cfg` (a signed-in person's settings, from `pool::pg_config`) on the configured
/// server, with the same TLS settings as the pool.
pub fn spawn_for_server(
    server: &ServerConfig,
    mut cfg: tokio_postgres::Config,
    tx: UnboundedSender<LiveEvent>,
) -> Result<JoinHandle<()>, String> {
    Ok(match super::tls::connector(server, &mut cfg)? {
        Some(tls) => spawn_listener_with_tls(cfg, tls, tx),
        None => spawn_listener(cfg, tx),
    })
}

/// Listen with any TLS connector. The task ends when the receiving side of `tx` is dropped (or
/// the handle is aborted); until then it keeps reconnecting.
pub fn spawn_listener_with_tls<T>(
    mut cfg: tokio_postgres::Config,
    tls: T,
    tx: UnboundedSender<LiveEvent>,
) -> JoinHandle<()>
where
    T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
    T::Stream: Send,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    cfg.application_name(APPLICATION_NAME);
    // An idle LISTEN connection sends nothing; keepalives notice a dead link in about a minute
    // rather than the OS default of two hours.
    super::pool::notice_dead_servers(&mut cfg);
    tokio::spawn(run(cfg, tls, tx))
}

enum Ended {
    /// The connection failed or dropped.
    Dropped,
    /// Nobody is receiving any more: stop.
    ReceiverGone,
}

async fn run<T>(cfg: tokio_postgres::Config, tls: T, tx: UnboundedSender<LiveEvent>)
where
    T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
    T::Stream: Send,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let mut retry = FIRST_RETRY;
    // Say Lost once per outage, not once per failed attempt; the first failure counts as one.
    let mut said_lost = false;
    loop {
        let mut listening = false;
        match listen_until_dropped(&cfg, tls.clone(), &tx, &mut listening).await {
            Ended::ReceiverGone => return,
            Ended::Dropped => {
                if listening {
                    retry = FIRST_RETRY;
                    said_lost = false;
                }
                if !said_lost {
                    if tx.send(LiveEvent::Lost).is_err() {
                        return;
                    }
                    said_lost = true;
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(retry) => {}
            () = tx.closed() => return,
        }
        retry = (retry * 2).min(LONGEST_RETRY);
        tracing::debug!(?retry, "listener reconnecting");
    }
}

async fn listen_until_dropped<T>(
    cfg: &tokio_postgres::Config,
    tls: T,
    tx: &UnboundedSender<LiveEvent>,
    listening: &mut bool,
) -> Ended
where
    T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
    T::Stream: Send,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let connect = tokio::select! {
        r = cfg.connect(tls) => r,
        () = tx.closed() => return Ended::ReceiverGone,
    };
    let (client, mut conn) = match connect {
        Ok(pair) => pair,
        Err(e) => {
            tracing::debug!(error = %e, "listener cannot connect");
            return Ended::Dropped;
        }
    };
    // LISTEN goes out through the client but only makes progress while the connection is polled.
    let listen = client.batch_execute(LISTEN);
    tokio::pin!(listen);
    loop {
        tokio::select! {
            r = &mut listen => match r {
                Ok(()) => break,
                Err(e) => {
                    tracing::debug!(error = %e, "LISTEN failed");
                    return Ended::Dropped;
                }
            },
            m = poll_fn(|cx| conn.poll_message(cx)) => if m.is_none() || matches!(m, Some(Err(_))) {
                return Ended::Dropped;
            },
        }
    }
    *listening = true;
    if tx.send(LiveEvent::Reconnected).is_err() {
        return Ended::ReceiverGone;
    }
    loop {
        tokio::select! {
            m = poll_fn(|cx| conn.poll_message(cx)) => match m {
                Some(Ok(AsyncMessage::Notification(n))) if n.channel() == CHANNEL => {
                    if let Ok(id) = n.payload().parse::<i64>() {
                        if tx.send(LiveEvent::Appointment(id)).is_err() {
                            return Ended::ReceiverGone;
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::info!(error = %e, "live updates connection lost");
                    return Ended::Dropped;
                }
                None => return Ended::Dropped,
            },
            () = tx.closed() => return Ended::ReceiverGone,
        }
    }
}
