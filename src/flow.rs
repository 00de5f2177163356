//! Where a send is in its life — filling in, sealing, sending, sent, not sent, blocked — as a plain type with its
//! transitions: the view renders it and calls them, and nothing here touches the browser, so every step is tested
//! natively.

use std::sync::Arc;

use sealform_core::bundle::ReceiptId;
use sealform_core::i18n::Texts;

use crate::send::SendOutcome;

/// Where the form is in its life. `B` is the sealed bundle (the browser's bytes in the page; anything in tests).
#[derive(Debug)]
pub enum Phase<B> {
    /// The client is filling it in.
    Filling,
    /// Sealing: parts done of total.
    Sealing {
        /// Parts sealed so far.
        done: usize,
        /// Parts to seal.
        total: usize,
    },
    /// Sending, on this try (counted from 1).
    Sending {
        /// The try, from 1.
        attempt: usize,
    },
    /// Stored by the firm's server.
    Sent(Receipt),
    /// Sealed but not stored: the bundle is kept so it can be sent again or downloaded.
    NotSent {
        /// The bundle and its receipt id.
        sealed: Arc<SealedCopy<B>>,
        /// Why it was not stored.
        problem: Problem,
    },
    /// Not sealed at all: the client is told why and how to reach the firm; the answers stay.
    Blocked(NotSealed),
}

/// Why a form was not sealed. The view says it in the client's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotSealed {
    /// The honeypot was filled, so this is taken for a bot.
    Honeypot,
    /// The browser could not seal the answers.
    SealingFailed,
}

// By hand: the bundle is shared, not copied, so `B` need not be `Clone`.
impl<B> Clone for Phase<B> {
    fn clone(&self) -> Self {
        match self {
            Self::Filling => Self::Filling,
            Self::Sealing { done, total } => Self::Sealing {
                done: *done,
                total: *total,
            },
            Self::Sending { attempt } => Self::Sending { attempt: *attempt },
            Self::Sent(receipt) => Self::Sent(receipt.clone()),
            Self::NotSent { sealed, problem } => Self::NotSent {
                sealed: Arc::clone(sealed),
                problem: problem.clone(),
            },
            Self::Blocked(why) => Self::Blocked(*why),
        }
    }
}

/// A sealed bundle that was not stored, and its receipt id: kept so it can be sent again or downloaded.
#[derive(Debug)]
pub struct SealedCopy<B> {
    /// The sealed bytes.
    pub bundle: B,
    /// Its SHA-256, which the receiver's answer must name.
    pub receipt: ReceiptId,
}

/// Why a sealed form was not stored. The view says it in the client's language (all but the receiver's own
/// message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The server could not be reached after every retry.
    Unreachable,
    /// The server refused it: its HTTP status, and its message when it gave one.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The receiver's own message.
        message: Option<String>,
    },
    /// The receiver's receipt is not the SHA-256 of what was sent.
    ReceiptMismatch,
}

/// What the client keeps after sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The short reference.
    pub short: String,
    /// The full receipt id (hex SHA-256).
    pub full: String,
    /// When, RFC 3339 (for the downloaded receipt).
    pub at: String,
    /// When, as the client reads it.
    pub shown_at: String,
    /// The firm's name.
    pub firm: String,
}

impl Receipt {
    /// The receipt as the text file the client downloads, in the language of `texts`.
    pub fn text(&self, texts: &Texts) -> String {
        let text = texts.format(
            "receipt-file",
            &[
                ("firm", (&self.firm).into()),
                ("short", (&self.short).into()),
                ("full", (&self.full).into()),
                ("at", (&self.at).into()),
                ("shown-at", (&self.shown_at).into()),
            ],
        );
        // A catalogue's message cannot end in a line break, and a text file should.
        text + "\n"
    }
}

/// When a send was stored: RFC 3339 and as the client reads it. Taken only once the send is known to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAt {
    /// RFC 3339.
    pub at: String,
    /// As the client reads it.
    pub shown_at: String,
}

impl<B> Phase<B> {
    /// Whether pressing "Send securely" starts a send: not while one is under way or after it was stored.
    pub fn can_submit(&self) -> bool {
        matches!(
            self,
            Self::Filling | Self::NotSent { .. } | Self::Blocked(_)
        )
    }

