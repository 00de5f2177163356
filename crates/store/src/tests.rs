use super::*;
use sealform_core::digest::Sha256Digest;

fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealform.db");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A real bundle: one of core's test vectors, without its header.
fn vector(name: &str) -> Vec<u8> {
    sealform_testkit::Vector::named(name).bundle
}

/// The same bundle, written out as other bytes (JSON whitespace around it).
fn respelt(bundle: &[u8], spaces: usize) -> Vec<u8> {
    [" ".repeat(spaces).as_bytes(), bundle].concat()
}

fn content(bundle: &[u8]) -> ContentId {
    sealform_core::bundle::inspect(bundle)
        .expect("a well-formed bundle")
        .content
}

#[test]
fn one_sealing_is_stored_once_under_its_first_receipt() {
    let (_dir, _path, mut store) = temp_store();
    let first = vector("valid");
    let first_receipt = ReceiptId::of(&first);
    let variants = [respelt(&first, 1), respelt(&first, 2)];
    assert_eq!(
        store
            .insert(&first_receipt, &content(&first), &first, now())
            .unwrap(),
        Inserted::New
    );
    for variant in &variants {
        assert_eq!(
            store
                .insert(&ReceiptId::of(variant), &content(variant), variant, now())
                .unwrap(),
            Inserted::SameContent {
                first: first_receipt
            }
        );
    }
    // In one batch as well: the second copy sees the first one's row.
    let other = vector("damaged-ciphertext");
    let other_variant = respelt(&other, 1);
    let receipts = [ReceiptId::of(&other), ReceiptId::of(&other_variant)];
    let contents = [content(&other), content(&other_variant)];
    let batch = [
        NewSubmission {
            receipt: &receipts[0],
            content: &contents[0],
            bundle: &other,
            received_at: now(),
        },
        NewSubmission {
            receipt: &receipts[1],
            content: &contents[1],
            bundle: &other_variant,
            received_at: now(),
        },
    ];
    assert_eq!(
        store.insert_all(&batch).unwrap(),
        [Inserted::New, Inserted::SameContent { first: receipts[0] }]
    );
    assert_eq!(store.receipts().unwrap(), [first_receipt, receipts[0]]);
}

#[test]
fn a_store_of_the_second_layout_gets_content_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealform.db");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(migrate::LAYOUT_1).unwrap();
    old.execute_batch(migrate::LAYOUT_2).unwrap();
    old.pragma_update(None, "user_version", 2).unwrap();
    let valid = vector("valid");
    // Two copies of one sealing stored before layout 3 could tell them apart, another sealing, a row that is
    // no bundle.
    let rows = [
        valid.clone(),
        respelt(&valid, 1),
        vector("damaged-ciphertext"),
        b"not a bundle".to_vec(),
    ];
    for bundle in &rows {
        old.execute(
            "INSERT INTO submissions (receipt, received_at, size, bundle) VALUES (?1, ?2, ?3, ?4)",
            params![
                ReceiptId::of(bundle).full(),
                "2026-11-01T00:00:00Z",
                bundle.len() as i64,
                bundle
            ],
        )
        .unwrap();
    }
    drop(old);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
    let stored: Vec<Option<String>> = store
        .connection
        .prepare("SELECT content FROM submissions ORDER BY seq")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        stored,
        [
            Some(content(&valid).to_string()),
            None,
            Some(content(&rows[2]).to_string()),
            None
        ]
    );
    // Every row is kept; a third copy is answered with the first receipt.
    assert_eq!(store.count().unwrap(), 4);
    let third = respelt(&valid, 3);
    assert_eq!(
        store
            .insert(&ReceiptId::of(&third), &content(&third), &third, now())
            .unwrap(),
        Inserted::SameContent {
            first: ReceiptId::of(&valid)
        }
    );
}

/// A stand-in content id for test bytes that are no bundle: one per byte string.
pub(crate) fn content_of(bundle: &[u8]) -> ContentId {
    ContentId::from_digest(Sha256Digest::of(bundle))
}

