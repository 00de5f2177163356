//! The store's layouts, one migration per version: a new store runs them all, an older one the ones it lacks, in
//! one write transaction with the version bump, so a store is always wholly at one version.

use rusqlite::Transaction;

/// Migration `i` takes a store from layout version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the submissions, by receipt.
    "CREATE TABLE submissions (
        receipt     TEXT PRIMARY KEY NOT NULL,
        received_at TEXT NOT NULL,
        bundle      BLOB NOT NULL
    ) STRICT;",
    // 2: pickup. An arrival sequence (the inbox cursor; AUTOINCREMENT so a deleted bundle's number is never
    // given to a later one, which a firm's saved cursor would then skip), sizes, collection, deletion, the configs
    // served, and the audit trail.
    "CREATE TABLE submissions_v2 (
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
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
];

/// Runs the migrations from layout `from` to the newest, and records the new version.
pub(crate) fn run(transaction: &Transaction<'_>, from: i64) -> rusqlite::Result<()> {
    let from = usize::try_from(from).unwrap_or(usize::MAX);
    for script in MIGRATIONS.iter().skip(from) {
        transaction.execute_batch(script)?;
    }
    transaction.pragma_update(None, "user_version", MIGRATIONS.len() as i64)
}
