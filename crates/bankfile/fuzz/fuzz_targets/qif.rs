//! QIF, with and without a chosen date order: any bytes are read or refused, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bankfile::fuzz::qif(data);
});
