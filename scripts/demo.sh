#!/usr/bin/env bash
# Shows sealform working: builds the form, then runs the CLI's end-to-end demo when the CLI has one,
# otherwise serves the built form on http://127.0.0.1:$PORT/ (default 8080) until interrupted.
# shellcheck disable=SC2119 # step_done takes an optional note, not the script's arguments
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

PORT="${PORT:-8080}"

step "setup (scripts/setup.sh)"
bash scripts/setup.sh
step_done

step "trunk build --release (offline)"
trunk build --release --offline
step_done

step "sealform CLI"
# release-cli: the workspace's fast-not-small profile for native code (RSA private-key operations).
cargo build --profile release-cli -p sealform-cli --quiet
sealform="target/release-cli/sealform"
step_done

if "$sealform" --help 2>/dev/null | grep -Eq '^[[:space:]]+demo([[:space:]]|$)'; then
    step "sealform demo"
    "$sealform" demo "$@"
    step_done
else
    step "serve dist/ (the CLI has no demo subcommand yet)"
    printf '    open http://127.0.0.1:%s/ — Ctrl-C stops the server\n' "$PORT"
    exec trunk serve --release --offline --address 127.0.0.1 --port "$PORT" --no-autoreload
fi
