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

fn spawn_clinic(home: &std::path::Path, args: &[&str]) -> Term {
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
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
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

#[tokio::test(flavor = "multi_thread")]
async fn a_receptionist_signs_in_sees_the_shell_and_quits_cleanly() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
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
    let config = config.to_string_lossy().to_string();
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
        term.send("\x03");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = term.child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                // Maybe a confirmation is asked: answer it once.
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
}
