//! What every handler of the simulated tenant shares: its configuration, its users and login
//! transactions, and the Management API's memory.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::SimulatorConfig;
use crate::management_state::ManagementState;
use crate::tenant::Tenant;

/// Shared by every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    config: Arc<SimulatorConfig>,
    tenant: Arc<Mutex<Tenant>>,
    management: Arc<Mutex<ManagementState>>,
}

impl AppState {
    pub fn new(config: SimulatorConfig) -> Self {
        let tenant = Tenant::new(config.users.clone());
        Self {
            config: Arc::new(config),
            tenant: Arc::new(Mutex::new(tenant)),
            management: Arc::new(Mutex::new(ManagementState::default())),
        }
    }

    pub(crate) fn config(&self) -> &SimulatorConfig {
        &self.config
    }

    /// The Management API's tokens, faults and counts (same poisoning argument as `tenant`).
    pub(crate) fn management(&self) -> MutexGuard<'_, ManagementState> {
        self.management
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The tenant's data. A handler that panicked while holding the lock left it in a state
    /// that is still consistent (every change is one map operation), so poisoning is ignored.
    pub(crate) fn tenant(&self) -> MutexGuard<'_, Tenant> {
        self.tenant
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
