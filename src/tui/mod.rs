//! The terminal and the loop: keys, effect results, live events, signals and the app's next
//! deadline come in through one `select!`, each becomes an Action for `App::update`, and each
//! Effect that comes out runs on a tokio task. The screen is redrawn only when the state changed,
//! and the loop sleeps until the next thing is due (a debounce, the idle lock, the clock's next
//! minute): nothing waits for a tick.

use std::future::Future;
use std::io::{self, Stdout};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once, PoisonError, TryLockError};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use crossterm::cursor::Show;
use crossterm::event::{Event, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use futures::{Stream, StreamExt};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{sleep_until, timeout, Instant};

use crate::app::{Action, App, Effect, RequestId};
use crate::config::{Config, ServerConfig};
use crate::db::{self, listen, Session};
use crate::domain::live::LiveEvent;
use crate::domain::staff::LoginError;
use crate::effects;
use crate::ui::{self, Theme};

mod input;
use input::EIO;

/// A ping that takes longer than this counts as a lost connection.
const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// A screen's request unanswered this long has the connection proved at once (`Action::AnswerSlow`).
/// Well past any lookup or save on a working link; a long report only costs one extra ping.
const SLOW_ANSWER: Duration = Duration::from_secs(3);
/// The longest the loop sleeps without looking at the clock: deadlines are kept on the monotonic
/// clock, which stands still while a laptop sleeps, so this bounds how late one can come after.
const LONGEST_SLEEP: Duration = Duration::from_secs(60);

/// Which server to sign in to, and how to describe it on the login screen.
#[derive(Debug, Clone)]
pub struct Target {
    pub server: ServerConfig,
    /// Shown as "server: ..." under the login form, e.g. "~/.local/share/clinic/demo (demo)".
    pub label: String,
    /// Pre-fills the username (the password field then has the focus).
    pub username_hint: Option<String>,
    /// Lines under the login form (the demo's logins).
    pub notes: Vec<String>,
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
    app.login_notes = target.notes.clone();
    // Each desk its own moment to re-read after a change, so the clinic's desks do not all ask
    // the server in the same instant.
    app.refetch_delay = crate::app::refetch::desk_delay(&mut rand::thread_rng());
    let theme = Theme::from_env(&config.display);
    let stop = stop_signal().context("cannot listen for SIGTERM/SIGHUP")?;
    let events = input::terminal_events().context("cannot read from the terminal")?;
    let mut guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    if let Ok(size) = guard.terminal.size() {
        app.update(Action::Resized {
            width: size.width,
            height: size.height,
        });
    }
    let mut runner = Runner::new(target.server.clone());
    let terminal = &mut guard.terminal;
    let outcome = event_loop(
        &mut app,
        events,
        &mut runner,
        &WallClock,
        |app| {
            // A panic in a task gives the terminal back from its own thread (the hook): a frame
            // is drawn whole before that or not at all, never over the shell and the message.
            let _drawing = DRAWING.lock().unwrap_or_else(PoisonError::into_inner);
            if !TERMINAL_ACTIVE.load(Ordering::SeqCst) {
                return Ok(());
            }
            terminal.draw(|frame| ui::draw(frame, app, theme)).map(drop)
        },
        stop,
    )
    .await;
    drop(guard);
    outcome
}

static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);
/// Held while a frame is written, so the terminal is never given back half-way through one.
static DRAWING: Mutex<()> = Mutex::new(());
static PANIC_HOOK: Once = Once::new();

/// Idempotent, and a no-op unless this process set the terminal up.
fn restore_terminal() {
    // A frame being drawn on another thread finishes first. Not for ever: a panic inside a draw
    // holds the lock on this very thread.
    let deadline = std::time::Instant::now() + Duration::from_millis(250);
    let _drawing = loop {
        match DRAWING.try_lock() {
            Ok(guard) => break Some(guard),
            Err(TryLockError::Poisoned(p)) => break Some(p.into_inner()),
            Err(TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => break None,
        }
    };
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

/// Resolves at the first SIGTERM, SIGHUP or SIGINT.
fn stop_signal() -> io::Result<impl Future<Output = ()>> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        let which = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = hangup.recv() => "SIGHUP",
            _ = interrupt.recv() => "SIGINT",
        };
        tracing::debug!(which, "stopping");
    })
}