    /// Whether sealing or sending is under way (the send button is disabled).
    pub fn busy(&self) -> bool {
        matches!(self, Self::Sealing { .. } | Self::Sending { .. })
    }

    /// Whether leaving the page would lose a bundle not yet stored (the unload guard warns).
    pub fn unsent_bundle(&self) -> bool {
        matches!(
            self,
            Self::NotSent { .. } | Self::Sealing { .. } | Self::Sending { .. }
        )
    }

    /// The bundle kept after a failed send, to send again or download.
    pub fn sealed(&self) -> Option<Arc<SealedCopy<B>>> {
        match self {
            Self::NotSent { sealed, .. } => Some(Arc::clone(sealed)),
            _ => None,
        }
    }

    /// The receipt, once stored.
    pub fn receipt(&self) -> Option<&Receipt> {
        match self {
            Self::Sent(receipt) => Some(receipt),
            _ => None,
        }
    }

    /// The honeypot was filled: nothing is sealed.
    pub fn honeypot_filled() -> Self {
        Self::Blocked(NotSealed::Honeypot)
    }

    /// Sealing has done `done` parts of `total`.
    pub fn sealing(done: usize, total: usize) -> Self {
        Self::Sealing { done, total }
    }

    /// The browser could not seal the answers; they stay.
    pub fn sealing_failed() -> Self {
        Self::Blocked(NotSealed::SealingFailed)
    }

    /// The first try of a send.
    pub fn sending() -> Self {
        Self::Sending { attempt: 1 }
    }

    /// Retry number `retry` (from 1), after a network error or a server error.
    pub fn retrying(retry: usize) -> Self {
        Self::Sending { attempt: retry + 1 }
    }

    /// How a send of `sealed` ended. Stored with the receipt of what was sent: `Sent`, with `firm`'s name and the
    /// time `now()` gives (the page then tells the embedder and forgets the answers). Anything else: `NotSent`, the
    /// bundle kept to send again or download.
    pub fn settled(
        outcome: SendOutcome,
        sealed: Arc<SealedCopy<B>>,
        firm: String,
        now: impl FnOnce() -> SentAt,
    ) -> Self {
        let problem = match outcome {
            SendOutcome::Stored { receipt } if receipt == sealed.receipt.full() => {
                let SentAt { at, shown_at } = now();
                return Self::Sent(Receipt {
                    short: sealed.receipt.short(),
                    full: receipt,
                    at,
                    shown_at,
                    firm,
                });
            }
            SendOutcome::Stored { receipt } => {
                leptos::logging::error!(
                    "sealform: the server's receipt {receipt} is not the SHA-256 of what was sent ({})",
                    sealed.receipt.full()
                );
                Problem::ReceiptMismatch
            }
            SendOutcome::Refused { message, status } => {
                leptos::logging::error!("sealform: the server refused the form ({status})");
                Problem::Refused { status, message }
            }
            SendOutcome::Unreachable { detail } => {
                leptos::logging::warn!("sealform: could not send: {detail}");
                Problem::Unreachable
            }
        };
        Self::NotSent { sealed, problem }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::Sha256Digest;

    type TestPhase = Phase<&'static [u8]>;

    const BUNDLE: &[u8] = b"sealed bytes";

    fn sealed() -> Arc<SealedCopy<&'static [u8]>> {
        Arc::new(SealedCopy {
            bundle: BUNDLE,
            receipt: ReceiptId::of(BUNDLE),
        })
    }

    fn now() -> SentAt {
        SentAt {
            at: "2026-11-23T10:00:00Z".into(),
            shown_at: "23 November 2026 at 10:00".into(),
        }
    }

    /// A phase that has sealed and is on its first try.
    fn sending() -> TestPhase {
        assert!(TestPhase::Filling.can_submit());
        let phase = TestPhase::sealing(2, 2);
        assert!(matches!(phase, Phase::Sealing { done: 2, total: 2 }));
        assert!(phase.busy() && !phase.can_submit() && phase.unsent_bundle());
        let phase = TestPhase::sending();
        assert!(matches!(phase, Phase::Sending { attempt: 1 }));
        assert!(phase.busy() && !phase.can_submit() && phase.unsent_bundle());
        phase
    }

    fn settle(phase: &mut TestPhase, outcome: SendOutcome) -> Option<Receipt> {
        *phase = Phase::settled(outcome, sealed(), "Example LLP".into(), now);
        phase.receipt().cloned()
    }

