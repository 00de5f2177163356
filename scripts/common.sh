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
# Where cargo puts what it builds: one target dir for every step (CARGO_TARGET_DIR if set, relative to the root).
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in
    /*) ;;
    *) TARGET_DIR="$ROOT/$TARGET_DIR" ;;
esac

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

# Background jobs (start_job, wait_jobs): process id → name. Each job is its own process group, so that the whole
# of it (cargo and the compilers it runs) can be stopped.
declare -A JOBS=()
JOBS_STARTED=$SECONDS

# Runs "$@" in the background, each line it prints prefixed with "[NAME]" so that jobs running side by side stay
# readable; cargo prints a line per crate when not on a terminal, which is its progress here.
start_job() {
    local name="$1"
    shift
    [ "${#JOBS[@]}" -gt 0 ] || JOBS_STARTED=$SECONDS
    # Job control only for the fork: it gives the job a process group of its own (to stop it whole).
    set -m
    (
        set -o pipefail
        "$@" 2>&1 | while IFS= read -r line || [ -n "$line" ]; do printf '    [%s] %s\n' "$name" "$line"; done
    ) &
    JOBS[$!]="$name"
    set +m
}

# Waits for every background job. The first one to fail stops the others and fails the script, naming it.
wait_jobs() {
    local pid status name
    while [ "${#JOBS[@]}" -gt 0 ]; do
        pid=""
        wait -n -p pid "${!JOBS[@]}" && status=0 || status=$?
        if [ -z "$pid" ]; then
            # bash knows none of them any more (waited for elsewhere): how they ended is not known.
            name="${JOBS[*]}"
            JOBS=()
            die "lost track of background job(s) $name: run the script again"
        fi
        name="${JOBS[$pid]}"
        unset "JOBS[$pid]"
        if [ "$status" -ne 0 ]; then
            stop_jobs
            die "$name failed (exit $status); its output is above, each line marked [$name]"
        fi
        printf '    %s: done (%ss since the jobs started)\n' "$name" "$((SECONDS - JOBS_STARTED))"
    done
}

# Stops the background jobs still running, each with everything it started.
stop_jobs() {
    local pid
    for pid in "${!JOBS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${!JOBS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    JOBS=()
}

on_exit() {
    local rc=$?
    [ "${#JOBS[@]}" -eq 0 ] || stop_jobs
    if [ "$rc" -ne 0 ]; then
        printf '%s: FAILED at step "%s" (exit %s)\n' "$SCRIPT_NAME" "${CURRENT_STEP:-start}" "$rc" >&2
    fi
}
trap on_exit EXIT

die() {
    printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
    exit 1
}
