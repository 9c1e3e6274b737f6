//! Faults tests can inject: the next N calls of an endpoint fail or slow down, webhooks are
//! dropped, duplicated or reordered. Kept in memory: a restart clears them.

use super::error::SimError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Limits on one fault and on how many wait at once: faults live in memory, and a latency
/// holds a request open.
pub const MAX_FAULT_COUNT: u32 = 1_000;
pub const MAX_LATENCY_MS: u64 = 60_000;
pub const MAX_PENDING_FAULTS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 500, `API_ERROR` / `INTERNAL_SERVER_ERROR`.
    ServerError,
    /// HTTP 429, `RATE_LIMIT_EXCEEDED`.
    RateLimit,
    /// The answer comes `latency_ms` late.
    Latency,
    /// HTTP 400, `INVALID_INPUT` / `INVALID_PRODUCT`: the client is not enabled for the
    /// endpoint's product (e.g. `recurring_transactions` for `/transactions/recurring/get`).
    InvalidProduct,
    /// A `/transactions/sync` page after the first of a pagination fails with
    /// `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`.
    MutationDuringPagination,
    /// Webhooks are not sent.
    WebhookDrop,
    /// Webhooks are sent twice.
    WebhookDuplicate,
    /// A webhook is held back and sent after the next one.
    WebhookReorder,
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Fault {
    /// A Plaid path such as `/transactions/sync`; ignored for webhook faults.
    #[serde(default)]
    pub endpoint: Option<String>,
    pub kind: FaultKind,
    /// How many calls (or webhooks) it affects.
    pub count: u32,
    #[serde(default)]
    pub latency_ms: Option<u64>,
}

#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    pub fn add(&self, fault: Fault) -> Result<(), SimError> {
        if fault.count > MAX_FAULT_COUNT {
            return Err(SimError::invalid_field(format!(
                "count must be at most {MAX_FAULT_COUNT}"
            )));
        }
        if fault.latency_ms.is_some_and(|ms| ms > MAX_LATENCY_MS) {
            return Err(SimError::invalid_field(format!(
                "latency_ms must be at most {MAX_LATENCY_MS}"
            )));
        }
        let mut faults = self.lock();
        if faults.len() >= MAX_PENDING_FAULTS {
            return Err(SimError::invalid_field(format!(
                "at most {MAX_PENDING_FAULTS} faults may wait at once; clear them first"
            )));
        }
        if fault.count > 0 {
            faults.push(fault);
        }
        Ok(())
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn pending(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    /// Uses up one occurrence of the first fault of `kinds` for `endpoint` (or any endpoint for
    /// webhook faults), returning it.
    pub fn take(&self, endpoint: Option<&str>, kinds: &[FaultKind]) -> Option<Fault> {
        let mut faults = self.lock();
        let index = faults.iter().position(|fault| {
            kinds.contains(&fault.kind)
                && (endpoint.is_none() || fault.endpoint.as_deref() == endpoint)
        })?;
        let fault = faults[index].clone();
        faults[index].count -= 1;
        if faults[index].count == 0 {
            faults.remove(index);
        }
        Some(fault)
    }

    pub fn latency(fault: &Fault) -> Duration {
        Duration::from_millis(fault.latency_ms.unwrap_or(1_000))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        // A panic while holding this lock cannot leave the list inconsistent.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_used_up_call_by_call() {
        let faults = Faults::default();
        faults
            .add(Fault {
                endpoint: Some("/transactions/sync".into()),
                kind: FaultKind::ServerError,
                count: 2,
                latency_ms: None,
            })
            .unwrap();
        let kinds = [FaultKind::ServerError, FaultKind::RateLimit];
        assert!(faults.take(Some("/accounts/get"), &kinds).is_none());
        assert!(faults.take(Some("/transactions/sync"), &kinds).is_some());
        assert!(faults.take(Some("/transactions/sync"), &kinds).is_some());
        assert!(faults.take(Some("/transactions/sync"), &kinds).is_none());
        assert!(faults.pending().is_empty());
    }

    #[test]
    fn faults_are_refused_past_each_limit_by_name() {
        let faults = Faults::default();
        let fault = |count, latency_ms| Fault {
            endpoint: Some("/item/get".into()),
            kind: FaultKind::Latency,
            count,
            latency_ms,
        };
        let error = faults.add(fault(MAX_FAULT_COUNT + 1, None)).unwrap_err();
        assert!(error.to_string().contains("1000"), "{error}");
        let error = faults.add(fault(1, Some(MAX_LATENCY_MS + 1))).unwrap_err();
        assert!(error.to_string().contains("60000"), "{error}");
        for _ in 0..MAX_PENDING_FAULTS {
            faults
                .add(fault(MAX_FAULT_COUNT, Some(MAX_LATENCY_MS)))
                .unwrap();
        }
        let error = faults.add(fault(1, None)).unwrap_err();
        assert!(error.to_string().contains("100 faults"), "{error}");
        assert_eq!(faults.pending().len(), MAX_PENDING_FAULTS);
    }
}
