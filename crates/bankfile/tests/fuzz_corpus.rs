//! Replays the fuzz targets' committed corpus (`fuzz/corpus/<target>/*`) through the targets'
//! own entry points ([`bankfile::fuzz::TARGETS`]), so the ordinary test run catches a
//! regression on any input the fuzzer once found interesting, without nightly.

use std::path::Path;

#[test]
fn every_fuzz_corpus_input_is_read_or_refused_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (target, run) in bankfile::fuzz::TARGETS {
        let dir = root.join(target);
        let inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        assert!(!inputs.is_empty(), "{target} has a seed corpus");
        for input in inputs {
            run(&std::fs::read(&input).expect("read"));
        }
    }
}
