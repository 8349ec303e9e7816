//! A panic inside a task (issue 11, item 6), not in the loop: the app's panic hook gives the
//! terminal back as the panic happens (raw mode off, the alternate screen left, the cursor shown)
//! so the message is readable and the shell works, and the loop, hearing the task failed, ends
//! the app with a message and a failure status instead of running on without it.
//!
//! Nothing a person does makes a task panic, so the test asks for one: CLINIC_TEST_PANIC_IN_TASK
//! makes the connection's ping task panic, in debug builds only (src/tui/mod.rs; the release
//! builds desks run do not have it).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clinic::domain::staff::Job;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};

use crate::db::TestDb;
use crate::pty::config_for;

/// The terminal's modes as `stty` reads them, e.g. "... icanon ... echo ...".
fn modes(tty: &std::path::Path) -> String {
    let out = std::process::Command::new("stty")
        .arg("-F")
        .arg(tty)
        .arg("-a")
        .output()
        .expect("stty");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has_mode(modes: &str, mode: &str) -> bool {
    modes.split_whitespace().any(|m| m == mode)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_inside_a_task_gives_the_terminal_back_and_ends_with_a_message() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let (home, config) = config_for(&db.server_config());
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let tty = pair.master.tty_name().expect("the terminal's name");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_clinic"));
        cmd.args(["--config", &config]);
        cmd.env("HOME", &home_path);
        cmd.env("XDG_DATA_HOME", home_path.join("data"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("CLINIC_TEST_PANIC_IN_TASK", "1");
        let mut child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let mut writer = pair.master.take_writer().expect("writer");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let into = raw.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                into.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        let text = |raw: &Arc<Mutex<Vec<u8>>>| {
            String::from_utf8_lossy(&raw.lock().expect("raw")).into_owned()
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !text(&raw).contains("Username") {
            assert!(
                Instant::now() < deadline,
                "no login screen: {:?}",
                text(&raw)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let before = modes(&tty);
        assert!(
            !has_mode(&before, "icanon") && !has_mode(&before, "echo"),
            "the app runs the terminal raw: {before}"
        );
        let signing_in = raw.lock().expect("raw").len();
        for keys in [rita.user.as_str(), "\t", rita.password.as_str(), "\r"] {
            writer.write_all(keys.as_bytes()).expect("type");
            writer.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(80));
        }
        // Signed in, the first ping's task panics.
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "still running: {:?}", text(&raw));
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(300));
        let after = String::from_utf8_lossy(&raw.lock().expect("raw")[signing_in..]).into_owned();
        assert!(!status.success(), "a failure status: {status:?}");
        assert!(
            after.contains("\x1b[?1049l"),
            "the alternate screen left: {after:?}"
        );
        assert!(
            after.contains("\x1b[?25h"),
            "the cursor shown again: {after:?}"
        );
        let left = after.find("\x1b[?1049l").expect("left");
        let message = &after[left..];
        assert!(
            message.contains("clinic: a background task failed unexpectedly; see the log"),
            "the message, after the terminal was given back: {message:?}"
        );
        assert_eq!(
            message.matches('\x1b').count(),
            2,
            "nothing drawn after the terminal was given back: {message:?}"
        );
        let modes = modes(&tty);
        assert!(
            has_mode(&modes, "icanon") && has_mode(&modes, "echo"),
            "raw mode off again: {modes}"
        );
        println!(
            "ended {status:?}; the terminal said after leaving the alternate screen: {message:?}"
        );
        drop(pair.master);
    })
    .await
    .expect("the panic");
    drop(home);
}
