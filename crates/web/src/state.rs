//! The state every handler receives: the service [`App`] plus what only the web layer needs.

use std::sync::Arc;

use service::App;

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self {
            app,
            metrics: Arc::new(Metrics::default()),
        }
    }
}
