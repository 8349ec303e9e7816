//! End to end: the real `clinic` binary in a pseudo-terminal at 80x24, against the throwaway cluster.
//! It signs in as a receptionist, reads the screen, and quits, leaving the terminal restored.

#[path = "support/pty.rs"]
mod pty;
mod support;

use clinic::domain::staff::Job;
use pty::{config_for, quit, spawn_clinic, spawn_clinic_in};
use support::TestDb;

#[tokio::test(flavor = "multi_thread")]
async fn a_receptionist_signs_in_sees_the_shell_and_quits_cleanly() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let (home, config) = config_for(&db.server_config());
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
    let (home, config) = config_for(&db.server_config());
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

/// SIGTERM (a shutdown) and SIGHUP (the SSH session gone) end the app with the terminal given back
/// (alternate screen left, cursor shown), as a quit does.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sighup_restore_the_terminal() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let (home, config) = config_for(&db.server_config());
    tokio::task::spawn_blocking(move || {
        for signal in ["-TERM", "-HUP"] {
            let mut term = pty::spawn_on(&config);
            term.sign_in(&rita.user, &rita.password, "(reception)");
            let before = term.raw.lock().expect("raw").len();
            let pid = term.child.process_id().expect("a pid");
            let sent = std::process::Command::new("kill")
                .args([signal, &pid.to_string()])
                .status()
                .expect("kill");
            assert!(sent.success());
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let status = loop {
                if let Some(s) = term.child.try_wait().expect("wait") {
                    break s;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{signal}: still running"
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            };
            std::thread::sleep(std::time::Duration::from_millis(200));
            let raw = term.raw.lock().expect("raw").clone();
            let tail = String::from_utf8_lossy(&raw[before..]).to_string();
            assert!(
                tail.contains("\x1b[?1049l") && tail.contains("\x1b[?25h"),
                "{signal} ({status:?}): the terminal is given back: {tail:?}"
            );
        }
    })
    .await
    .expect("signals");
    drop(home);
}

/// The SSH session lost: the pseudo-terminal closed under the app (every descriptor of its master
/// side gone, as sshd does when the connection drops). The app hears the hangup and ends by
/// itself instead of lingering with the person's pool open.
#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_closed_under_the_app_ends_it() {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read;
    let db = TestDb::new().await;
    db.staff("rita", Job::Receptionist).await;
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
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_clinic"));
        cmd.args(["--config", &config]);
        cmd.env("HOME", &home_path);
        cmd.env("XDG_DATA_HOME", home_path.join("data"));
        cmd.env("TERM", "xterm-256color");
        let mut child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        // The login screen is up once "Username" has been written.
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains("Username") {
            let n = reader.read(&mut buf).expect("read");
            assert!(n > 0, "the app ended before its login screen");
            seen.extend_from_slice(&buf[..n]);
        }
        let writer = pair.master.take_writer().expect("writer");
        drop(writer);
        drop(pair.master);
        // The reader is the master side's last descriptor: with it closed, the kernel hangs up the
        // app's terminal.
        drop(reader);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still running after its terminal closed"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        println!("ended after the hangup: {status:?}");
        assert!(
            status.success(),
            "a hang-up is an ending, not a failure: {status:?}"
        );
    })
    .await
    .expect("hangup");
    drop(home);
}