/// What the loop reads the time from.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock: what the status bar shows and "today" means.
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where the loop sends Effects and hears their answers from.
pub trait Effects {
    /// Start one effect; `Flow::Quit` ends the loop.
    fn run(&mut self, effect: Effect) -> Flow;
    /// The next answer from anything running (a task, the live-updates connection). Never
    /// resolves while nothing can answer. An error ends the loop.
    fn next(&mut self) -> impl Future<Output = anyhow::Result<Action>>;
}

#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// The instant on the monotonic clock when `at` (on `clock`) comes, at most a minute away.
fn wake_at(at: DateTime<Utc>, clock: &impl Clock) -> Instant {
    let wait = (at - clock.now()).to_std().unwrap_or(Duration::ZERO);
    Instant::now() + wait.min(LONGEST_SLEEP)
}

/// The loop, apart from the terminal: `events` are the terminal's, `draw` paints the app, and
/// `stop` ends it (a signal). Tests drive it with their own events, effects and clock.
pub async fn event_loop<E, F>(
    app: &mut App,
    mut events: E,
    effects: &mut F,
    clock: &impl Clock,
    mut draw: impl FnMut(&App) -> io::Result<()>,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()>
where
    E: Stream<Item = io::Result<Event>> + Unpin,
    F: Effects,
{
    let mut stop = pin!(stop);
    loop {
        if app.take_dirty() {
            match draw(app) {
                // The terminal hung up between two frames: the same ending as below.
                Err(e) if e.raw_os_error() == Some(EIO) => return Ok(()),
                drawn => drawn.context("cannot draw on the terminal")?,
            }
        }
        let deadline = app.deadline();
        let wake = sleep_until(
            deadline.map_or_else(|| Instant::now() + LONGEST_SLEEP, |at| wake_at(at, clock)),
        );
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    run_all(app.clock(clock.now()), effects);
                    app.action_for_key(&key)
                }
                Some(Ok(Event::Resize(width, height))) => Action::Resized { width, height },
                Some(Ok(_)) => continue,
                // A terminal hung up under the app (a lost SSH session) reads as EIO: an ending,
                // like SIGHUP, not a failure to report on a terminal that is gone.
                Some(Err(e)) if e.raw_os_error() == Some(EIO) => return Ok(()),
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("cannot read from the terminal")),
                None => return Ok(()),
            },
            () = wake => Action::Tick(clock.now()),
            answer = effects.next() => {
                let answer = answer?;
                run_all(app.clock(clock.now()), effects);
                answer
            }
            () = &mut stop => return Ok(()),
        };
        if run_all(app.update(action), effects) == Flow::Quit {
            return Ok(());
        }
    }
}

fn run_all(effects: Vec<Effect>, runner: &mut impl Effects) -> Flow {
    for effect in effects {
        if runner.run(effect) == Flow::Quit {
            return Flow::Quit;
        }
    }
    Flow::Continue
}

/// What a task hands back. A sign-in brings the session itself, which the runner keeps aside
/// until the app accepts that very sign-in (a cancelled or superseded one is never used).
enum Outcome {
    Login {
        request: RequestId,
        result: Result<Session, LoginError>,
    },
    /// The person's own new password is set: the pool (and live updates) for it, built here so
    /// the runner swaps them in before the app hears of it.
    PasswordChanged {
        request: RequestId,
        result: Result<(deadpool_postgres::Pool, tokio_postgres::Config), String>,
    },
    Action(Action),
}

