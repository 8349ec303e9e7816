//! The terminal and the loop: keys, effect results, ticks and signals come in through one
//! `select!`, each becomes an Action for `App::update`, and each Effect that comes out runs on a
//! tokio task against the database. The screen is redrawn only when the state changed.

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;
use std::time::Duration;

use anyhow::Context as _;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use crossterm::cursor::Show;
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use deadpool_postgres::Pool;
use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{interval, timeout, MissedTickBehavior};

use crate::app::{Action, App, Effect, RequestId};
use crate::config::{Config, ServerConfig};
use crate::db::listen::{self, ListenEvent};
use crate::db::{self, LoginError, Session};
use crate::effects;
use crate::ui::{self, Theme};

/// Drives the clock, the spinners, pings and the idle lock.
const TICK: Duration = Duration::from_millis(250);
/// A ping that takes longer than this counts as a lost connection.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// Which server to sign in to, and how to describe it on the login screen.
#[derive(Debug, Clone)]
pub struct Target {
    pub server: ServerConfig,
    /// Shown as "server: ..." under the login form, e.g. "~/.local/share/clinic/demo (demo)".
    pub label: String,
    /// Pre-fills the username (the password field then has the focus).
    pub username_hint: Option<String>,
}

/// Run the app until the person quits or a signal asks it to stop. A bad `[keys]` section is
/// reported before the terminal is touched; on every way out the terminal is given back as found.
pub async fn run(config: Config, target: Target) -> anyhow::Result<()> {
    let mut app = App::new(
        &config,
        target.label.clone(),
        target.username_hint.as_deref(),
        Utc::now(),
    )?;
    let theme = Theme::from_env();
    let mut signals = Signals::new().context("cannot listen for SIGTERM/SIGHUP")?;
    let mut guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    let outcome = event_loop(
        &mut guard.terminal,
        &mut app,
        theme,
        &target.server,
        &mut signals,
    )
    .await;
    drop(guard);
    outcome
}

static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// Idempotent, and a no-op unless this process set the terminal up.
fn restore_terminal() {
    if TERMINAL_ACTIVE.swap(false, Ordering::SeqCst) {
        // Nothing sensible is left to do if the terminal refuses; it may already be gone (SIGHUP).
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    }
}

/// Gives the terminal back before the panic message prints, so it is readable and the shell works.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    fn enter() -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        TERMINAL_ACTIVE.store(true, Ordering::SeqCst);
        let entered = execute!(io::stdout(), EnterAlternateScreen)
            .and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        match entered {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

struct Signals {
    terminate: Signal,
    hangup: Signal,
    interrupt: Signal,
}

impl Signals {
    fn new() -> io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }
}

async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    theme: Theme,
    server: &ServerConfig,
    signals: &mut Signals,
) -> anyhow::Result<()> {
    let mut events = EventStream::new();
    let mut ticks = interval(TICK);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut runner = Runner::new(server.clone());
    loop {
        if app.take_dirty() {
            terminal.draw(|frame| ui::draw(frame, app, theme))?;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => app.action_for_key(&key),
                Some(Ok(Event::Resize(_, _))) => Action::Resized,
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("cannot read from the terminal")),
                None => return Ok(()),
            },
            _ = ticks.tick() => Action::Tick(Utc::now()),
            Some(joined) = runner.tasks.join_next(), if !runner.tasks.is_empty() => match joined {
                Ok(outcome) => runner.receive(outcome),
                Err(e) if e.is_panic() => anyhow::bail!("a background task failed unexpectedly; see the log"),
                Err(_) => continue,
            },
            Some(event) = next_live_event(&mut runner.live) => Action::Live(event),
            _ = signals.terminate.recv() => {
                tracing::debug!("SIGTERM: stopping");
                return Ok(());
            }
            _ = signals.hangup.recv() => {
                tracing::debug!("SIGHUP: stopping");
                return Ok(());
            }
            _ = signals.interrupt.recv() => {
                tracing::debug!("SIGINT: stopping");
                return Ok(());
            }
        };
        for effect in app.update(action) {
            if runner.run(effect) == Flow::Quit {
                return Ok(());
            }
        }
    }
}

/// What a task hands back. A sign-in brings the session itself, which the runner keeps aside
/// until the app accepts that very sign-in (a cancelled or superseded one is never used).
enum Outcome {
    Login {
        request: RequestId,
        result: Result<Session, LoginError>,
    },
    Action(Action),
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

struct Runner {
    server: ServerConfig,
    session: Option<Session>,
    candidate: Option<(RequestId, Session)>,
    tasks: JoinSet<Outcome>,
    /// The latest sign-in's settings for the live-updates connection (its own login, never kept
    /// in the app's state), used once that sign-in becomes the session.
    listen_config: Option<(RequestId, tokio_postgres::Config)>,
    /// Notifications from the live-updates connection, and the task that holds it.
    live: Option<UnboundedReceiver<ListenEvent>>,
    listener: Option<JoinHandle<()>>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            listener.abort();
        }
    }
}

