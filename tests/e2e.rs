//! End to end: the real `clinic` binary in a pseudo-terminal at 80x24, against the throwaway cluster.
//! It signs in as a receptionist, reads the screen, and quits, leaving the terminal restored.

mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clinic::domain::staff::Job;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use support::TestDb;

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer
            .write_all(bytes.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(80));
    }
}

/// The app under TERM=xterm-256color in a UTF-8 locale, as most desks run it.
fn spawn_clinic(home: &std::path::Path, args: &[&str]) -> Term {
    spawn_clinic_in(home, args, &[("TERM", "xterm-256color")])
}

/// The app with `env` set (and the locale and colour variables not named there removed, so the
/// machine running the tests does not decide).
fn spawn_clinic_in(home: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Term {
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

/// A home directory with a config file pointing at the test cluster; returns the config's path.
fn config_for(db: &TestDb) -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().expect("home");
    let server = db.server_config();
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

/// Ctrl-C, and waits for a clean exit (answering a question once if one is asked).
fn quit(term: &mut Term) {
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

#[tokio::test(flavor = "multi_thread")]
async fn a_receptionist_signs_in_sees_the_shell_and_quits_cleanly() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let (home, config) = config_for(&db);
    let user = rita.user.clone();
    let password = rita.password.clone();

    tokio::task::spawn_blocking(move || {
        let mut term = spawn_clinic(
            std::path::Path::new(&config).parent().expect("dir"),
            &["--config", &config],
        );
        term.wait_for("Username");
        assert!(term.screen().contains("Riverside Family Clinic"));

        // A wrong password: a message on the login screen, and the app stays up.
        term.send(&user);
        term.send("\t");
        term.send("nope");
        term.send("\r");
        term.wait_for("Wrong username or password");

        // The right one (the username was kept, the cursor waits in the password field): the shell,
        // with who is logged in and as what.
        term.send(&password);
        term.send("\r");
        let screen = term.wait_for("reception");
        assert!(
            screen.contains(&user),
            "status bar names the login:\n{screen}"
        );
        assert!(
            screen.contains("Patients") && screen.contains("Calendar"),
            "{screen}"
        );
        assert!(
            !screen.contains("Records"),
            "a receptionist is not offered records:\n{screen}"
        );

        // Quit (Ctrl-C: the patient lookup's search box has the focus and would take a `q`); the
        // terminal is restored (alternate screen left, cursor shown).
        quit(&mut term);
        let raw = term.raw.lock().expect("raw").clone();
        let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(400)..]).to_string();
        assert!(
            tail.contains("\x1b[?1049l"),
            "alternate screen left: {tail:?}"
        );
        assert!(tail.contains("\x1b[?25h"), "cursor shown again: {tail:?}");
    })
    .await
    .expect("e2e run");
    drop(home);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vt100_in_the_c_locale_gets_no_colour_codes_and_only_ascii() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    // A doctor, so the calendar has a column to draw (and its off-hours dots).
    db.staff("alice", Job::Doctor).await;
    let (home, config) = config_for(&db);
    let (user, password) = (rita.user.clone(), rita.password.clone());

    tokio::task::spawn_blocking(move || {
        let mut term = spawn_clinic_in(
            std::path::Path::new(&config).parent().expect("dir"),
            &["--config", &config],
            &[("TERM", "vt100"), ("LANG", "C")],
        );
        term.wait_for("Username");
        term.send(&user);
        term.send("\t");
        term.send(&password);
        term.send("\r");
        term.wait_for("reception");
        // The lookup's frame, then the calendar's grid and the queue (Esc leaves the search box;
        // Alt-2 and Alt-3, as over SSH where function keys are unreliable).
        term.send("\x1b");
        // Out of the box (its footer offers `n` again) before Alt-2: sent at once, the two
        // escapes can arrive as one read and parse as Alt-Esc.
        term.wait_for("n new patient");
        term.send("\x1b2");
        term.wait_for("time |");
        term.send("\x1b3");
        term.wait_for("Nobody is booked for today.");
        quit(&mut term);

        let raw = term.raw.lock().expect("raw").clone();
        let text = String::from_utf8_lossy(&raw);
        for code in ["38;5;", "48;5;", "38;2;", "48;2;"] {
            assert!(
                !text.contains(code),
                "a colour code {code:?} went to a vt100: {:?}",
                &text[text.find(code).unwrap_or(0).saturating_sub(40)..][..80]
            );
        }
        let wide: Vec<(usize, u8)> = raw
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, b)| *b >= 0x80)
            .take(5)
            .collect();
        assert!(
            wide.is_empty(),
            "bytes beyond ASCII went to a C-locale terminal: {wide:?} near {:?}",
            wide.first()
                .map(|(i, _)| String::from_utf8_lossy(&raw[i.saturating_sub(40)..*i + 10]))
        );
    })
    .await
    .expect("e2e run");
    drop(home);
}
