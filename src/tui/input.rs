//! The terminal's keys and sizes, read on threads of their own.
//!
//! Not crossterm's `EventStream`: once the terminal is gone (an SSH session lost, a pty closed
//! under the app) crossterm 0.29's reader spins for ever on the dead descriptor, reading 0 bytes
//! or EIO, without returning (crossterm-rs/crossterm#793, unfixed as of 0.29). Polled inside the
//! event loop that spin took the loop's thread, so neither SIGHUP nor anything else could end the
//! app. Here the reads block on a thread of their own, and a second thread waits, asleep, for the
//! terminal to hang up and says so; the loop then ends and the process with it.

use std::io::{self, IsTerminal};
use std::os::fd::{AsFd, OwnedFd};

use crossterm::event::Event;
use futures::Stream;
use rustix::event::{poll, PollFd, PollFlags};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// What a read from a hung-up terminal fails with; the event loop ends on it.
pub const EIO: i32 = 5;

/// The terminal's events, ending in an EIO error once the terminal hangs up.
pub fn terminal_events() -> io::Result<impl Stream<Item = io::Result<Event>> + Unpin> {
    let (tx, mut rx) = unbounded_channel();
    let terminal = watched_terminal()?;
    let keys = tx.clone();
    std::thread::Builder::new()
        .name("terminal-keys".into())
        .spawn(move || read_keys(&keys))?;
    std::thread::Builder::new()
        .name("terminal-hangup".into())
        .spawn(move || {
            wait_for_hangup(&terminal);
            let _ = tx.send(Err(io::Error::from_raw_os_error(EIO)));
        })?;
    Ok(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

/// The descriptor crossterm reads keys from: standard input when it is the terminal, else the
/// process's controlling terminal.
fn watched_terminal() -> io::Result<OwnedFd> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        stdin.as_fd().try_clone_to_owned()
    } else {
        Ok(std::fs::File::open("/dev/tty")?.into())
    }
}

fn read_keys(out: &UnboundedSender<io::Result<Event>>) {
    loop {
        let event = crossterm::event::read();
        let failed = event.is_err();
        if out.send(event).is_err() || failed {
            return;
        }
    }
}

/// Returns once the terminal reports a hang-up (or an error). Asks for no events, so nothing
/// but the end of the terminal wakes it: no tick, no CPU while the desk sits idle.
fn wait_for_hangup(terminal: &OwnedFd) {
    loop {
        let mut fds = [PollFd::new(terminal, PollFlags::empty())];
        match poll(&mut fds, None) {
            Ok(_) if !fds[0].revents().is_empty() => return,
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(_) => return,
        }
    }
}
