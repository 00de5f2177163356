//! Two `sealform serve` processes sharing one PostgreSQL store (a throwaway cluster of each test's own): 2,000
//! submissions spread over both, with `kill -9` of one receiver, or an immediate restart of PostgreSQL, in the middle.
//! Every receipt a client was given is stored exactly once, the client sends the rest again until they are taken,
//! a receiver serves the pickup of what the other stored, `sealform open --store postgres://…` reads it all and an
//! operator's purge deletes what was collected. A password in the URL, and a server that is not there, are refused
//! by name.

// Shared with the other test binaries; this one uses only some of the helpers.
#[allow(dead_code)]
mod util;

#[cfg(test)]
mod checks {
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use sealform_core::bundle::ReceiptId;
    use sealform_core::{FormSchema, Sha256Digest};
    use sealform_pgcluster::Cluster;
    use sealform_store::Location;
    use serde_json::Value;

    use super::util::receiver::{self, Running};
    use super::util::*;

    const COUNT: usize = 2000;
    /// Clients posting at once.
    const SENDERS: usize = 16;
    /// The longest the whole load may take, retries included.
    const LOAD_WITHIN: Duration = Duration::from_secs(300);

    /// What goes wrong in the middle of the load.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Disruption {
        /// `kill -9` of the first receiver; it stays down.
        KillReceiver,
        /// PostgreSQL stopped at once (as in a crash) and started again.
        RestartDatabase,
    }

    /// Two receivers' shared settings: one form, one pickup token, one database.
    struct Group {
        dir: tempfile::TempDir,
        config: PathBuf,
        dist: PathBuf,
        token: PathBuf,
        allowed: String,
        cluster: Arc<Cluster>,
        url: String,
    }

    impl Group {
        fn new() -> Self {
            let dir = tempfile::tempdir().expect("temp dir");
            let (config, dist) = receiver::site(dir.path());
            let token = dir.path().join("collect.token");
            let run = sealform(&[
                "token".as_ref(),
                "new".as_ref(),
                "--out".as_ref(),
                token.as_os_str(),
            ])
            .expect_code(0);
            let allowed = run
                .stdout
                .lines()
                .find_map(|line| line.split("--pickup-token-sha256 ").nth(1))
                .expect("the serve flag")
                .to_owned();
            let cluster = Arc::new(Cluster::start().expect("a throwaway PostgreSQL cluster"));
            let url = cluster.create_database("intake").expect("createdb");
            Self {
                dir,
                config,
                dist,
                token,
                allowed,
                cluster,
                url,
            }
        }

        fn password_file(&self) -> &Path {
            self.cluster.password_file()
        }

        /// `sealform serve --store postgres://…` on a free port.
        fn serve(&self) -> Running {
            receiver::serve(
                &self.config,
                &self.dist,
                Path::new(&self.url),
                "127.0.0.1:0",
                &[
                    "--store-password-file".as_ref(),
                    self.password_file().as_os_str(),
                    "--pickup-token-sha256".as_ref(),
                    self.allowed.as_ref(),
                    "--keep-after-pickup".as_ref(),
                    "30".as_ref(),
                ],
            )
        }

        /// `count` distinct bundles sealed for the form's keys and filled in its form.
        fn bundles(&self, count: usize) -> Vec<Vec<u8>> {
            let bytes = std::fs::read(&self.config).expect("config");
            let schema = FormSchema::from_json(&bytes).expect("config");
            let digest = Sha256Digest::of(&bytes);
            let keys = [
                identity("firm").recipient().clone(),
                identity("backup").recipient().clone(),
            ];
            let path = self.dir.path().join("sealed.bundle");
            (0..count)
                .map(|i| {
                    let id = format!("scale-{i}");
                    seal_to_form(&path, &keys, &schema, digest, &id, valid_answers(), &[]);
                    std::fs::read(&path).expect("sealed")
                })
                .collect()
        }

        fn location(&self) -> Location {
            Location::from_arg(self.url.as_ref())
                .and_then(|l| l.with_password_file(Some(self.password_file().into())))
                .expect("a store URL")
        }
    }

    #[test]
    fn two_receivers_share_one_store_through_a_kill_9_of_one() {
        run(Disruption::KillReceiver);
    }

    #[test]
    fn two_receivers_share_one_store_through_a_database_restart() {
        run(Disruption::RestartDatabase);
    }

    fn run(disruption: Disruption) {
        let group = Group::new();
        let bundles = Arc::new(group.bundles(COUNT));
        let first = group.serve();
        let second = group.serve();
        let urls = vec![
            first.url("/api/submissions"),
            second.url("/api/submissions"),
        ];
        let first_health = first.url("/healthz");
        let first = Arc::new(Mutex::new(first));
        let acknowledged = receiver::runtime().block_on(async {
            let client = reqwest::Client::new();
            for health in [&first_health, &second.url("/healthz")] {
                receiver::wait_healthy(&client, health).await;
            }
            let taken = Arc::new(AtomicUsize::new(0));
            let disrupt = {
                let (taken, first, cluster) = (
                    Arc::clone(&taken),
                    Arc::clone(&first),
                    Arc::clone(&group.cluster),
                );
                tokio::task::spawn_blocking(move || {
                    while taken.load(Ordering::SeqCst) < COUNT / 3 {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    match disruption {
                        Disruption::KillReceiver => lock(&first).kill(),
                        Disruption::RestartDatabase => {
                            cluster.restart().expect("PostgreSQL restarts");
                        }
                    }
                    taken.load(Ordering::SeqCst)
                })
            };
            let acknowledged =
                tokio::time::timeout(LOAD_WITHIN, send_all(&client, &urls, &bundles, &taken))
                    .await
                    .expect("every submission taken in time");
            let at = disrupt.await.expect("disrupted");
            eprintln!("{disruption:?} with {at} of {COUNT} submissions taken");
            assert!(at < COUNT, "the disruption came after the load");
            // The receivers still running are healthy again.
            receiver::wait_healthy(&client, &second.url("/healthz")).await;
            if disruption == Disruption::RestartDatabase {
                receiver::wait_healthy(&client, &first_health).await;
            }
            acknowledged
        });

        // Every receipt handed out, each bundle's own, and each stored exactly once.
        let expected: HashSet<ReceiptId> = bundles.iter().map(|b| ReceiptId::of(b)).collect();
        assert_eq!(acknowledged.len(), COUNT);
        assert_eq!(
            acknowledged.iter().copied().collect::<HashSet<_>>(),
            expected
        );
        let stored = receiver::runtime().block_on(async {
            let store = sealform_store::open_read_only(&group.location())
                .await
                .expect("the store opens read-only");
            store.receipts().await.expect("receipts")
        });
        assert_eq!(stored.len(), COUNT, "one row per submission");
        assert_eq!(stored.into_iter().collect::<HashSet<_>>(), expected);

        // The receiver that stayed up hands over everything, the other's submissions too.
        let inbox = group.dir.path().join("inbox");
        let run = sealform(&[
            "pull".as_ref(),
            "--from".as_ref(),
            second.url("").as_ref(),
            "--token-file".as_ref(),
            group.token.as_os_str(),
            "--inbox".as_ref(),
            inbox.as_os_str(),
        ])
        .expect_code(0);
        let pulled: HashSet<ReceiptId> = names_in(&inbox)
            .iter()
            .filter_map(|name| name.strip_suffix(".bundle")?.parse().ok())
            .collect();
        assert_eq!(pulled, expected, "{}", run.stderr);

        if disruption == Disruption::RestartDatabase {
            open_store(&group);
        } else {
            // What the pull acknowledged is deleted for every receiver at once by an operator's purge.
            sealform(&[
                "serve".as_ref(),
                "--store".as_ref(),
                group.url.as_ref(),
                "--store-password-file".as_ref(),
                group.password_file().as_os_str(),
                "--purge-collected-now".as_ref(),
            ])
            .expect_code(0)
            .expect_stderr(&[
                &format!("deleted {COUNT} collected bundles"),
                "0 not yet collected",
            ]);
        }
    }

    #[test]
    fn a_password_in_the_url_and_an_unreachable_server_are_refused_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (config, dist) = receiver::site(dir.path());
        let run = sealform(&[
            "serve".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--dist".as_ref(),
            dist.as_os_str(),
            "--store".as_ref(),
            "postgres://sealform:hunter2@127.0.0.1:5432/intake".as_ref(),
        ])
        .expect_code(2)
        .expect_stderr(&["--store-password-file", "process list"]);
        assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);

        let nowhere = format!(
            "postgres://sealform@127.0.0.1:{}/intake?sslmode=disable",
            receiver::free_port()
        );
        let key = key_file(dir.path(), "firm", 0o600);
        sealform(&[
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            "--store".as_ref(),
            nowhere.as_ref(),
        ])
        .expect_code(2)
        .expect_stderr(&[
            "could not reach the PostgreSQL store",
            "check that the server runs",
        ]);
        sealform(&[
            "serve".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--dist".as_ref(),
            dist.as_os_str(),
            "--store-password-file".as_ref(),
            config.as_os_str(),
        ])
        .expect_code(2)
        .expect_stderr(&["a SQLite file has no password"]);
    }

    /// `sealform open --store postgres://…`: every stored bundle opens with the firm's key.
    fn open_store(group: &Group) {
        let key = key_file(group.dir.path(), "firm", 0o600);
        let export = group.dir.path().join("table.json");
        let run = sealform(&[
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            "--store".as_ref(),
            group.url.as_ref(),
            "--store-password-file".as_ref(),
            group.password_file().as_os_str(),
            "--export".as_ref(),
            export.as_os_str(),
        ])
        .expect_code(0);
        let table: Value =
            serde_json::from_slice(&std::fs::read(&export).expect("the table")).expect("JSON");
        assert_eq!(
            table.as_array().map(Vec::len),
            Some(COUNT),
            "{}",
            run.stderr
        );
    }

    /// Posts every bundle from [`SENDERS`] clients, the `i`th first to receiver `i % 2`; one that is not taken
    /// (the receiver is gone, the store is down: no answer, or 503) is sent again, to the other receiver, until
    /// it is. Returns every receipt handed out, counting them in `taken` as they come.
    async fn send_all(
        client: &reqwest::Client,
        urls: &[String],
        bundles: &Arc<Vec<Vec<u8>>>,
        taken: &Arc<AtomicUsize>,
    ) -> Vec<ReceiptId> {
        let next = Arc::new(AtomicUsize::new(0));
        let senders: Vec<_> = (0..SENDERS)
            .map(|_| {
                let (client, urls, bundles, next, taken) = (
                    client.clone(),
                    urls.to_vec(),
                    Arc::clone(bundles),
                    Arc::clone(&next),
                    Arc::clone(taken),
                );
                tokio::spawn(async move {
                    let mut receipts = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(bundle) = bundles.get(i) else {
                            return receipts;
                        };
                        receipts.push(send_until_taken(&client, &urls, i, bundle).await);
                        taken.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for sender in senders {
            all.extend(sender.await.expect("sender"));
        }
        all
    }

    async fn send_until_taken(
        client: &reqwest::Client,
        urls: &[String],
        first: usize,
        bundle: &[u8],
    ) -> ReceiptId {
        let mut target = first % urls.len();
        loop {
            if let Ok(response) = receiver::post(client, &urls[target], bundle.to_vec()).await {
                let status = response.status();
                if status == 201 {
                    let body: Value = response.json().await.expect("a receipt");
                    let receipt: ReceiptId = body["receipt"]
                        .as_str()
                        .and_then(|text| text.parse().ok())
                        .expect("a receipt id");
                    assert_eq!(receipt, ReceiptId::of(bundle));
                    return receipt;
                }
                assert!(
                    status == 503 || status == 408,
                    "only \"try again\" may refuse a valid bundle: {status}"
                );
            }
            target = (target + 1) % urls.len();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn lock(running: &Mutex<Running>) -> std::sync::MutexGuard<'_, Running> {
        running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
