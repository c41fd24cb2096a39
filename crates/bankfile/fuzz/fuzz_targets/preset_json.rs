//! Mapping preset files: read strictly or refused, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bankfile::fuzz::preset_json(data);
});
