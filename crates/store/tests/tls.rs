//! TLS to PostgreSQL, against a throwaway cluster of its own that speaks it (a binary of its own, since it sets
//! `SSL_CERT_FILE` for the whole process): `sslmode=require` gets a verified connection when the server's CA is
//! trusted, and nothing when it is not.

#[cfg(test)]
mod checks {
    use sealform_pgcluster::Cluster;
    use sealform_store::{Location, StoreError};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_required_tls_connection_checks_the_servers_certificate() {
        let cluster = Cluster::start_with_tls().expect("a throwaway PostgreSQL cluster with TLS");
        let url = cluster
            .create_database("tls")
            .expect("createdb")
            .replace("sslmode=disable", "sslmode=require");
        let location = Location::from_arg(url.as_ref())
            .and_then(|l| l.with_password_file(Some(cluster.password_file().into())))
            .expect("a store URL");

        // A CA nobody told sealform to trust: refused, not spoken to anyway.
        let untrusted = tempfile::tempdir().expect("temp dir");
        let other_ca = untrusted.path().join("other.crt");
        std::fs::write(&other_ca, "").expect("write");
        std::env::set_var("SSL_CERT_FILE", &other_ca);
        let error = sealform_store::open(&location).await.unwrap_err();
        assert!(matches!(error, StoreError::Unreachable { .. }), "{error}");
        assert!(error.to_string().contains("certificate"), "{error}");

        std::env::set_var("SSL_CERT_FILE", cluster.ca_file());
        let store = sealform_store::open(&location)
            .await
            .expect("a verified TLS connection");
        store.check_writable().await.expect("writable over TLS");
        let served = store
            .record_config(b"{}".to_vec(), time::OffsetDateTime::now_utc())
            .await
            .expect("stored over TLS");
        assert_eq!(
            store.served_config(served).await.expect("read over TLS"),
            Some(b"{}".to_vec())
        );
    }
}
