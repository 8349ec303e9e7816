//! A network that stalls rather than drops: a TCP proxy between the app and the server that, when
//! told, stops forwarding without closing anything. Nothing fails and no error comes: bytes sent
//! are taken (the proxy's sockets accept them) and no answer comes back, as through a hung
//! router, a frozen VM or a middlebox that lost its state. New connections are accepted and then
//! hang the same way. It can also hold back only the answers from a given statement on (the
//! statement reaches the server and is done there, its answer waits) and cut every connection:
//! an answer lost on the way back.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Proxy {
    pub port: u16,
    /// Whether the app's bytes to the server, and the server's answers, are held back.
    requests_held: watch::Sender<bool>,
    answers_held: watch::Sender<bool>,
    /// Bumped to close every connection made before.
    cuts: watch::Sender<u64>,
    trigger: Arc<Mutex<Trigger>>,
    accept: JoinHandle<()>,
}

/// Holds the answers back from the first request sent after one that names `needle`: a
/// statement is prepared (its text goes out, its description comes back), then executed with
/// its values in the next message, whose answer is the one held.
#[derive(Default)]
struct Trigger {
    needle: Option<Vec<u8>>,
    armed: bool,
}

impl Proxy {
    /// Forwarding 127.0.0.1:`port` (a free one) to 127.0.0.1:`upstream`.
    pub async fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (requests_held, requests) = watch::channel(false);
        let (answers_held, answers) = watch::channel(false);
        let (cuts, cut) = watch::channel(0u64);
        let trigger = Arc::new(Mutex::new(Trigger::default()));
        let (hold, fire) = (answers_held.clone(), trigger.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (mut requests, answers, cut) = (requests.clone(), answers.clone(), cut.clone());
                let watch_requests = Some((fire.clone(), hold.clone()));
                tokio::spawn(async move {
                    flowing(&mut requests).await;
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    let (client_r, client_w) = client.into_split();
                    let (server_r, server_w) = server.into_split();
                    tokio::spawn(pump(
                        client_r,
                        server_w,
                        requests,
                        cut.clone(),
                        watch_requests,
                    ));
                    tokio::spawn(pump(server_r, client_w, answers, cut, None));
                });
            }
        });
        Self {
            port,
            requests_held,
            answers_held,
            cuts,
            trigger,
            accept,
        }
    }

    /// Answers go through until a statement naming `needle` is executed; from its answer on,
    /// they wait (until [`Proxy::resume`]).
    pub fn hold_answers_from(&self, needle: &str) {
        let mut t = self.trigger.lock().expect("trigger");
        t.needle = Some(needle.as_bytes().to_vec());
        t.armed = false;
    }

    /// Stop forwarding (in both directions, on every connection), closing nothing.
    pub fn stall(&self) {
        self.requests_held.send_replace(true);
        self.answers_held.send_replace(true);
    }

    /// Close every connection open now; the bytes held back on them are lost.
    pub fn cut(&self) {
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Forward again: what waited goes through.
    pub fn resume(&self) {
        self.requests_held.send_replace(false);
        self.answers_held.send_replace(false);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Returns once forwarding is on.
async fn flowing(held: &mut watch::Receiver<bool>) {
    let _ = held.wait_for(|held| !*held).await;
}

/// One direction of one connection, until either side closes or the connection is cut.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    mut held: watch::Receiver<bool>,
    mut cut: watch::Receiver<u64>,
    trigger: Option<(Arc<Mutex<Trigger>>, watch::Sender<bool>)>,
) {
    let born = *cut.borrow_and_update();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let step = async {
            flowing(&mut held).await;
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => n,
            };
            if let Some((trigger, answers_held)) = &trigger {
                let mut t = trigger.lock().expect("trigger");
                if t.armed {
                    answers_held.send_replace(true);
                    *t = Trigger::default();
                } else if let Some(needle) = &t.needle {
                    t.armed = buf[..n]
                        .windows(needle.len())
                        .any(|w| w == needle.as_slice());
                }
            }
            // A read already under way when the stall began is held back too.
            flowing(&mut held).await;
            to.write_all(&buf[..n]).await.is_ok()
        };
        // Biased: a cut made just before a resume must still close the connection, not race the
        // held answer through (both are ready on the next poll).
        let go_on = tokio::select! {
            biased;
            _ = cut.wait_for(|n| *n != born) => false,
            ok = step => ok,
        };
        if !go_on {
            break;
        }
    }
    let _ = to.shutdown().await;
}
