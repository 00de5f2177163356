//! The store's layouts, one migration per version: a new store runs them all, an older one the ones it lacks, in
//! one write transaction with the version bump, so a store is always wholly at one version.

use std::collections::HashSet;

use rusqlite::{params, Transaction};
use sealform_core::bundle;

/// One migration: a script, or a script and code (what SQL cannot compute).
pub(crate) type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// Migration `i` takes a store from layout version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[Migration] = &[
    |transaction| transaction.execute_batch(LAYOUT_1),
    |transaction| transaction.execute_batch(LAYOUT_2),
    content_ids,
    |transaction| transaction.execute_batch(LAYOUT_4),
];

/// 1: the submissions, by receipt.
pub(crate) const LAYOUT_1: &str = "CREATE TABLE submissions (
        receipt     TEXT PRIMARY KEY NOT NULL,
        received_at TEXT NOT NULL,
        bundle      BLOB NOT NULL
    ) STRICT;";

// 2: pickup. An arrival sequence (the inbox cursor; AUTOINCREMENT so a deleted bundle's number is never
// given to a later one, which a firm's saved cursor would then skip), sizes, collection, deletion, the configs
// served, and the audit trail.
pub(crate) const LAYOUT_2: &str = "CREATE TABLE submissions_v2 (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        receipt      TEXT NOT NULL UNIQUE,
        received_at  TEXT NOT NULL,
        size         INTEGER NOT NULL,
        collected_at TEXT,
        bundle       BLOB NOT NULL
    ) STRICT;
    INSERT INTO submissions_v2 (receipt, received_at, size, bundle)
        SELECT receipt, received_at, length(bundle), bundle FROM submissions ORDER BY received_at, receipt;
    DROP TABLE submissions;
    ALTER TABLE submissions_v2 RENAME TO submissions;
    CREATE INDEX submissions_uncollected ON submissions (seq) WHERE collected_at IS NULL;
    CREATE INDEX submissions_collected ON submissions (collected_at) WHERE collected_at IS NOT NULL;
    CREATE TABLE deleted (
        receipt      TEXT PRIMARY KEY NOT NULL,
        received_at  TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        deleted_at   TEXT NOT NULL
    ) STRICT;
    CREATE TABLE configs (
        sha256          TEXT PRIMARY KEY NOT NULL,
        first_served_at TEXT NOT NULL,
        bytes           BLOB NOT NULL
    ) STRICT;
    CREATE TABLE audit (
        seq  INTEGER PRIMARY KEY NOT NULL,
        line TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

/// 3: each sealing's [`ContentId`](bundle::ContentId), unique, so the same sealed submission written out as other
/// bytes (another receipt) is stored once, and not again after its deletion. A tombstone from before this layout
/// has no bundle left to compute it from, so it keeps NULL (SQLite's UNIQUE allows many) and still matches its
/// exact bytes.
fn content_ids(transaction: &Transaction<'_>) -> rusqlite::Result<()> {
    transaction.execute_batch(
        "ALTER TABLE submissions ADD COLUMN content TEXT;
         ALTER TABLE deleted ADD COLUMN content TEXT;",
    )?;
    // One bundle in memory at a time: a store may hold gigabytes.
    let seqs: Vec<i64> = {
        let mut statement = transaction.prepare("SELECT seq FROM submissions ORDER BY seq")?;
        let seqs = statement.query_map([], |row| row.get(0))?;
        seqs.collect::<Result<_, _>>()?
    };
    let mut seen = HashSet::new();
    for seq in seqs {
        let bytes: Vec<u8> = transaction.query_row(
            "SELECT bundle FROM submissions WHERE seq = ?1",
            [seq],
            |row| row.get(0),
        )?;
        // Only what the receiver's checks accepted is stored, so every row parses; a row that does not (a store
        // written by hand) keeps NULL. A later copy of a sealing already seen keeps NULL too: it stays, under its
        // own receipt, and `sealform open` warns about the repeated submission id.
        let Ok(inspection) = bundle::inspect(&bytes) else {
            continue;
        };
        if seen.insert(inspection.content) {
            transaction.execute(
                "UPDATE submissions SET content = ?1 WHERE seq = ?2",
                params![inspection.content.to_string(), seq],
            )?;
        }
    }
    transaction.execute_batch(
        "CREATE UNIQUE INDEX submissions_content ON submissions (content);
         CREATE UNIQUE INDEX deleted_content ON deleted (content);",
    )
}

/// 4: saved drafts (`crate::drafts`), apart from submissions; the expiry in seconds since 1970, so it compares as
/// time does.
pub(crate) const LAYOUT_4: &str = "CREATE TABLE drafts (
        id            TEXT PRIMARY KEY NOT NULL,
        secret_sha256 BLOB NOT NULL,
        saved_at      TEXT NOT NULL,
        expires_at    INTEGER NOT NULL,
        draft         BLOB NOT NULL
    ) STRICT;
    CREATE INDEX drafts_expiry ON drafts (expires_at);";

/// Runs the migrations from layout `from` to the newest, and records the new version.
pub(crate) fn run(transaction: &Transaction<'_>, from: i64) -> rusqlite::Result<()> {
    let from = usize::try_from(from).unwrap_or(usize::MAX);
    for migration in MIGRATIONS.iter().skip(from) {
        migration(transaction)?;
    }
    transaction.pragma_update(None, "user_version", MIGRATIONS.len() as i64)
}
