//! Mapped CSV: the first byte chooses a mapping, the rest is the file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bankfile::fuzz::csv_map(data);
});