/// The real effects: tasks against the signed-in person's pool, and their live updates.
pub struct Runner {
    server: ServerConfig,
    session: Option<Session>,
    candidate: Option<(RequestId, Session)>,
    tasks: JoinSet<Outcome>,
    /// The latest sign-in's settings for the live-updates connection (its own login, never kept
    /// in the app's state), used once that sign-in becomes the session.
    listen_config: Option<(RequestId, tokio_postgres::Config)>,
    /// Notifications from the live-updates connection, and the task that holds it.
    live: Option<UnboundedReceiver<LiveEvent>>,
    listener: Option<JoinHandle<()>>,
    /// Screen requests that have waited `SLOW_ANSWER` say so here.
    slow_tx: UnboundedSender<()>,
    slow_rx: UnboundedReceiver<()>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            listener.abort();
        }
    }
}

impl Effects for Runner {
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
            Effect::StartSession { request } => self.start_session(request),
            Effect::HashPassword { request, password } => {
                self.tasks.spawn_blocking(move || {
                    let hash = effects::lock::hash_password(password.expose());
                    Outcome::Action(Action::PasswordHashed { request, hash })
                });
            }
            Effect::CheckUnlock {
                request,
                password,
                hash,
            } => {
                self.tasks.spawn_blocking(move || {
                    let ok = effects::lock::verify_password(password.expose(), &hash);
                    Outcome::Action(Action::UnlockChecked { request, ok })
                });
            }
            Effect::ChangePassword { request, password } => match self.session.as_ref() {
                Some(session) => {
                    let (pool, server) = (session.pool.clone(), self.server.clone());
                    let login = session.me.login.clone();
                    self.tasks.spawn(async move {
                        let result = change_password(pool, &server, &login, &password).await;
                        Outcome::PasswordChanged { request, result }
                    });
                }
                None => tracing::debug!("a password change with no session: dropped"),
            },
            Effect::Ping { request } => {
                let pool = self.session.as_ref().map(|s| s.pool.clone());
                self.tasks.spawn(async move {
                    // Test-only, and compiled into debug builds only (release builds, which are
                    // what desks run, do not have it): tests/faults proves that a panic inside a
                    // task still gives the terminal back and ends the app with a message.
                    #[cfg(debug_assertions)]
                    if std::env::var_os("CLINIC_TEST_PANIC_IN_TASK").is_some() {
                        panic!("CLINIC_TEST_PANIC_IN_TASK is set: a panic inside a task, as asked");
                    }
                    let ok = match pool {
                        Some(pool) => {
                            let ok = db::pool::ping(&pool, PING_TIMEOUT).await;
                            if ok {
                                seal_audit_trail(&pool).await;
                            }
                            ok
                        }
                        None => false,
                    };
                    Outcome::Action(Action::PingDone { request, ok })
                });
            }
            Effect::Screen(request) => match self.session.as_ref() {
                Some(session) => {
                    let pool = session.pool.clone();
                    let slow = self.slow_tx.clone();
                    self.tasks.spawn(async move {
                        let work = effects::run(request, pool);
                        tokio::pin!(work);
                        // Nothing fails on a network that stalls, the answers just stop: a request
                        // waiting this long says so (once), and the app proves the connection.
                        let reply = tokio::select! {
                            reply = &mut work => reply,
                            () = tokio::time::sleep(SLOW_ANSWER) => {
                                let _ = slow.send(());
                                work.await
                            }
                        };
                        Outcome::Action(Action::Screen(reply))
                    });
                }
                // Signed out meanwhile: there is no one to answer, so nothing runs.
                None => tracing::debug!("a database request with no session: dropped"),
            },
            Effect::Quit => return Flow::Quit,
        }
        Flow::Continue
    }

    async fn next(&mut self) -> anyhow::Result<Action> {
        loop {
            tokio::select! {
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => match joined {
                    Ok(outcome) => return Ok(self.receive(outcome)),
                    Err(e) if e.is_panic() => {
                        anyhow::bail!("a background task failed unexpectedly; see the log")
                    }
                    Err(_) => continue,
                },
                Some(event) = next_live_event(&mut self.live) => return Ok(Action::Live(event)),
                Some(()) = self.slow_rx.recv() => return Ok(Action::AnswerSlow),
                else => std::future::pending::<()>().await,
            }
        }
    }
}

