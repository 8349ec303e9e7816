//! Over SSH and on thin clients: the list without colour and in ASCII, and a cursor move that
//! sends the terminal only the rows that changed.

use clinic::domain::staff::Job;
use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;

use clinic::ui::{self, Theme};
use crossterm::event::KeyCode;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use crate::common::*;
use crate::support::*;

#[test]
fn the_list_reads_in_ascii_without_colour() {
    let mut app = books(Job::Accountant);
    press(&mut app, KeyCode::Down);
    let drawn = buffer_text(&draw(&app, Theme::plain().ascii_only()));
    assert!(drawn.is_ascii(), "{drawn}");
    assert_screen!("list_vt100", drawn);
}

/// A terminal that only counts what it is sent.
#[derive(Clone, Default)]
struct Counted(Rc<Cell<usize>>);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes the terminal is sent for the first frame, and for the next after `key`.
fn bytes_for_next_frame(app: &mut clinic::app::App, key: KeyCode) -> (usize, usize) {
    let sent = Counted::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(sent.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
        },
    )
    .expect("a terminal");
    terminal
        .draw(|f| ui::draw(f, app, Theme::colored()))
        .expect("first frame");
    let first = sent.0.get();
    press(app, key);
    terminal
        .draw(|f| ui::draw(f, app, Theme::colored()))
        .expect("next frame");
    (first, sent.0.get() - first)
}

#[test]
fn a_cursor_move_redraws_two_rows_not_the_screen() {
    let mut app = books(Job::Accountant);
    let (first, moved) = bytes_for_next_frame(&mut app, KeyCode::Down);
    assert!(
        first > 1_000,
        "the first frame is the whole screen: {first} bytes"
    );
    // The row left, the row reached, the position in the footer: a few hundred bytes.
    assert!(
        moved < 600,
        "a cursor move sent {moved} bytes (the whole screen was {first})"
    );
    assert!(moved > 0, "something moved");
    println!("whole screen {first} bytes, one cursor move {moved} bytes");
}
