//! The whole path of an upload: sniff the format, then read it with that format's reader.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bankfile::fuzz::sniff_and_read(data);
});
