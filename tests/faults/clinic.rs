//! A clinic on a private cluster of its own, for the tests that stop, restart or starve the
//! server: the shared cluster of tests/support serves every other test binary's tests, which must
//! not see it go. The same code as `clinic demo` and the harness (src/demo/cluster.rs), migrated
//! as a new clinic is, with real staff logins.

use std::path::PathBuf;

use clinic::config::ServerConfig;
use clinic::db::migrate;
use clinic::demo::cluster::{Cluster, Purpose};
use clinic::domain::staff::Job;
use tokio_postgres::Client;

use crate::db::{connect_cfg, Login};

const DBNAME: &str = "clinic";

pub struct PrivateClinic {
    pub cluster: Cluster,
}

impl PrivateClinic {
    /// initdb, start, a migrated `clinic` database; stopped and removed once the test binary
    /// is gone, however it ends.
    pub async fn new(tag: &str) -> Self {
        Self::at(&Self::root(tag)).await
    }

    /// Where [`PrivateClinic::new`] puts the cluster tagged `tag`.
    pub fn root(tag: &str) -> PathBuf {
        PathBuf::from(format!("/tmp/clinic-faults-{}-{tag}", std::process::id()))
    }

    /// The clinic's cluster at `root` (made when not there; an empty directory will do).
    pub async fn at(root: &std::path::Path) -> Self {
        let (mut cluster, _) = Cluster::open_or_create(root, Purpose::Test).expect("initdb");
        cluster.start().expect("postgres starts");
        cluster
            .stop_when_gone(std::process::id(), true)
            .expect("cleanup watcher");
        let admin = connect_cfg(cluster.superuser_config("postgres")).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {DBNAME}"))
            .await
            .expect("create the clinic's database");
        let mut owner = connect_cfg(cluster.superuser_config(DBNAME)).await;
        migrate::migrate(&mut owner).await.expect("migrations");
        Self { cluster }
    }

    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: self.cluster.port,
            dbname: DBNAME.into(),
            ..ServerConfig::default()
        }
    }

    pub async fn superuser(&self) -> Client {
        connect_cfg(self.cluster.superuser_config(DBNAME)).await
    }

    /// A staff member with their own login, through `clinic.add_staff` as bootstrap does.
    pub async fn staff(&self, login: &str, name: &str, job: Job) -> Login {
        let password = format!("pw-{login}-faults");
        let id = clinic::db::staff::add_staff(&self.superuser().await, login, &password, name, job)
            .await
            .expect("add_staff");
        Login {
            user: login.into(),
            password,
            job: Some(job),
            staff_id: Some(id),
        }
    }

    /// The server killed as by a power cut; returns when it is down.
    pub fn stop_immediate(&self) {
        self.cluster.stop_immediate().expect("immediate stop");
    }

    /// The server started again (crash recovery included), on the same port; returns when it
    /// accepts connections.
    pub fn restart(&mut self) {
        let port = self.cluster.port;
        self.cluster.start().expect("postgres starts again");
        assert_eq!(self.cluster.port, port, "the same port as before");
    }
}

impl Drop for PrivateClinic {
    fn drop(&mut self) {
        let _ = self.cluster.stop_immediate();
    }
}
