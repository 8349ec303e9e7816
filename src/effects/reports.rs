//! The Reports screen's requests: a report's figures through sql/0030's functions as the person's
//! own login, and the figures shown written to a CSV file.

use std::io::Write;
use std::path::{Path, PathBuf};

use deadpool_postgres::Pool;

use super::{read, words, Run};
use crate::app::reports::{Reply, Request};
use crate::db::reports;

impl Run for Request {
    type Reply = Reply;

    async fn run(self, pool: Pool) -> Reply {
        match self {
            Request::Load {
                request,
                kind,
                period,
            } => Reply::Loaded {
                request,
                result: read(&pool, async |c| reports::figures(&*c, kind, period).await).await,
            },
            Request::Export {
                request,
                dir,
                stem,
                csv,
            } => Reply::Exported {
                request,
                result: tokio::task::spawn_blocking(move || write_new(&dir, &stem, &csv))
                    .await
                    .unwrap_or_else(|e| Err(words(&e))),
            },
        }
    }
}

/// The most files of one name and period before giving up (`stem-2.csv` ... `stem-99.csv`).
const MAX_NUMBERED: u32 = 99;

/// `text` into a new file `dir/stem.csv` (or `stem-2.csv`, ... when that exists): never over an
/// earlier file, readable by its owner only, and never seen half written (written under a
/// `.partial` name, then linked to its own name, which fails rather than replace a file).
pub fn write_new(dir: &Path, stem: &str, text: &str) -> Result<PathBuf, String> {
    let cannot = |p: &Path, e: std::io::Error| words(&format!("cannot write {}: {e}", p.display()));
    std::fs::create_dir_all(dir).map_err(|e| cannot(dir, e))?;
    let partial = dir.join(format!(".{stem}.{}.partial", std::process::id()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let written = open
        .open(&partial)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .map_err(|e| cannot(&partial, e));
    let named = written.and_then(|()| {
        for n in 1..=MAX_NUMBERED {
            let name = if n == 1 {
                format!("{stem}.csv")
            } else {
                format!("{stem}-{n}.csv")
            };
            let path = dir.join(name);
            match std::fs::hard_link(&partial, &path) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(cannot(&path, e)),
            }
        }
        Err(words(&format!(
            "{MAX_NUMBERED} exports of {stem} are in {} already",
            dir.display()
        )))
    });
    let _ = std::fs::remove_file(&partial);
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_export_of_the_same_period_gets_a_number_and_the_first_stays() {
        let dir = tempfile::tempdir().expect("a folder");
        let sub = dir.path().join("exports");
        let first = write_new(&sub, "report-waiting-2026-11-01-2026-11-30", "a\r\n").expect("one");
        let second = write_new(&sub, "report-waiting-2026-11-01-2026-11-30", "b\r\n").expect("two");
        assert_eq!(
            first.file_name().and_then(|n| n.to_str()),
            Some("report-waiting-2026-11-01-2026-11-30.csv")
        );
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("report-waiting-2026-11-01-2026-11-30-2.csv")
        );
        assert_eq!(std::fs::read_to_string(&first).expect("read"), "a\r\n");
        assert_eq!(std::fs::read_to_string(&second).expect("read"), "b\r\n");
        let left: Vec<_> = std::fs::read_dir(&sub)
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 2, "no partial file is left: {left:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
