//! The in-flight body budget: how many bytes of request bodies the receiver holds at once, across all uploads. A
//! body is counted from before its first byte is read until the last copy of it is dropped (after it is stored).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;

/// The budget shared by every upload.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: u64,
    used: AtomicU64,
}

/// Bytes taken from the budget, given back when dropped.
#[derive(Debug)]
pub(crate) struct Reserved {
    budget: Arc<Budget>,
    bytes: u64,
}

impl Budget {
    pub(crate) fn new(limit: u64) -> Arc<Self> {
        Arc::new(Self {
            limit,
            used: AtomicU64::new(0),
        })
    }

    /// Takes `bytes` from the budget, if that many are left.
    pub(crate) fn reserve(self: &Arc<Self>, bytes: u64) -> Option<Reserved> {
        self.take(bytes).then(|| Reserved {
            budget: Arc::clone(self),
            bytes,
        })
    }

    fn take(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    /// Bytes held now.
    #[cfg(test)]
    fn used(&self) -> u64 {
        self.used.load(Ordering::Acquire)
    }
}

impl Reserved {
    /// Makes the reservation at least `total` bytes, taking more if need be; false (and nothing taken) if the
    /// budget has not that many left.
    pub(crate) fn cover(&mut self, total: u64) -> bool {
        let more = total.saturating_sub(self.bytes);
        if more == 0 {
            return true;
        }
        let taken = self.budget.take(more);
        if taken {
            self.bytes += more;
        }
        taken
    }

    /// `body` as `Bytes` that hold this reservation until their last clone is dropped: the budget counts the body
    /// for as long as it is in memory, wherever it goes (the bundle check, the writer's queue).
    pub(crate) fn hold(self, body: Vec<u8>) -> Bytes {
        Bytes::from_owner(Held {
            body,
            _reserved: self,
        })
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// A body and its reservation, as the owner of a `Bytes`.
struct Held {
    body: Vec<u8>,
    _reserved: Reserved,
}

impl AsRef<[u8]> for Held {
    fn as_ref(&self) -> &[u8] {
        &self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_given_back_when_the_body_is_gone() {
        let budget = Budget::new(100);
        let mut first = budget.reserve(60).unwrap();
        assert!(budget.reserve(41).is_none());
        assert!(first.cover(50), "already covered");
        assert!(!first.cover(101));
        assert!(first.cover(100));
        assert_eq!(budget.used(), 100);
        let bytes = first.hold(vec![1; 100]);
        let copy = bytes.clone();
        drop(bytes);
        assert_eq!(budget.used(), 100, "a clone still holds it");
        drop(copy);
        assert_eq!(budget.used(), 0);
        assert!(budget.reserve(100).is_some());
        assert_eq!(budget.used(), 0);
    }
}
