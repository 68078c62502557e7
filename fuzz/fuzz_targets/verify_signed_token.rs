//! See `stopover_fuzz::fuzz_signed_token` and ../README.md.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stopover_fuzz::fuzz_signed_token(data));
