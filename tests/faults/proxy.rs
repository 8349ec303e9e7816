//! A network that stalls rather than drops: a TCP proxy between the app and the server that, when
//! told, stops forwarding without closing anything. Nothing fails and no error comes: bytes sent
//! are taken (the proxy's sockets accept them) and no answer comes back, as through a hung
//! router, a frozen VM or a middlebox that lost its state. New connections are accepted and then
//! hang the same way.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Proxy {
    pub port: u16,
    stalled: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// Forwarding 127.0.0.1:`port` (a free one) to 127.0.0.1:`upstream`.
    pub async fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (stalled, rx) = watch::channel(false);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut rx = rx.clone();
                tokio::spawn(async move {
                    flowing(&mut rx).await;
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    let (client_r, client_w) = client.into_split();
                    let (server_r, server_w) = server.into_split();
                    tokio::spawn(pump(client_r, server_w, rx.clone()));
                    tokio::spawn(pump(server_r, client_w, rx));
                });
            }
        });
        Self {
            port,
            stalled,
            accept,
        }
    }

    /// Stop forwarding (in both directions, on every connection), closing nothing.
    pub fn stall(&self) {
        self.stalled.send_replace(true);
    }

    /// Forward again: what waited goes through.
    pub fn resume(&self) {
        self.stalled.send_replace(false);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Returns once forwarding is on.
async fn flowing(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stalled| !*stalled).await;
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut rx: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        flowing(&mut rx).await;
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // A read already under way when the stall began is held back too.
        flowing(&mut rx).await;
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
