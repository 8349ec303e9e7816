//! The server's disk full: the cluster on a small tmpfs of its own, filled to the last byte under
//! a receptionist's registration. The server refuses the write (SQLSTATE 53100, "could not extend
//! file ... No space left on device") and stays up; the form says in words that nothing was saved
//! and why, keeps every field, and the same key saves once there is room again. What happens when
//! the write-ahead log itself cannot grow (the server stops) is in docs/operations.md.
//!
//! Mounting a tmpfs needs root (CI runs as root); elsewhere the test says it was skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use clinic::domain::staff::Job;

use crate::clinic::PrivateClinic;
use crate::common::*;
use crate::pty::{config_for, quit, spawn_on};

/// A tmpfs mounted for the test, unmounted (lazily: the server may still be stopping) at the end.
struct SmallDisk {
    at: PathBuf,
}

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Result<Self, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            let _ = std::fs::remove_dir(at);
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Self {
            at: at.to_path_buf(),
        })
    }

    /// Write zeros until the disk refuses: the bytes written.
    fn fill(&self) -> (PathBuf, u64) {
        let path = self.at.join("filler");
        let mut f = std::fs::File::create(&path).expect("filler");
        let chunk = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            match f.write(&chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => written += n as u64,
            }
        }
        // The last partial pages too.
        while f.write(&[0u8; 512]).is_ok_and(|n| n > 0) {}
        let _ = f.sync_all();
        (path, written)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
        let _ = std::fs::remove_dir(&self.at);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_refuses_the_save_in_words_and_it_goes_through_when_there_is_room() {
    let root = PrivateClinic::root("disk");
    let disk = match SmallDisk::mount(&root, "160m") {
        Ok(disk) => disk,
        Err(why) => {
            println!("skipped: a small disk of its own cannot be mounted here ({why})");
            return;
        }
    };
    let clinic = PrivateClinic::at(&root).await;
    let rita = clinic.staff("rita", "Rita Moreno", Job::Receptionist).await;
    let (_home, config) = config_for(&clinic.server_config());

    let clinic = tokio::task::spawn_blocking(move || {
        let mut desk = spawn_on(&config);
        desk.sign_in(&rita.user, &rita.password, "(reception)");
        desk.send(ESC);
        desk.wait_for("n new patient");
        desk.send("n");
        desk.wait_for("Family name");
        for text in ["Boateng", "\t", "Ama", "\t", "\t", "05/05/1995", "\t", "f"] {
            desk.send(text);
        }
        let (filler, bytes) = disk.fill();
        println!("the server's disk filled ({} MB of zeros)", bytes / 1_000_000);
        desk.send(CTRL_S);
        let said = prose(&wait_said(&desk, "Not saved"));
        println!("disk full, the form says: {said}");
        assert!(said.contains("Not saved: The database server's disk is full; nothing was saved, your input is kept"), "{said}");
        let screen = desk.screen();
        for typed in ["Boateng", "Ama", "05/05/1995", "[f "] {
            assert!(screen.contains(typed), "{typed:?} kept:\n{screen}");
        }
        std::fs::remove_file(filler).expect("room again");
        desk.send(CTRL_S);
        wait_said(&desk, "Registered BOATENG, Ama");
        quit(&mut desk);
        (clinic, disk)
    })
    .await
    .expect("the session");
    let (clinic, disk) = clinic;
    let n: i64 = clinic
        .superuser()
        .await
        .query_one(
            "SELECT count(*) FROM clinic.patients WHERE family_name = 'Boateng'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 1);
    drop(clinic);
    drop(disk);
}
