# shellcheck shell=bash
# Sourced by scripts/{setup,test,demo}.sh: the repo root, the PATH the build needs, and step logging.
# Nothing here is exported beyond the calling script's own process.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

# npm's binaryen 132 must win over any /usr/bin/wasm-opt (Debian's 108 breaks the wasm), and cargo-installed
# tools (trunk, wasm-bindgen, cargo-deny) live in ~/.cargo/bin.
TOOLS_NPM="$ROOT/.tools/npm"
PATH="$TOOLS_NPM/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export PATH
# Trunk checks crates.io for a newer Trunk even with `offline = true` in Trunk.toml.
export TRUNK_SKIP_VERSION_CHECK=true

# The wasm-bindgen version in Cargo.lock; wasm-bindgen-cli and Trunk.toml must match it exactly.
lock_version() {
    awk -v name="$1" '$1 == "name" && $3 == "\"" name "\"" { getline; gsub(/"/, "", $3); print $3; exit }' \
        "$ROOT/Cargo.lock"
}

SCRIPT_NAME="$(basename "$0")"
CURRENT_STEP=""
STEP_STARTED=$SECONDS

# Prints one line per step; when the script dies, the EXIT trap names the step that was running.
step() {
    CURRENT_STEP="$1"
    STEP_STARTED=$SECONDS
    printf '==> %s\n' "$1"
}

step_done() {
    printf '    %s (%ss)\n' "${1:-ok}" "$((SECONDS - STEP_STARTED))"
}

on_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        printf '%s: FAILED at step "%s" (exit %s)\n' "$SCRIPT_NAME" "${CURRENT_STEP:-start}" "$rc" >&2
    fi
}
trap on_exit EXIT

die() {
    printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
    exit 1
}
