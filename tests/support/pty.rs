//! The real `clinic` binary in a pseudo-terminal at 80x24, read through a vt100 parser: started
//! with a config pointing at the throwaway cluster, driven by bytes as a keyboard sends them, and
//! quit cleanly. Shared by the end-to-end tests (tests/e2e.rs, tests/tui_billing).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clinic::config::ServerConfig;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};

pub struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |screen| screen.contains(needle))
    }

    /// The screen once `ready` says so (`what` names it when it never does).
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer
            .write_all(bytes.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Bytes as a keyboard sends them, without the pause `send` leaves (for measuring).
    pub fn send_now(&mut self, bytes: &str) {
        self.writer
            .write_all(bytes.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush");
    }

    /// Username, Tab, password, Enter on the login screen; waits for the status bar's role word.
    pub fn sign_in(&mut self, user: &str, password: &str, role_word: &str) -> String {
        self.wait_for("Username");
        self.send(user);
        self.send("\t");
        self.send(password);
        self.send("\r");
        self.wait_for(role_word)
    }
}

/// The app under TERM=xterm-256color in a UTF-8 locale, as most desks run it.
pub fn spawn_clinic(home: &std::path::Path, args: &[&str]) -> Term {
    spawn_clinic_in(home, args, &[("TERM", "xterm-256color")])
}

/// The app with `env` set (and the locale and colour variables not named there removed, so the
/// machine running the tests does not decide).
pub fn spawn_clinic_in(home: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Term {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_clinic"));
    cmd.args(args);
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    for name in ["NO_COLOR", "COLORTERM", "LANG", "LC_ALL", "LC_CTYPE"] {
        cmd.env_remove(name);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let child = pty.slave.spawn_command(cmd).expect("spawn clinic");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let writer = pty.master.take_writer().expect("writer");
    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let raw = Arc::new(Mutex::new(Vec::new()));
    let (p, r) = (parser.clone(), raw.clone());
    std::thread::spawn(move || {
        let _keep_master = pty.master;
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().expect("parser").process(&buf[..n]);
            r.lock().expect("raw").extend_from_slice(&buf[..n]);
        }
    });
    Term {
        parser,
        raw,
        writer,
        child,
    }
}

/// A home directory with a config file pointing at `server`; returns the config's path.
pub fn config_for(server: &ServerConfig) -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("clinic.toml");
    std::fs::write(
        &config,
        format!(
            "[clinic]\nname = \"Riverside Family Clinic\"\ntime_zone = \"Europe/London\"\n\n\
             [server]\nhost = \"{}\"\nport = {}\ndbname = \"{}\"\n",
            server.host, server.port, server.dbname
        ),
    )
    .expect("config");
    (home, config.to_string_lossy().to_string())
}

/// The app started on `config` (its directory as home).
pub fn spawn_on(config: &str) -> Term {
    spawn_clinic(
        std::path::Path::new(config).parent().expect("dir"),
        &["--config", config],
    )
}

/// Ctrl-C, and waits for a clean exit (answering a question once if one is asked).
pub fn quit(term: &mut Term) {
    term.send("\x03");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = term.child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            term.send("y");
        }
        assert!(
            Instant::now() < deadline + Duration::from_secs(10),
            "clinic did not exit:\n{}",
            term.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "clean exit: {status:?}");
    std::thread::sleep(Duration::from_millis(200));
}
