//! OFX 1.x: an SGML header, then the fuzzer's body; read or refused, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bankfile::fuzz::ofx_sgml(data);
});