#[test]
fn stores_once_and_reads_back() {
    let (_dir, path, mut store) = temp_store();
    let bundle = b"{\"version\":1}".as_slice();
    let receipt = ReceiptId::of(bundle);
    assert_eq!(
        store
            .insert(&receipt, &content_of(bundle), bundle, now())
            .unwrap(),
        Inserted::New
    );
    assert_eq!(
        store
            .insert(&receipt, &content_of(bundle), bundle, now())
            .unwrap(),
        Inserted::AlreadyStored
    );
    assert_eq!(store.count().unwrap(), 1);
    drop(store);

    let store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.receipts().unwrap(), vec![receipt]);
    let stored = store.get(&receipt).unwrap().unwrap();
    assert_eq!(stored.bundle, bundle);
    assert!(stored.received_at.ends_with('Z'), "{}", stored.received_at);
    OffsetDateTime::parse(&stored.received_at, &Rfc3339).unwrap();
    assert!(store.get(&ReceiptId::of(b"other")).unwrap().is_none());
    let all: Vec<_> = store.submissions().unwrap().map(Result::unwrap).collect();
    assert_eq!(all, vec![stored]);
}

#[test]
fn the_layout_is_as_documented() {
    let (_dir, _path, store) = temp_store();
    let columns = |table: &str| -> Vec<String> {
        let mut statement = store
            .connection
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            ))
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        columns("submissions"),
        [
            "seq",
            "receipt",
            "received_at",
            "size",
            "collected_at",
            "bundle",
            "content"
        ]
    );
    assert_eq!(
        columns("deleted"),
        [
            "receipt",
            "received_at",
            "collected_at",
            "deleted_at",
            "content"
        ]
    );
    assert_eq!(columns("configs"), ["sha256", "first_served_at", "bytes"]);
    assert_eq!(columns("audit"), ["seq", "line"]);
    let secure_delete: i64 = store
        .connection
        .query_row("PRAGMA secure_delete", [], |row| row.get(0))
        .unwrap();
    assert_eq!(secure_delete, 1);
    let mode: String = store
        .connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let synchronous: i64 = store
        .connection
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap();
    assert_eq!(synchronous, 2, "FULL");
    assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_batch_is_one_commit_and_all_or_nothing() {
    let (_dir, _path, mut store) = temp_store();
    let bundles: Vec<Vec<u8>> = (0..5).map(|i| format!("bundle {i}").into_bytes()).collect();
    let receipts: Vec<ReceiptId> = bundles.iter().map(|b| ReceiptId::of(b)).collect();
    let contents: Vec<ContentId> = bundles.iter().map(|b| content_of(b)).collect();
    let mut batch: Vec<NewSubmission<'_>> = bundles
        .iter()
        .zip(receipts.iter().zip(&contents))
        .map(|(bundle, (receipt, content))| NewSubmission {
            receipt,
            content,
            bundle,
            received_at: now(),
        })
        .collect();
    batch.push(batch[0]);
    let results = store.insert_all(&batch).unwrap();
    assert_eq!(results[..5], [Inserted::New; 5]);
    assert_eq!(results[5], Inserted::AlreadyStored);
    assert_eq!(store.count().unwrap(), 5);

    // One bad entry: nothing of the batch is stored.
    let fresh = b"fresh".as_slice();
    let fresh_receipt = ReceiptId::of(fresh);
    let wrong = ReceiptId::of(b"not these bytes");
    let content = content_of(fresh);
    let error = store
        .insert_all(&[
            NewSubmission {
                receipt: &fresh_receipt,
                content: &content,
                bundle: fresh,
                received_at: now(),
            },
            NewSubmission {
                receipt: &wrong,
                content: &content,
                bundle: fresh,
                received_at: now(),
            },
        ])
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ReceiptMismatch { .. }),
        "{error}"
    );
    assert_eq!(store.count().unwrap(), 5);
}

