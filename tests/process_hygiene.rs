//! The process at rest and after work (issue 11, item 6), the real binary in a pseudo-terminal
//! against a real database: its resident memory after a session of lookups, opened patients and
//! screens, and the CPU it spends over 60 s left idle on the lookup screen (no busy tick: it sleeps
//! until a key, an answer, a live event or its next deadline). Both printed; the targets are
//! 40 MB and no more than a few timer wake-ups.

#[path = "support/mod.rs"]
mod db;
#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

use clinic::domain::staff::Job;

use db::TestDb;
use pty::{config_for, quit, spawn_on};

const CTRL_U: &str = "\x15";
const ESC: &str = "\x1b";

/// (user + system CPU in clock ticks, resident set in kB) of `pid`, from /proc.
fn usage(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let cpu = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS");
    (cpu, rss)
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_after_a_session_and_cpu_at_rest() {
    let db = TestDb::new().await;
    let rita = db.staff("ri", Job::Receptionist).await;
    db.staff("al", Job::Doctor).await;
    db.superuser()
        .await
        .batch_execute(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             SELECT f, g, DATE '1950-01-01' + n * 37, 'female', 'woman', 'Kin', '0123456789', 'Acme',
                    '0201 000 ' || lpad(n::text, 4, '0')
               FROM unnest(ARRAY['Doe', 'Garcia', 'Okafor', 'Nguyen', 'Smith', 'Lee']) f,
                    unnest(ARRAY['John', 'Maria', 'Amy', 'Tran']) g,
                    generate_series(1, 20) n",
        )
        .await
        .expect("patients");
    let (_home, config) = config_for(&db.server_config());
    let (rss_start, rss_after, idle_ticks) = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&config);
        term.sign_in(&rita.user, &rita.password, "(reception)");
        let pid = term.child.process_id().expect("pid");
        let (_, rss_start) = usage(pid);
        for round in 0..10 {
            for name in ["doe", "garcia m", "okafor", "nguyen t", "smith", "lee a"] {
                term.send(CTRL_U);
                term.send(name);
                std::thread::sleep(Duration::from_millis(350));
            }
            term.send("\r");
            std::thread::sleep(Duration::from_millis(300));
            term.send(ESC);
            // The calendar and back (F3, then F2).
            term.send("\x1bOR");
            std::thread::sleep(Duration::from_millis(300));
            term.send("\x1bOQ");
            std::thread::sleep(Duration::from_millis(200));
            term.send("/");
            assert!(round < 10);
        }
        term.send(CTRL_U);
        std::thread::sleep(Duration::from_millis(500));
        let (_, rss_after) = usage(pid);
        let (cpu_before, _) = usage(pid);
        std::thread::sleep(Duration::from_secs(60));
        let (cpu_after, _) = usage(pid);
        quit(&mut term);
        (rss_start, rss_after, cpu_after - cpu_before)
    })
    .await
    .expect("the session");
    // Clock ticks are 1/100 s on Linux.
    println!(
        "resident memory: {} kB after sign-in, {} kB after 60 lookups, 10 patients opened and 20 screen changes; \
         CPU over 60 s idle: {idle_ticks} ticks ({} ms)",
        rss_start,
        rss_after,
        idle_ticks * 10
    );
    assert!(rss_after <= 40 * 1024, "{rss_after} kB resident");
    assert!(idle_ticks <= 5, "{idle_ticks} ticks of CPU while idle");
}
