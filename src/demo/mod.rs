//! `clinic demo`: the whole product on a private PostgreSQL cluster made from the machine's server
//! binaries, seeded with a realistic small clinic.

pub mod cluster;