/// The next live-update event, or never when there is no listener (a disabled `select!` branch).
async fn next_live_event(live: &mut Option<UnboundedReceiver<ListenEvent>>) -> Option<ListenEvent> {
    match live {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl Runner {
    fn new(server: ServerConfig) -> Self {
        Self {
            server,
            session: None,
            candidate: None,
            tasks: JoinSet::new(),
            listen_config: None,
            live: None,
            listener: None,
        }
    }

    /// LISTEN for appointment changes as the signed-in person, on a connection of its own: a pooled
    /// one would swallow the notifications. It reconnects by itself; the app hears Lost/Reconnected.
    fn start_listener(&mut self, mut cfg: tokio_postgres::Config) {
        let (tx, rx) = unbounded_channel();
        let handle = match db::tls::connector(&self.server, &mut cfg) {
            Ok(Some(tls)) => listen::spawn_listener_with_tls(cfg, tls, tx),
            Ok(None) => listen::spawn_listener(cfg, tx),
            Err(e) => {
                tracing::info!(error = %e, "live updates not started");
                return;
            }
        };
        self.live = Some(rx);
        self.listener = Some(handle);
    }

    fn receive(&mut self, outcome: Outcome) -> Action {
        match outcome {
            Outcome::Login {
                request,
                result: Ok(session),
            } => {
                let me = session.me.clone();
                self.candidate = Some((request, session));
                Action::LoginDone {
                    request,
                    result: Ok(me),
                }
            }
            Outcome::Login {
                request,
                result: Err(error),
            } => Action::LoginDone {
                request,
                result: Err(error),
            },
            Outcome::Action(action) => action,
        }
    }

    fn run(&mut self, effect: Effect) -> Flow {
        match effect {
            Effect::Login {
                request,
                username,
                password,
            } => {
                tracing::debug!(%request, "signing in");
                let server = self.server.clone();
                self.listen_config = Some((
                    request,
                    db::pool::pg_config(&server, username.trim(), password.expose()),
                ));
                // connect_timeout bounds the connection; this bounds the whole sign-in as well.
                let limit = Duration::from_secs(server.connect_timeout_secs.max(1) * 2 + 5);
                self.tasks.spawn(async move {
                    let result = match timeout(
                        limit,
                        db::login(&server, &username, password.expose()),
                    )
                    .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(LoginError::Unreachable(format!(
                            "{}:{}",
                            server.host, server.port
                        ))),
                    };
                    Outcome::Login { request, result }
                });
            }
            Effect::StartSession { request } => match self.candidate.take() {
                Some((r, session)) if r == request => {
                    self.session = Some(session);
                    match self.listen_config.take() {
                        Some((r, cfg)) if r == request && self.listener.is_none() => {
                            self.start_listener(cfg)
                        }
                        _ => tracing::debug!(%request, "no live updates for this session"),
                    }
                }
                other => {
                    tracing::debug!(%request, "no session waiting for this sign-in");
                    self.candidate = other;
                }
            },
            Effect::HashPassword { request, password } => {
                self.tasks.spawn_blocking(move || {
                    let hash = hash_password(password.expose());
                    Outcome::Action(Action::PasswordHashed { request, hash })
                });
            }
            Effect::CheckUnlock {
                request,
                password,
                hash,
            } => {
                self.tasks.spawn_blocking(move || {
                    let ok = verify_password(password.expose(), &hash);
                    Outcome::Action(Action::UnlockChecked { request, ok })
                });
            }
            Effect::Ping { request } => {
                let pool = self.session.as_ref().map(|s| s.pool.clone());
                self.tasks.spawn(async move {
                    let ok = match pool {
                        Some(pool) => ping(&pool).await,
                        None => false,
                    };
                    Outcome::Action(Action::PingDone { request, ok })
                });
            }
            Effect::Patients(request) => self.spawn_db(move |pool| async move {
                Action::Patients(effects::patients::run(pool, request).await)
            }),
            Effect::Calendar(request) => self.spawn_db(move |pool| async move {
                Action::Calendar(effects::calendar::run(pool, request).await)
            }),
            Effect::Queue(request) => self.spawn_db(move |pool| async move {
                Action::Queue(effects::queue::run(pool, request).await)
            }),
            Effect::Quit => return Flow::Quit,
        }
        Flow::Continue
    }
}

impl Runner {
    /// Run a screen's database work on a task with the session's pool. Without a session (signed
    /// out meanwhile) there is no one to answer, so nothing runs.
    fn spawn_db<F, Fut>(&mut self, work: F)
    where
        F: FnOnce(Pool) -> Fut,
        Fut: std::future::Future<Output = Action> + Send + 'static,
    {
        match self.session.as_ref() {
            Some(session) => {
                let task = work(session.pool.clone());
                self.tasks.spawn(async move { Outcome::Action(task.await) });
            }
            None => tracing::debug!("a database request with no session: dropped"),
        }
    }
}

/// One round trip through the pool: a fresh or recycled connection, and a query on it.
async fn ping(pool: &Pool) -> bool {
    let round_trip = async {
        let client = pool.get().await.ok()?;
        client.query_one("SELECT now()", &[]).await.ok()
    };
    let ok = matches!(timeout(PING_TIMEOUT, round_trip).await, Ok(Some(_)));
    tracing::debug!(ok, "ping");
    ok
}

/// An argon2id hash (PHC string) of the password that signed in, for the lock screen.
pub fn hash_password(password: &str) -> Option<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .ok()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unlock_hash_is_argon2id_and_checks_the_right_password_only() {
        let hash = hash_password("correct horse").expect("hashing works");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct hors", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(
            hash_password("correct horse"),
            Some(hash),
            "each hash has its own salt"
        );
    }

    #[test]
    fn a_login_answer_is_kept_aside_until_the_app_takes_that_very_sign_in() {
        // Only the request bookkeeping is exercised here: no session is needed for a failure.
        let mut runner = Runner::new(ServerConfig::default());
        let action = runner.receive(Outcome::Login {
            request: RequestId(7),
            result: Err(LoginError::BadCredentials),
        });
        assert_eq!(
            action,
            Action::LoginDone {
                request: RequestId(7),
                result: Err(LoginError::BadCredentials)
            }
        );
        assert_eq!(
            runner.run(Effect::StartSession {
                request: RequestId(7)
            }),
            Flow::Continue
        );
        assert!(runner.session.is_none());
        assert_eq!(runner.run(Effect::Quit), Flow::Quit);
    }
}