    #[test]
    fn a_stored_send_with_the_right_receipt_is_sent() {
        let mut phase = sending();
        let full = ReceiptId::of(BUNDLE).full();
        let receipt = settle(
            &mut phase,
            SendOutcome::Stored {
                receipt: full.clone(),
            },
        )
        .expect("stored");
        assert_eq!(receipt.full, full);
        assert_eq!(receipt.short, ReceiptId::of(BUNDLE).short());
        assert_eq!(receipt.firm, "Example LLP");
        assert_eq!(receipt.at, now().at);
        assert_eq!(phase.receipt(), Some(&receipt));
        assert!(!phase.can_submit() && !phase.busy() && !phase.unsent_bundle());
        assert!(phase.sealed().is_none());
        let text = receipt.text(sealform_core::i18n::texts("en"));
        assert!(
            text.contains(&full) && text.ends_with("this form.\n"),
            "{text}"
        );
    }

    #[test]
    fn a_receipt_for_other_bytes_is_not_sent_and_keeps_the_bundle() {
        let other = ReceiptId::from_digest(Sha256Digest::of(b"other")).full();
        let mut asked_the_time = false;
        let phase = TestPhase::settled(
            SendOutcome::Stored { receipt: other },
            sealed(),
            "Example LLP".into(),
            || {
                asked_the_time = true;
                now()
            },
        );
        assert!(phase.receipt().is_none());
        assert!(!asked_the_time, "the time is taken only for a stored send");
        let Phase::NotSent { problem, sealed } = &phase else {
            panic!("{phase:?}");
        };
        assert_eq!(problem, &Problem::ReceiptMismatch);
        assert_eq!(sealed.bundle, BUNDLE);
        assert!(phase.can_submit() && phase.unsent_bundle());
    }

    #[test]
    fn a_refusal_shows_the_receivers_message() {
        let mut phase = sending();
        let outcome = SendOutcome::Refused {
            status: 413,
            message: Some("The form is too large.".into()),
        };
        assert!(settle(&mut phase, outcome).is_none());
        assert!(matches!(
            &phase,
            Phase::NotSent { problem: Problem::Refused { status: 413, message: Some(m) }, .. }
                if m == "The form is too large."
        ));
        assert!(phase.sealed().is_some());
    }

    #[test]
    fn server_errors_retry_then_offer_the_sealed_copy() {
        let mut phase = sending();
        for retry in 1..=3 {
            phase = TestPhase::retrying(retry);
            assert!(matches!(phase, Phase::Sending { attempt } if attempt == retry + 1));
            assert!(phase.busy());
        }
        let outcome = SendOutcome::Unreachable {
            detail: "the server answered 503".into(),
        };
        assert!(settle(&mut phase, outcome).is_none());
        assert!(matches!(
            phase,
            Phase::NotSent {
                problem: Problem::Unreachable,
                ..
            }
        ));
    }

    #[test]
    fn offline_keeps_the_bundle_to_send_again_and_a_retry_can_store_it() {
        let mut phase = sending();
        let outcome = SendOutcome::Unreachable {
            detail: "network error".into(),
        };
        assert!(settle(&mut phase, outcome).is_none());
        let kept = phase.sealed().expect("kept");
        assert_eq!(kept.bundle, BUNDLE);
        assert!(phase.can_submit() && !phase.busy() && phase.unsent_bundle());
        assert!(TestPhase::sending().busy());
        let stored = SendOutcome::Stored {
            receipt: kept.receipt.full(),
        };
        phase = Phase::settled(stored, kept, "Example LLP".into(), now);
        assert!(matches!(phase, Phase::Sent(_)));
    }

    #[test]
    fn sealing_failed_blocks_but_lets_the_client_try_again() {
        let phase = TestPhase::sealing_failed();
        assert!(matches!(&phase, Phase::Blocked(NotSealed::SealingFailed)));
        assert!(phase.can_submit() && !phase.busy() && !phase.unsent_bundle());
        assert!(phase.sealed().is_none());
    }

    #[test]
    fn a_filled_honeypot_blocks_without_sealing() {
        let phase = TestPhase::honeypot_filled();
        assert!(matches!(&phase, Phase::Blocked(NotSealed::Honeypot)));
        assert!(phase.can_submit() && !phase.unsent_bundle());
    }
}
