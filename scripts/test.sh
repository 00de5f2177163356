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

step "no module imports a module that imports it back (scripts/module-circles.py)"
python3 scripts/module-circles.py
step_done

step "cargo clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings
step_done

step "cargo clippy (wasm32, the form)"
cargo clippy -p sealform-form --target wasm32-unknown-unknown -- -D warnings
step_done

step "private-key code stays out of the form and the receiver (core without its \"open\" feature)"
# Built alone, each package gets only the features it asks for: these fail if core, the receiver or the form ever
# need the private-key half.
cargo check -p sealform-core --no-default-features
cargo check -p sealform-receiver
cargo check -p sealform-form --target wasm32-unknown-unknown
step_done

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
step_done

step "cargo deny check (deny.toml)"
# The RustSec advisory database is a git repository on GitHub. Where only the package registries are reachable
# (as on the machines this project is built on), advisories cannot be checked: say so, and check the rest.
if cargo deny --log-level error fetch db >/dev/null 2>&1; then
    cargo deny --workspace --log-level error check
    step_done
else
    cargo deny --workspace --log-level error check bans licenses sources
    step_done "bans, licenses, sources ok; advisories NOT checked: the RustSec database (GitHub) is unreachable here"
fi

# The browser end-to-end suite (tests/browser.rs) drives the built form against the real `sealform` binary, so
# both are built before the tests run.
step "trunk build --release (offline, wasm-opt -Oz)"
trunk build --release --offline
# What a browser fetches for the embedded form (the config comes from the firm; see the benchmark for it).
total_raw=0 total_gzip=0 total_brotli=0
# Content-hashed names (Trunk's filehash); each file has its .gz and .br beside it (scripts/precompress.sh).
for file in dist/index.html dist/loader-*.js dist/embed.js dist/main-*.css dist/sealform-form-*[0-9a-f].js \
    dist/sealform-form-*_bg.wasm; do
    [ -e "$file" ] && [ -e "$file.gz" ] && [ -e "$file.br" ] || die "trunk build left no $file (.gz, .br)"
    raw="$(wc -c <"$file")" gzip="$(wc -c <"$file.gz")" brotli="$(wc -c <"$file.br")"
    total_raw=$((total_raw + raw)) total_gzip=$((total_gzip + gzip)) total_brotli=$((total_brotli + brotli))
    printf '    %-30s %8s bytes raw %8s gzip (zopfli) %8s brotli -q 11\n' "$file" "$raw" "$gzip" "$brotli"
done
printf '    %-30s %8s bytes raw %8s gzip (zopfli) %8s brotli -q 11\n' "total" "$total_raw" "$total_gzip" "$total_brotli"
step_done

step "cargo build: the tests, sealform (the binary the browser suite runs) and sealform-bench"
# Every binary and test of the workspace at once, so each crate is built with the features `cargo test --workspace`
# needs: `cargo build -p sealform-cli` or `cargo run -p sealform-bench` alone would each build some dependencies
# (tokio, serde, sealform-core, …) a second time with fewer features, and `cargo test` then again.
cargo build --workspace --bins --tests
step_done

# The store's and the scale-out tests start throwaway PostgreSQL clusters of their own (initdb into a temporary
# folder, a free port; as the user nobody when run as root) and stop them when they end.
step "cargo test (unit, property, vectors, tamper matrix, jwcrypto interop, CLI, PostgreSQL, browser end-to-end)"
SEALFORM_DIST="$ROOT/dist"
SEALFORM_BIN="$TARGET_DIR/debug/sealform"
AXE_CORE_JS="$TOOLS_NPM/node_modules/axe-core/axe.min.js"
export SEALFORM_DIST SEALFORM_BIN AXE_CORE_JS
cargo test --workspace
step_done

step "fuzz targets: build as plain binaries, run once over their seeds (fuzz/check.sh)"
bash fuzz/check.sh
step_done

step "benchmark, quick mode (scripts/bench.sh; never fails on a time)"
# Small counts on the debug sealform and sealform-bench built above and the dist/ just built: only proves the
# benchmark runs.
"$TARGET_DIR/debug/sealform-bench" --quick
step_done

# shellcheck disable=SC2034 # read by the EXIT trap
CURRENT_STEP=""
printf '%s: all steps passed (%ss)\n' "$SCRIPT_NAME" "$SECONDS"