/// The next live-update event, or never when there is no listener (a disabled `select!` branch).
async fn next_live_event(live: &mut Option<UnboundedReceiver<LiveEvent>>) -> Option<LiveEvent> {
    match live {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl Runner {
    pub fn new(server: ServerConfig) -> Self {
        let (slow_tx, slow_rx) = unbounded_channel();
        Self {
            slow_tx,
            slow_rx,
            server,
            session: None,
            candidate: None,
            tasks: JoinSet::new(),
            listen_config: None,
            live: None,
            listener: None,
        }
    }

    /// Keep the session sign-in `request` opened, and LISTEN for appointment changes as that
    /// person, on a connection of its own (a pooled one would swallow the notifications).
    fn start_session(&mut self, request: RequestId) {
        match self.candidate.take() {
            Some((r, session)) if r == request => {
                if let Some(settings) = session.settings.clone() {
                    self.tasks.spawn(async move {
                        Outcome::Action(Action::ClinicSettings(Box::new(settings)))
                    });
                }
                if session.must_change_password {
                    self.tasks
                        .spawn(async { Outcome::Action(Action::MustChangePassword) });
                }
                self.session = Some(session);
                match self.listen_config.take() {
                    Some((r, cfg)) if r == request && self.listener.is_none() => {
                        let (tx, rx) = unbounded_channel();
                        match listen::spawn_for_server(&self.server, cfg, tx) {
                            Ok(handle) => {
                                self.live = Some(rx);
                                self.listener = Some(handle);
                            }
                            Err(e) => tracing::info!(error = %e, "live updates not started"),
                        }
                    }
                    _ => tracing::debug!(%request, "no live updates for this session"),
                }
            }
            other => {
                tracing::debug!(%request, "no session waiting for this sign-in");
                self.candidate = other;
            }
        }
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
            Outcome::PasswordChanged { request, result } => Action::PasswordChanged {
                request,
                result: result.map(|(pool, listen)| self.use_new_password(pool, listen)),
            },
            Outcome::Action(action) => action,
        }
    }

    /// Connections made from now on sign in with the new password: the pool's and the live
    /// updates' (those open stay open; PostgreSQL checks a password only when connecting).
    fn use_new_password(&mut self, pool: deadpool_postgres::Pool, listen: tokio_postgres::Config) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        session.pool = pool;
        if let Some(old) = self.listener.take() {
            old.abort();
        }
        let (tx, rx) = unbounded_channel();
        match listen::spawn_for_server(&self.server, listen, tx) {
            Ok(handle) => {
                self.live = Some(rx);
                self.listener = Some(handle);
            }
            Err(e) => tracing::info!(error = %e, "live updates not restarted"),
        }
    }
}

/// Set the person's own new password, then build the pool and live-updates settings that use it.
async fn change_password(
    pool: deadpool_postgres::Pool,
    server: &ServerConfig,
    login: &str,
    password: &crate::app::Secret,
) -> Result<(deadpool_postgres::Pool, tokio_postgres::Config), String> {
    let words = |e: db::DbError| effects::words(&e);
    let client = pool.get().await.map_err(|e| words(e.into()))?;
    db::staff::change_own_password(&**client, password.expose())
        .await
        .map_err(words)?;
    drop(client);
    let new_pool = db::connect_as(server, login, password.expose()).map_err(|e| e.to_string())?;
    Ok((
        new_pool,
        db::pool::pg_config(server, login, password.expose()),
    ))
}

/// Every desk seals the audit entries that have finished each time it pings, so the chain stays
/// seconds behind the clinic's work without anyone waiting on it (sql/0011). Best effort: a failure
/// here is the next ping's to report.
async fn seal_audit_trail(pool: &deadpool_postgres::Pool) {
    let sealed = match pool.get().await {
        Ok(client) => db::audit::seal(&**client).await,
        Err(e) => Err(e.into()),
    };
    match sealed {
        Ok(n) => tracing::debug!(sealed = n, "audit seal"),
        Err(e) => tracing::debug!("audit seal: {e}"),
    }
}

#[cfg(test)]
mod tests;
