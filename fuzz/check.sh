#!/usr/bin/env bash
# Keeps the fuzz targets from rotting without libFuzzer's instrumentation or a nightly compiler: builds every
# target as a plain binary (libfuzzer-sys still links libFuzzer's driver), writes the seed corpora, and runs each
# target once over its seeds. A target that no longer compiles, or panics on a seed, fails here.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --quiet --bins
bash seed.sh >/dev/null
target_dir="${CARGO_TARGET_DIR:-target}"
for target in bundle envelope config inspect pickup headers share; do
    # -runs=0: run every input of the corpus once, then stop.
    if ! output=$("$target_dir/debug/$target" -runs=0 "corpus/$target" 2>&1); then
        echo "$output" >&2
        echo "fuzz target $target failed on its seed corpus" >&2
        exit 1
    fi
    echo "$target: $(grep -E '^Done' <<<"$output")"
done
