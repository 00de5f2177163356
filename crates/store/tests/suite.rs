//! One suite, two backends: every check here runs against a SQLite file and against a database in a throwaway
//! PostgreSQL cluster (started once for this test binary, stopped when it ends), through the [`Backend`] trait the
//! receiver uses. Checks only one engine can make (its files, its locks) stay beside that engine's code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use sealform_core::audit::verify;
use sealform_core::bundle::{ContentId, ReceiptId};
use sealform_core::digest::Sha256Digest;
use sealform_store::{Backend, Inserted, Location, StoreError, Submission};
use time::{Duration, OffsetDateTime};

/// A store to test: where it is, and what keeps it there.
struct Fixture {
    location: Location,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self {
            location: Location::Sqlite(dir.path().join("sealform.db")),
            _dir: Some(dir),
        }
    }

    /// A fresh database of its own in the shared cluster.
    fn postgres() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let cluster =
            sealform_pgcluster::Cluster::shared().expect("a throwaway PostgreSQL cluster");
        let name = format!("suite_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let url = cluster.create_database(&name).expect("createdb");
        let location = Location::from_arg(url.as_ref())
            .and_then(|location| location.with_password_file(Some(cluster.password_file().into())))
            .expect("a store URL");
        Self {
            location,
            _dir: None,
        }
    }

    async fn open(&self) -> Arc<dyn Backend> {
        sealform_store::open(&self.location)
            .await
            .expect("store opens")
    }

    async fn open_read_only(&self) -> Arc<dyn Backend> {
        sealform_store::open_read_only(&self.location)
            .await
            .expect("store opens read-only")
    }
}

/// Runs each named check against both backends, as `sqlite::NAME` and `postgres::NAME`.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::checks::$name(super::Fixture::sqlite()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::checks::$name(super::Fixture::postgres()).await;
            })*
        }
    };
}

suite!(
    stores_once_and_reads_back,
    one_sealing_is_stored_once_under_its_first_receipt,
    a_batch_is_one_commit_and_all_or_nothing,
    the_inbox_pages_in_arrival_order,
    acknowledged_bundles_are_deleted_after_the_keep_period_and_not_stored_again,
    configs_are_kept_once_by_their_digest,
    the_audit_trail_chains_across_writes,
    reopening_keeps_everything_and_readers_see_commits,
    a_draft_is_replaced_and_deleted_only_with_its_secret,
    an_expired_draft_reads_as_gone_and_is_purged,
);

/// The checks, each given a fresh store. In a `cfg(test)` module: they fail by panicking, as tests do.
#[cfg(test)]
mod checks {
    use super::*;

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// Test bytes that are no bundle, with a stand-in content id of their own.
    fn plain(bytes: &[u8]) -> Submission {
        Submission {
            receipt: ReceiptId::of(bytes),
            content: ContentId::from_digest(Sha256Digest::of(bytes)),
            bundle: Bytes::copy_from_slice(bytes),
            received_at: now(),
        }
    }

    /// A real bundle: one of core's test vectors, without its header.
    fn vector(name: &str) -> Vec<u8> {
        sealform_testkit::Vector::named(name).bundle
    }

    /// A real bundle as a submission, its content id from core's inspection.
    fn sealed(bytes: &[u8]) -> Submission {
        Submission {
            content: sealform_core::bundle::inspect(bytes)
                .expect("a well-formed bundle")
                .content,
            ..plain(bytes)
        }
    }

    /// The same bundle, written out as other bytes (JSON whitespace before it).
    fn respelt(bundle: &[u8], spaces: usize) -> Vec<u8> {
        [" ".repeat(spaces).as_bytes(), bundle].concat()
    }

    async fn insert(store: &dyn Backend, new: Submission) -> Inserted {
        let mut results = store.insert_all(vec![new]).await.expect("stored");
        results.pop().expect("one result")
    }

