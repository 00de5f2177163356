#!/usr/bin/env bash
# Recreates the seed corpora in fuzz/corpus/ (they are not committed): sealed bundles and parts for the firm's
# test key, and the form templates. Safe to run again: it only adds or overwrites the seed files.
set -euo pipefail
cd "$(dirname "$0")"
cargo run --quiet --release --example seed
for dir in corpus/*/; do
    echo "$dir: $(find "$dir" -type f | wc -l) inputs"
done