#[test]
fn a_store_of_the_first_layout_is_migrated_with_its_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealform.db");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(migrate::LAYOUT_1).unwrap();
    old.pragma_update(None, "user_version", 1).unwrap();
    let bundles = [b"second".as_slice(), b"first".as_slice()];
    for (bundle, at) in bundles
        .iter()
        .zip(["2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z"])
    {
        old.execute(
            "INSERT INTO submissions (receipt, received_at, bundle) VALUES (?1, ?2, ?3)",
            params![ReceiptId::of(bundle).full(), at, bundle],
        )
        .unwrap();
    }
    drop(old);
    let error = Store::open_read_only(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::OlderVersion { found: 1, .. }),
        "{error}"
    );
    let store = Store::open(&path).unwrap();
    assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
    let listed = store.inbox(0, 10, true).unwrap();
    let receipts: Vec<_> = listed.items.iter().map(|item| item.receipt).collect();
    assert_eq!(
        receipts,
        [ReceiptId::of(b"first"), ReceiptId::of(b"second")],
        "arrival order kept"
    );
    assert_eq!(listed.items[0].size, 5);
    assert_eq!(
        store.get(&ReceiptId::of(b"first")).unwrap().unwrap().bundle,
        b"first"
    );
}

#[test]
fn a_newer_store_is_refused_by_name() {
    let (_dir, path, store) = temp_store();
    store
        .connection
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(store);
    for error in [
        Store::open(&path).unwrap_err(),
        Store::open_read_only(&path).unwrap_err(),
    ] {
        assert!(
            matches!(error, StoreError::NewerVersion { found, .. } if found == SCHEMA_VERSION + 1),
            "{error}"
        );
        assert!(error.to_string().contains("newer sealform"), "{error}");
    }
}

#[test]
fn other_files_are_not_stores() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "x".repeat(4096)).unwrap();
    let error = Store::open(&text).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");

    let missing = dir.path().join("missing.db");
    let error = Store::open_read_only(&missing).unwrap_err();
    assert!(matches!(error, StoreError::Missing { .. }), "{error}");
    assert!(!missing.exists(), "reading never creates a store");

    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute("CREATE TABLE submissions (x)", [])
        .unwrap();
    let error = Store::open(&other).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
}

#[test]
fn a_held_write_lock_is_named() {
    let (_dir, path, mut store) = temp_store();
    let other = Connection::open(&path).unwrap();
    other.busy_timeout(Duration::ZERO).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Shorten the wait: the lock is never released during this test.
    store
        .connection
        .busy_timeout(Duration::from_millis(50))
        .unwrap();
    let bundle = b"x".as_slice();
    let error = store
        .insert(&ReceiptId::of(bundle), &content_of(bundle), bundle, now())
        .unwrap_err();
    assert!(matches!(error, StoreError::Locked { .. }), "{error}");
    assert!(error.is_transient());
    assert!(
        error.to_string().contains("locked by another process"),
        "{error}"
    );
    assert!(store.check_writable().is_err());
    other.execute_batch("ROLLBACK").unwrap();
    store.check_writable().unwrap();
}

#[test]
fn readers_see_commits_while_the_writer_works() {
    let (_dir, path, mut store) = temp_store();
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.count().unwrap(), 0);
    let bundle = b"y".as_slice();
    store
        .insert(&ReceiptId::of(bundle), &content_of(bundle), bundle, now())
        .unwrap();
    assert_eq!(reader.count().unwrap(), 1);
}

#[test]
fn a_new_store_and_its_wal_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_dir, path, mut store) = temp_store();
    let bundle = b"private".as_slice();
    store
        .insert(&ReceiptId::of(bundle), &content_of(bundle), bundle, now())
        .unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
    }
}

#[test]
fn missing_folders_are_created_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("receiver");
    let path = parent.join("data").join("sealform.db");
    Store::open(&path).unwrap();
    for folder in [&parent, &parent.join("data")] {
        let mode = std::fs::metadata(folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is {mode:o}", folder.display());
    }
    // A folder that was there already keeps its mode.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o750)).unwrap();
    Store::open(&shared.join("sealform.db")).unwrap();
    let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o750);
}

#[test]
fn an_unwritable_folder_is_named() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("ro");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    let result = Store::open(&locked.join("sealform.db"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    // Root ignores permissions; then there is nothing to check.
    if let Err(error) = result {
        assert!(
            matches!(
                error,
                StoreError::CannotOpen { .. } | StoreError::ReadOnly { .. }
            ),
            "{error}"
        );
    }
}
