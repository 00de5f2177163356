#!/usr/bin/env bash
# Shows sealform working: builds the form and the CLI, then runs `sealform demo`: a demo key, the default form
# config sealed to it, the receiver with the form on http://127.0.0.1:8080/ and a fictional firm's page embedding
# it on http://127.0.0.1:8081/, until interrupted. Extra arguments go to `sealform demo` (see its --help).
# shellcheck disable=SC2119 # step_done takes an optional note, not the script's arguments
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

step "setup (scripts/setup.sh)"
bash scripts/setup.sh
step_done

step "trunk build --release (offline)"
trunk build --release --offline
step_done

step "sealform CLI (cargo build, dev profile)"
# The dev profile, as scripts/test.sh builds: a demo opens a few submissions, so the optimised release-cli
# profile (which scripts/bench.sh uses) would only add a second, much slower build of every crate.
cargo build -p sealform-cli
# Relative to the root when it is inside it: the demo prints its commands with this path, to be pasted.
sealform="${TARGET_DIR#"$ROOT"/}/debug/sealform"
step_done

step "sealform demo"
printf '    a demo key, the default form and the receiver on http://127.0.0.1:8080/, a fictional firm on :8081\n'
step_done
# The demo runs until Ctrl-C and prints what to open and how to read what was sent.
exec "$sealform" demo --dist dist --host-dir demo/host "$@"
