//! What only the PostgreSQL store does: receivers starting together on one database, its layout version, and how
//! each way of failing to reach or use the server is named. Against a throwaway cluster, like `suite.rs`.

#[cfg(test)]
mod checks {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use sealform_pgcluster::Cluster;
    use sealform_store::{Location, StoreError, POSTGRES_SCHEMA_VERSION};

    /// A fresh database and its location (password from the cluster's password file).
    fn database() -> (String, Location) {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let cluster = Cluster::shared().expect("a throwaway PostgreSQL cluster");
        let url = cluster
            .create_database(&format!("only_{}", NEXT.fetch_add(1, Ordering::Relaxed)))
            .expect("createdb");
        let location = Location::from_arg(url.as_ref())
            .and_then(|l| l.with_password_file(Some(cluster.password_file().into())))
            .expect("a store URL");
        (url, location)
    }

    /// A direct connection, to change what sealform would never change.
    async fn raw(url: &str) -> tokio_postgres::Client {
        let cluster = Cluster::shared().expect("cluster");
        let password = std::fs::read_to_string(cluster.password_file()).expect("password");
        let mut config: tokio_postgres::Config = url.parse().expect("url");
        config.password(password);
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        client
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn receivers_starting_together_make_the_layout_once() {
        let (url, location) = database();
        let opens = (0..4).map(|_| {
            let location = location.clone();
            tokio::spawn(async move { sealform_store::open(&location).await })
        });
        for open in opens {
            open.await.expect("joined").expect("every receiver starts");
        }
        let version: i32 = raw(&url)
            .await
            .query_one("SELECT version FROM sealform_layout", &[])
            .await
            .expect("one row")
            .get(0);
        assert_eq!(version, POSTGRES_SCHEMA_VERSION);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_newer_layout_an_empty_database_and_a_foreign_one_are_refused_by_name() {
        let (url, location) = database();
        let error = sealform_store::open_read_only(&location).await.unwrap_err();
        assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
        assert!(error.to_string().contains("sealform serve"), "{error}");

        drop(sealform_store::open(&location).await.expect("created"));
        raw(&url)
            .await
            .execute("UPDATE sealform_layout SET version = version + 1", &[])
            .await
            .expect("bumped");
        for error in [
            sealform_store::open(&location).await.unwrap_err(),
            sealform_store::open_read_only(&location).await.unwrap_err(),
        ] {
            assert!(
                matches!(error, StoreError::NewerVersion { found, .. } if found == i64::from(POSTGRES_SCHEMA_VERSION) + 1),
                "{error}"
            );
        }

        let (url, location) = database();
        raw(&url)
            .await
            .batch_execute("CREATE TABLE submissions (x int)")
            .await
            .expect("a foreign table");
        let error = sealform_store::open(&location).await.unwrap_err();
        assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reader_cannot_write() {
        let (_url, location) = database();
        drop(sealform_store::open(&location).await.expect("created"));
        let reader = sealform_store::open_read_only(&location)
            .await
            .expect("opens");
        assert!(reader.check_writable().await.is_err());
        let error = reader
            .record_config(b"{}".to_vec(), time::OffsetDateTime::now_utc())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("read-only"), "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wrong_password_and_a_server_that_is_not_there_are_named() {
        let (url, _) = database();
        let dir = tempfile::tempdir().expect("temp dir");
        let wrong = dir.path().join("wrong.pw");
        std::fs::write(&wrong, "not the password\n").expect("write");
        let location = Location::from_arg(url.as_ref())
            .and_then(|l| l.with_password_file(Some(wrong)))
            .expect("a store URL");
        let error = sealform_store::open(&location).await.unwrap_err();
        assert!(matches!(error, StoreError::Refused { .. }), "{error}");
        assert!(!error.is_transient());
        assert!(!error.to_string().contains("not the password"), "{error}");

        // TLS asked for is never given up for plain text (this server has none).
        let location =
            Location::from_arg(url.replace("sslmode=disable", "sslmode=require").as_ref())
                .and_then(|l| {
                    l.with_password_file(Some(
                        Cluster::shared().expect("cluster").password_file().into(),
                    ))
                })
                .expect("a store URL");
        let error = sealform_store::open(&location).await.unwrap_err();
        eprintln!("sslmode=require: {error}");
        assert!(matches!(error, StoreError::Unreachable { .. }), "{error}");

        // Nothing listens on this port (it was just free).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let nowhere = format!("postgres://sealform@127.0.0.1:{port}/x?sslmode=disable");
        let location = Location::from_arg(nowhere.as_ref()).expect("a store URL");
        let error = sealform_store::open(&location).await.unwrap_err();
        assert!(matches!(error, StoreError::Unreachable { .. }), "{error}");
        assert!(error.is_transient());
    }
}
