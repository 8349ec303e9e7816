//! The database side of the screens' requests: each runs here, on a task the event loop spawns,
//! against the signed-in person's own pool (so row-level security and column grants decide what
//! comes back), and its answer goes back to the app as an Action. app/ and ui/ never do IO; this
//! is where their requests meet `crate::db`. Cut by data area, as db/ is.
//!
//! Every request gets its connection through [`with_client`], and every database error becomes
//! the desk's words through [`words`]: one place each.

pub mod admin;
pub mod appointments;
pub mod billing;
pub mod lock;
pub mod patients;
pub mod records;
pub mod reports;

use std::convert::Infallible;
use std::future::Future;

use deadpool_postgres::Pool;
use tokio_postgres::Client;

use crate::app::registry::{screens, Registered, ScreenReply, ScreenRequest};
use crate::app::screen::Screen;
use crate::db::DbError;

/// How a screen's request runs: against the person's pool, answering with the screen's reply.
pub trait Run: Sized {
    type Reply;
    fn run(self, pool: Pool) -> impl Future<Output = Self::Reply> + Send;
}

/// The screens that ask nothing of the database yet.
impl Run for Infallible {
    type Reply = Infallible;

    async fn run(self, _pool: Pool) -> Infallible {
        match self {}
    }
}

macro_rules! runner {
    ($($field:ident: $name:ident => $state:ty;)*) => {
        /// Run any screen's request: the registry's one dispatch, so the loop names no screen.
        pub async fn run(request: ScreenRequest, pool: Pool) -> ScreenReply {
            match request {
                $(ScreenRequest::$name(r) => ScreenReply::$name(
                    <<$state as Screen>::Request as Run>::run(r, pool).await,
                ),)*
            }
        }

        /// Every screen's requests can run (a screen without a runner does not compile).
        #[allow(dead_code)]
        fn every_screen_has_a_runner() {
            fn runs<S: Registered>()
            where
                S::Request: Run<Reply = S::Reply>,
            {
            }
            $(runs::<$state>();)*
        }
    };
}

screens!(runner);

/// A connection from the pool for `work`; failing to get one is an error of `work`'s own kind.
/// The one place a request gets its connection.
pub async fn with_client<T, E: From<DbError>>(
    pool: &Pool,
    work: impl AsyncFnOnce(&mut Client) -> Result<T, E>,
) -> Result<T, E> {
    let mut client = pool.get().await.map_err(|e| E::from(DbError::from(e)))?;
    work(&mut client).await
}

/// A database error (or any refusal) as a sentence for the desk: capitalised, ending in a full
/// stop. What the error says never includes patient data: the db layer's messages are its own
/// words or the server's constraint text.
pub fn words(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    let mut chars = text.trim().chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// `work` on a connection, any failure in words.
pub async fn read<T>(
    pool: &Pool,
    work: impl AsyncFnOnce(&mut Client) -> Result<T, DbError>,
) -> Result<T, String> {
    with_client(pool, work).await.map_err(|e| words(&e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            super::words(&"you are not allowed to do that"),
            "You are not allowed to do that."
        );
        assert_eq!(super::words(&"Taken!"), "Taken!");
        assert_eq!(super::words(&""), ".");
    }
}
