//! What the simulated Management API remembers: the access tokens it issued, the faults
//! tests queued for it, and how often it was called.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

/// Which endpoint a fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    /// `GET` and `PATCH /api/v2/users/{id}`.
    #[default]
    Users,
    /// `POST /oauth/token`.
    Token,
}

/// What a fault does to the next matching calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 with `x-ratelimit-limit/remaining/reset` (reset = now + `reset_in_secs`), or
    /// only `Retry-After` when `retry_after_only`.
    RateLimit {
        #[serde(default = "one")]
        reset_in_secs: i64,
        #[serde(default)]
        retry_after_only: bool,
    },
    /// A 5xx status (500, 502, 503, 504).
    ServerError {
        #[serde(default = "service_unavailable")]
        status: u16,
    },
    /// Waits `delay_ms` before answering normally.
    Slow { delay_ms: u64 },
}

/// A fault for the next `count` calls to `target` (`POST /_sim/management/faults`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub target: FaultTarget,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default = "one_u32")]
    pub count: u32,
}

fn one() -> i64 {
    1
}

fn one_u32() -> u32 {
    1
}

fn service_unavailable() -> u16 {
    503
}

/// Calls counted since the start, for tests (`GET /_sim/management/stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Tokens issued.
    pub tokens_issued: u32,
    /// Users read.
    pub user_reads: u32,
    /// PATCHes applied.
    pub user_updates: u32,
    /// Answers that were faults.
    pub faults_served: u32,
}

/// The Management API's memory: issued tokens, queued faults, counts.
#[derive(Debug, Default)]
pub struct ManagementState {
    pub(crate) tokens: HashMap<String, IssuedToken>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) stats: Stats,
}

/// An access token the simulated `/oauth/token` issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) expires_at: i64,
    pub(crate) scopes: Vec<String>,
}

impl ManagementState {
    /// The fault for this call to `target`, if one is queued (its count goes down by one).
    pub(crate) fn take_fault(&mut self, target: FaultTarget) -> Option<FaultKind> {
        let index = self.faults.iter().position(|f| f.target == target)?;
        let fault = self.faults.get_mut(index)?;
        let kind = fault.kind.clone();
        fault.count = fault.count.saturating_sub(1);
        if fault.count == 0 {
            self.faults.remove(index);
        }
        self.stats.faults_served += 1;
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_served_in_order_and_counted_down() {
        let mut state = ManagementState::default();
        state.faults.push_back(Fault {
            target: FaultTarget::Users,
            kind: FaultKind::ServerError { status: 502 },
            count: 2,
        });
        state.faults.push_back(Fault {
            target: FaultTarget::Token,
            kind: FaultKind::Slow { delay_ms: 5 },
            count: 1,
        });
        assert_eq!(
            state.take_fault(FaultTarget::Token),
            Some(FaultKind::Slow { delay_ms: 5 })
        );
        assert_eq!(state.take_fault(FaultTarget::Token), None);
        assert!(state.take_fault(FaultTarget::Users).is_some());
        assert!(state.take_fault(FaultTarget::Users).is_some());
        assert_eq!(state.take_fault(FaultTarget::Users), None);
        assert_eq!(state.stats.faults_served, 3);
    }
}
