//! The pickup API's request bodies, parsed as the receiver's extractors parse them: the `GET /api/inbox` query
//! string (as `application/x-www-form-urlencoded`, axum's `Query`) and the `POST /api/inbox/ack` body (JSON,
//! axum's `Json`). Never a panic, and what reads as a query or a body writes out and reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealform_core::protocol::pickup::{AckRequest, InboxQuery};

fuzz_target!(|input: &[u8]| {
    if let Ok(query) = serde_urlencoded::from_bytes::<InboxQuery>(input) {
        let written = serde_urlencoded::to_string(&query).expect("a query writes out");
        let reread: InboxQuery =
            serde_urlencoded::from_str(&written).expect("a written query reads back");
        assert_eq!(reread, query);
    }
    if let Ok(ack) = serde_json::from_slice::<AckRequest>(input) {
        let written = serde_json::to_vec(&ack).expect("a body writes out");
        let reread: AckRequest =
            serde_json::from_slice(&written).expect("a written body reads back");
        assert_eq!(reread, ack);
    }
});
