#!/usr/bin/env bash
# The one command that runs every check and test sealform has, in the order that fails cheapest first.
# Stops at the first failure and names the step. CI runs exactly this (.ci/run).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

step "setup (scripts/setup.sh)"
bash scripts/setup.sh
step_done

step "cargo fmt --check"
cargo fmt --all --check
step_done

step "cargo clippy (native, all targets)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step_done

step "cargo clippy (wasm32, the form)"
cargo clippy -p sealform-form --target wasm32-unknown-unknown --quiet -- -D warnings
step_done

step "private-key code stays out of the form (core without its \"open\" feature)"
# The form (and the receiver) take core without "open": prove core builds so, and that the form's wasm names
# no private-key code.
cargo check -p sealform-core --no-default-features --quiet
step_done

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
step_done

step "cargo deny check (deny.toml)"
# The RustSec advisory database is a git repository on GitHub. Where only the package registries are reachable
# (as on the machines this project is built on), advisories cannot be checked: say so, and check the rest.
if cargo deny --log-level error fetch db >/dev/null 2>&1; then
    cargo deny --log-level error check
    step_done
else
    cargo deny --log-level error check bans licenses sources
    step_done "bans, licenses, sources ok; advisories NOT checked: the RustSec database (GitHub) is unreachable here"
fi

step "cargo test (unit, property, vectors, tamper matrix, jwcrypto interop, CLI)"
cargo test --workspace
step_done

step "trunk build --release (offline, wasm-opt -Oz)"
trunk build --release --offline
for file in dist/*.wasm dist/*.js; do
    [ -e "$file" ] || die "trunk build left no $file"
    printf '    %-48s %8s bytes raw %8s bytes gzip -9\n' \
        "$file" "$(wc -c <"$file")" "$(gzip -9 -c "$file" | wc -c)"
done
step_done

step "benchmark, quick mode (scripts/bench.sh; never fails on a time)"
# Small counts on the debug sealform that cargo test built and the dist/ just built: only proves the benchmark runs.
SEALFORM_BIN=target/debug/sealform cargo run --quiet -p sealform-bench -- --quick
step_done

# shellcheck disable=SC2034 # read by the EXIT trap
CURRENT_STEP=""
printf '%s: all steps passed (%ss)\n' "$SCRIPT_NAME" "$SECONDS"
