//! The PostgreSQL store's layouts, one migration per version, kept in the table `sealform_layout`. Migrating runs
//! in one transaction under an advisory lock: receivers starting together take turns, and the second finds the
//! work done.

use tokio_postgres::GenericClient;

use super::{failed, Connection};
use crate::StoreError;

/// The advisory lock held while the layout is checked and migrated ("sealform" in ASCII).
const MIGRATE_LOCK: i64 = i64::from_be_bytes(*b"sealform");

/// Migration `i` takes a store from layout version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[LAYOUT_1, LAYOUT_2];

/// The version of the PostgreSQL layout this crate writes, kept in the table `sealform_layout`.
pub const POSTGRES_SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// 1: what SQLite's layout 3 holds, in PostgreSQL's types: times as `timestamptz`, bundles as `bytea`, the arrival
/// order an identity column. The audit trail refuses to be changed, removed or truncated.
const LAYOUT_1: &str = "
    CREATE TABLE sealform_layout (version integer NOT NULL);
    INSERT INTO sealform_layout (version) VALUES (0);
    CREATE TABLE submissions (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        receipt      text NOT NULL UNIQUE,
        received_at  timestamptz NOT NULL,
        size         bigint NOT NULL,
        collected_at timestamptz,
        bundle       bytea NOT NULL,
        content      text UNIQUE
    );
    CREATE INDEX submissions_uncollected ON submissions (seq) WHERE collected_at IS NULL;
    CREATE INDEX submissions_collected ON submissions (collected_at) WHERE collected_at IS NOT NULL;
    CREATE TABLE deleted (
        receipt      text PRIMARY KEY,
        received_at  timestamptz NOT NULL,
        collected_at timestamptz NOT NULL,
        deleted_at   timestamptz NOT NULL,
        content      text UNIQUE
    );
    CREATE TABLE configs (
        sha256          text PRIMARY KEY,
        first_served_at timestamptz NOT NULL,
        bytes           bytea NOT NULL
    );
    CREATE TABLE audit (
        seq  bigint PRIMARY KEY,
        line text NOT NULL
    );
    CREATE FUNCTION sealform_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
    CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION sealform_audit_append_only();
    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION sealform_audit_append_only();";

/// 2: saved drafts, as SQLite's layout 4 has them.
const LAYOUT_2: &str = "
    CREATE TABLE drafts (
        id            text PRIMARY KEY,
        secret_sha256 bytea NOT NULL,
        saved_at      timestamptz NOT NULL,
        expires_at    timestamptz NOT NULL,
        draft         bytea NOT NULL
    );
    CREATE INDEX drafts_expiry ON drafts (expires_at);";

/// Creates the layout in an empty database or brings an older one up to date; refuses a newer one, and a
/// database that holds some other program's `submissions`.
pub(crate) async fn run(connection: &mut Connection, url: &str) -> Result<(), StoreError> {
    let transaction = connection.transaction().await.map_err(|e| failed(url, e))?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .await
        .map_err(|e| failed(url, e))?;
    let found = version(&*transaction, url).await?;
    if found > POSTGRES_SCHEMA_VERSION {
        return Err(newer(url, found));
    }
    for migration in MIGRATIONS
        .iter()
        .skip(usize::try_from(found).unwrap_or(usize::MAX))
    {
        transaction
            .batch_execute(migration)
            .await
            .map_err(|e| failed(url, e))?;
    }
    transaction
        .execute(
            "UPDATE sealform_layout SET version = $1",
            &[&POSTGRES_SCHEMA_VERSION],
        )
        .await
        .map_err(|e| failed(url, e))?;
    transaction.commit().await.map_err(|e| failed(url, e))
}

/// Checks, without changing anything, that the store is at this crate's layout.
pub(crate) async fn check(client: &impl GenericClient, url: &str) -> Result<(), StoreError> {
    match version(client, url).await? {
        POSTGRES_SCHEMA_VERSION => Ok(()),
        0 => Err(StoreError::NotAStore {
            path: url.into(),
            detail: "it holds no sealform store yet: `sealform serve --store` creates it on its first start".into(),
        }),
        found if found < POSTGRES_SCHEMA_VERSION => Err(StoreError::OlderVersion {
            path: url.into(),
            found: found.into(),
            reads: POSTGRES_SCHEMA_VERSION.into(),
        }),
        found => Err(newer(url, found)),
    }
}

/// The layout version: 0 for a database without sealform's tables.
async fn version(client: &impl GenericClient, url: &str) -> Result<i32, StoreError> {
    let row = client
        .query_one(
            "SELECT to_regclass('sealform_layout') IS NOT NULL, to_regclass('submissions') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| failed(url, e))?;
    let (layout, submissions): (bool, bool) = (row.get(0), row.get(1));
    if layout {
        let row = client
            .query_one("SELECT max(version) FROM sealform_layout", &[])
            .await
            .map_err(|e| failed(url, e))?;
        Ok(row.get::<_, Option<i32>>(0).unwrap_or_default())
    } else if submissions {
        Err(StoreError::NotAStore {
            path: url.into(),
            detail: "it has a submissions table but no sealform_layout table: give sealform a database of its own"
                .into(),
        })
    } else {
        Ok(0)
    }
}

fn newer(url: &str, found: i32) -> StoreError {
    StoreError::NewerVersion {
        path: url.into(),
        found: found.into(),
        reads: POSTGRES_SCHEMA_VERSION.into(),
    }
}
