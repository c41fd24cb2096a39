//! OFX 2.x: an XML prolog, then the fuzzer's body; read or refused, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bankfile::fuzz::ofx_xml(data);
});
