#!/usr/bin/env bash
# Builds what the benchmark needs — the form (Trunk, release) and the sealform binary (release-cli profile) — and
# runs sealform-bench, passing its arguments on: `bash scripts/bench.sh` measures everything and rewrites the
# figures in docs/BENCHMARKS.md; `bash scripts/bench.sh --quick` is CI's smoke run; `--only ROW` one row.
# Never fails on a time: only on a build or a broken measurement.
# shellcheck disable=SC2119 # step_done takes an optional note, not the script's arguments
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

step "trunk build --release (the form, into dist/)"
trunk build --release --offline >/dev/null
step_done

step "cargo build --profile release-cli (sealform and sealform-bench)"
cargo build --profile release-cli -p sealform-cli -p sealform-bench
step_done
# The bench runs the sealform built beside it (its own default ignores CARGO_TARGET_DIR).
export SEALFORM_BIN="${SEALFORM_BIN:-$TARGET_DIR/release-cli/sealform}"

args=("$@")
if [ "${#args[@]}" -eq 0 ]; then
    args=(--write docs/BENCHMARKS.md)
fi
step "sealform-bench ${args[*]}"
"$TARGET_DIR/release-cli/sealform-bench" "${args[@]}"
step_done