    pub(super) async fn stores_once_and_reads_back(fixture: Fixture) {
        let store = fixture.open().await;
        let new = plain(b"{\"version\":1}");
        assert_eq!(insert(&*store, new.clone()).await, Inserted::New);
        assert_eq!(insert(&*store, new.clone()).await, Inserted::AlreadyStored);
        assert_eq!(store.count().await.unwrap(), 1);
        assert_eq!(store.receipts().await.unwrap(), [new.receipt]);
        let stored = store.get(new.receipt).await.unwrap().unwrap();
        assert_eq!(stored.bundle, new.bundle);
        assert!(stored.received_at.ends_with('Z'), "{}", stored.received_at);
        OffsetDateTime::parse(
            &stored.received_at,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!(store.get(ReceiptId::of(b"other")).await.unwrap().is_none());
    }

    pub(super) async fn one_sealing_is_stored_once_under_its_first_receipt(fixture: Fixture) {
        let store = fixture.open().await;
        let first = vector("valid");
        let first_receipt = ReceiptId::of(&first);
        assert_eq!(insert(&*store, sealed(&first)).await, Inserted::New);
        for spaces in [1, 2] {
            assert_eq!(
                insert(&*store, sealed(&respelt(&first, spaces))).await,
                Inserted::SameContent {
                    first: first_receipt
                }
            );
        }
        // In one batch as well: the second copy sees the first one's row, and bytes given twice are stored once.
        let other = vector("damaged-ciphertext");
        let batch = vec![sealed(&other), sealed(&respelt(&other, 1)), sealed(&other)];
        assert_eq!(
            store.insert_all(batch).await.unwrap(),
            [
                Inserted::New,
                Inserted::SameContent {
                    first: ReceiptId::of(&other)
                },
                Inserted::AlreadyStored
            ]
        );
        assert_eq!(
            store.receipts().await.unwrap(),
            [first_receipt, ReceiptId::of(&other)]
        );
    }

    pub(super) async fn a_batch_is_one_commit_and_all_or_nothing(fixture: Fixture) {
        let store = fixture.open().await;
        let batch: Vec<Submission> = (0..5)
            .map(|i| plain(format!("bundle {i}").as_bytes()))
            .collect();
        let mut twice = batch.clone();
        twice.push(batch[0].clone());
        let results = store.insert_all(twice).await.unwrap();
        assert_eq!(results[..5], [Inserted::New; 5]);
        assert_eq!(results[5], Inserted::AlreadyStored);
        assert_eq!(store.count().await.unwrap(), 5);
        // Arrival order is the order given.
        let receipts: Vec<ReceiptId> = batch.iter().map(|new| new.receipt).collect();
        assert_eq!(store.receipts().await.unwrap(), receipts);

        // One bad entry: nothing of the batch is stored.
        let fresh = plain(b"fresh");
        let wrong = Submission {
            receipt: ReceiptId::of(b"not these bytes"),
            ..plain(b"fresh too")
        };
        let error = store.insert_all(vec![fresh, wrong]).await.unwrap_err();
        assert!(
            matches!(error, StoreError::ReceiptMismatch { .. }),
            "{error}"
        );
        assert_eq!(store.count().await.unwrap(), 5);
    }

    /// Stores `n` padded bundles one commit each; returns them in arrival order.
    async fn fill(store: &dyn Backend, n: usize) -> Vec<Submission> {
        let mut stored = Vec::new();
        for i in 0..n {
            let bytes = format!("{{\"bundle\":{i},\"pad\":\"{}\"}}", "CANARY".repeat(200));
            let new = plain(bytes.as_bytes());
            assert_eq!(insert(store, new.clone()).await, Inserted::New);
            stored.push(new);
        }
        stored
    }

    pub(super) async fn the_inbox_pages_in_arrival_order(fixture: Fixture) {
        let store = fixture.open().await;
        let bundles = fill(&*store, 5).await;
        let first = store.inbox(0, 2, false).await.unwrap();
        assert!(first.more);
        assert_eq!(first.items[0].receipt, bundles[0].receipt);
        assert_eq!(first.items[0].size, bundles[0].bundle.len() as u64);
        assert!(first.items[0].collected_at.is_none());
        let after: u64 = first.items[1].cursor.parse().unwrap();
        let rest = store.inbox(after, 10, false).await.unwrap();
        assert!(!rest.more);
        let receipts: Vec<_> = rest.items.iter().map(|item| item.receipt).collect();
        assert_eq!(
            receipts,
            [bundles[2].receipt, bundles[3].receipt, bundles[4].receipt]
        );
        let waiting = store.uncollected().await.unwrap();
        assert_eq!(waiting.count, 5);
        assert_eq!(
            waiting.oldest_received_at.as_deref(),
            Some(first.items[0].received_at.as_str())
        );
    }

    pub(super) async fn acknowledged_bundles_are_deleted_after_the_keep_period_and_not_stored_again(
        fixture: Fixture,
    ) {
        let store = fixture.open().await;
        let bundles = fill(&*store, 3).await;
        let at = now();
        let stranger = ReceiptId::of(b"never stored");
        let outcome = store
            .acknowledge(
                vec![bundles[0].receipt, stranger],
                at,
                "token:1a2b3c4d".into(),
            )
            .await
            .unwrap();
        assert_eq!(outcome.acknowledged, [bundles[0].receipt]);
        assert_eq!(outcome.unknown, [stranger]);
        assert_eq!(store.inbox(0, 10, true).await.unwrap().items.len(), 2);
        assert_eq!(store.uncollected().await.unwrap().count, 2);
        let listed = store.inbox(0, 10, false).await.unwrap();
        assert!(listed.items[0].collected_at.is_some());

        // Not yet past the keep period: nothing deleted.
        assert!(store
            .delete_collected(at - Duration::days(7), at, "retention".into())
            .await
            .unwrap()
            .is_empty());
        let deleted = store
            .delete_collected(at, at, "retention".into())
            .await
            .unwrap();
        assert_eq!(deleted, [bundles[0].receipt]);
        assert!(store.get(bundles[0].receipt).await.unwrap().is_none());
        // Acknowledging again is still fine, and a resent copy is not stored again…
        let again = store
            .acknowledge(vec![bundles[0].receipt], at, "token:1a2b3c4d".into())
            .await
            .unwrap();
        assert_eq!(again.acknowledged, [bundles[0].receipt]);
        assert_eq!(
            insert(&*store, bundles[0].clone()).await,
            Inserted::AlreadyStored
        );
        // …nor is the same sealing written out as other bytes: its sender hears the first receipt.
        let respelt = respelt(&bundles[0].bundle, 1);
        let other_bytes = Submission {
            content: bundles[0].content,
            ..plain(&respelt)
        };
        assert_eq!(
            insert(&*store, other_bytes).await,
            Inserted::SameContent {
                first: bundles[0].receipt
            }
        );
        assert_eq!(store.count().await.unwrap(), 2);
        let trail = store.audit_lines().await.unwrap();
        assert_eq!(verify(&trail).unwrap().seq, 3);
        assert!(trail.contains("\"action\":\"delete\""));
    }

    pub(super) async fn configs_are_kept_once_by_their_digest(fixture: Fixture) {
        let store = fixture.open().await;
        let first = store
            .record_config(b"{\"id\":\"a\"}".to_vec(), now())
            .await
            .unwrap();
        assert_eq!(
            store
                .record_config(b"{\"id\":\"a\"}".to_vec(), now())
                .await
                .unwrap(),
            first
        );
        let second = store
            .record_config(b"{\"id\":\"b\"}".to_vec(), now())
            .await
            .unwrap();
        let reader = fixture.open_read_only().await;
        let all = reader.served_configs().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].sha256, first);
        assert_eq!(
            reader.served_config(second).await.unwrap().unwrap(),
            b"{\"id\":\"b\"}"
        );
        assert!(reader
            .served_config(Sha256Digest::of(b"other"))
            .await
            .unwrap()
            .is_none());
    }

    pub(super) async fn the_audit_trail_chains_across_writes(fixture: Fixture) {
        use sealform_core::audit::action;
        let store = fixture.open().await;
        let event = |action| sealform_store::AuditEvent {
            action,
            actor: "token:1a2b3c4d".into(),
            receipts: vec![ReceiptId::of(b"x")],
            at: now(),
        };
        store.audit(vec![event(action::DOWNLOAD)]).await.unwrap();
        store
            .audit(vec![event(action::DOWNLOAD), event(action::ACKNOWLEDGE)])
            .await
            .unwrap();
        store.audit(Vec::new()).await.unwrap();
        let lines = store.audit_lines().await.unwrap();
        assert_eq!(verify(&lines).unwrap().seq, 3);
    }

    pub(super) async fn reopening_keeps_everything_and_readers_see_commits(fixture: Fixture) {
        let store = fixture.open().await;
        let reader = fixture.open_read_only().await;
        assert_eq!(reader.count().await.unwrap(), 0);
        let bundles = fill(&*store, 2).await;
        assert_eq!(reader.count().await.unwrap(), 2);
        store.check_writable().await.unwrap();
        drop(store);
        // A second writer (a restart, or another receiver) finds the layout made and the bundles there.
        let again = fixture.open().await;
        assert_eq!(
            again.receipts().await.unwrap(),
            [bundles[0].receipt, bundles[1].receipt]
        );
    }

    fn new_draft(id: u8, secret: &[u8], bytes: &[u8], days: i64) -> sealform_store::NewDraft {
        let saved_at = now();
        sealform_store::NewDraft {
            id: sealform_core::protocol::draft::DraftId::from_random([id; 16]),
            secret: Sha256Digest::of(secret),
            draft: bytes.to_vec(),
            saved_at,
            expires_at: saved_at + Duration::days(days),
        }
    }

    pub(super) async fn a_draft_is_replaced_and_deleted_only_with_its_secret(fixture: Fixture) {
        use sealform_store::DraftChange;
        let store = fixture.open().await;
        let first = new_draft(1, b"secret", b"sealed draft one", 30);
        store.create_draft(first.clone()).await.expect("create");
        let kept = store
            .draft(first.id, now())
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(kept.draft, b"sealed draft one");
        assert_eq!(
            kept.expires_at.unix_timestamp(),
            first.expires_at.unix_timestamp()
        );

        // The wrong secret changes nothing.
        let forged = sealform_store::NewDraft {
            secret: Sha256Digest::of(b"guess"),
            ..new_draft(1, b"guess", b"forged", 30)
        };
        assert_eq!(
            store.replace_draft(forged).await.expect("replace"),
            DraftChange::WrongSecret
        );
        assert_eq!(
            store
                .delete_draft(first.id, Sha256Digest::of(b"guess"), now())
                .await
                .expect("delete"),
            DraftChange::WrongSecret
        );
        let kept = store
            .draft(first.id, now())
            .await
            .expect("read")
            .expect("still kept");
        assert_eq!(kept.draft, b"sealed draft one");

        // The right one replaces it, its expiry starting again, then deletes it.
        let again = new_draft(1, b"secret", b"sealed draft two", 60);
        assert_eq!(
            store.replace_draft(again.clone()).await.expect("replace"),
            DraftChange::Done
        );
        let kept = store
            .draft(first.id, now())
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(kept.draft, b"sealed draft two");
        assert_eq!(
            kept.expires_at.unix_timestamp(),
            again.expires_at.unix_timestamp()
        );
        assert_eq!(
            store
                .delete_draft(first.id, Sha256Digest::of(b"secret"), now())
                .await
                .expect("delete"),
            DraftChange::Done
        );
        assert_eq!(store.draft(first.id, now()).await.expect("read"), None);
        assert_eq!(
            store
                .delete_draft(first.id, Sha256Digest::of(b"secret"), now())
                .await
                .expect("delete"),
            DraftChange::NotFound
        );
        assert_eq!(
            store.replace_draft(again).await.expect("replace"),
            DraftChange::NotFound
        );

        // Drafts are never submissions.
        assert_eq!(store.count().await.expect("count"), 0);
        assert!(store.audit_lines().await.expect("audit").is_empty());
    }

    pub(super) async fn an_expired_draft_reads_as_gone_and_is_purged(fixture: Fixture) {
        use sealform_store::DraftChange;
        let store = fixture.open().await;
        let lasting = new_draft(2, b"a", b"lasting", 30);
        let expired = sealform_store::NewDraft {
            saved_at: now() - Duration::days(31),
            expires_at: now() - Duration::days(1),
            ..new_draft(3, b"b", b"expired", 30)
        };
        store.create_draft(lasting.clone()).await.expect("create");
        store.create_draft(expired.clone()).await.expect("create");
        assert_eq!(
            store.draft(expired.id, now()).await.expect("read"),
            None,
            "expired reads as gone"
        );
        assert_eq!(
            store
                .replace_draft(sealform_store::NewDraft {
                    saved_at: now(),
                    ..expired.clone()
                })
                .await
                .expect("replace"),
            DraftChange::NotFound,
            "an expired draft is not brought back"
        );
        assert_eq!(store.purge_drafts(now()).await.expect("purge"), 1);
        assert_eq!(store.purge_drafts(now()).await.expect("purge"), 0);
        assert!(
            store
                .draft(lasting.id, now())
                .await
                .expect("read")
                .is_some(),
            "the other is kept"
        );
    }
}
