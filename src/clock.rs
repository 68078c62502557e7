//! A clock signal that ticks once a second, for the countdown and "wait and retry".

use std::time::Duration;

use leptos::prelude::*;

use crate::session::now_seconds;

/// The current Unix time in seconds, updated every second while the calling component lives.
pub fn use_clock() -> ReadSignal<i64> {
    let (now, set_now) = signal(now_seconds());
    if let Ok(handle) =
        set_interval_with_handle(move || set_now.set(now_seconds()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    now
}
