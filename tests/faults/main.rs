//! Faults survived (issue 11, item 4), with the real binary in a pseudo-terminal against a real
//! server: the server killed (immediate shutdown) under a receptionist's registration, a doctor's
//! note and an accountant's payment and started again 10 s later (restart.rs); a network that
//! stalls rather than drops, through a small proxy that stops forwarding (stall.rs); a payment
//! recorded at the server whose answer was lost, recorded once after one more key (payment.rs); a
//! statement stopped by the server's statement_timeout (cancel.rs); the server's disk full
//! (disk.rs); and live updates heard again after a fault. Also a panic inside a task, with the
//! terminal given back (panic.rs, item 6).
//!
//! The tests that stop the server run on a private cluster of their own (clinic.rs); the others
//! use the shared one, whose server they leave alone. Time limits asserted are the (5 s),
//! measured from the event; "eventually" waits are generous, for a loaded 2-core machine.

#[path = "../support/mod.rs"]
mod db;
#[path = "../support/pty.rs"]
mod pty;

mod clinic;
mod common;
mod proxy;

mod cancel;
mod disk;
mod panic;
mod payment;
mod restart;
mod stall;
