#!/usr/bin/env bash
# Installs what building and testing sealform needs on a Debian/Ubuntu machine that has rustup and cargo.
# Idempotent: every tool already present at the right version is skipped, so a second run takes seconds.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

TRUNK_SERIES="0.21"            # 0.22 needs a newer rustc than rust-toolchain.toml pins
CARGO_DENY_SERIES="0.20"       # deny.toml is written for this series
BINARYEN_VERSION="132.0.0"     # npm binaryen; never Debian's (108 breaks the externref table)
JWCRYPTO_VERSION="1.5.6"       # the independent JWE peer for tests/interop
AXE_CORE_SERIES="4"            # npm axe-core, injected into the form by tests/browser.rs
WASM_BINDGEN_VERSION="$(lock_version wasm-bindgen)"
[ -n "$WASM_BINDGEN_VERSION" ] || die "no wasm-bindgen entry in Cargo.lock"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: cannot apt-get install"
    SUDO="sudo"
fi

# Prints the version a command reports, or nothing when the command is missing or fails.
version_of() {
    "$@" 2>/dev/null | head -n 1 || true
}

step "rust toolchain (rust-toolchain.toml) and wasm32-unknown-unknown target"
command -v rustup >/dev/null || die "rustup is required (https://rustup.rs)"
toolchain="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)"
if ! rustup toolchain list | grep -q "^$toolchain-"; then
    # With no argument rustup (1.28+) installs what rust-toolchain.toml names: targets and components too.
    rustup toolchain install || die "could not install toolchain $toolchain (rustup 1.28 or newer needed)"
fi
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step_done "present: $(rustc --version)"
else
    rustup target add wasm32-unknown-unknown
    step_done "installed"
fi

step "Debian packages"
packages=()
command -v chromium >/dev/null || packages+=(chromium)
command -v chromedriver >/dev/null || packages+=(chromium-driver)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
command -v cc >/dev/null || packages+=(build-essential)
# brotli: compressed sizes of the form (the build and the benchmark); time: peak memory in the benchmark.
command -v brotli >/dev/null || packages+=(brotli)
# zopfli: the build's gzip forms, 4-5 % smaller than gzip -9 for clients that do not take brotli.
command -v zopfli >/dev/null || packages+=(zopfli)
[ -x /usr/bin/time ] || packages+=(time)
# softhsm2: a real PKCS#11 token for the tests of keys held on hardware (keygen/open --pkcs11).
if [ ! -e /usr/lib/softhsm/libsofthsm2.so ] || ! command -v softhsm2-util >/dev/null; then
    packages+=(softhsm2)
fi
# PostgreSQL's server binaries: the store tests, the scale-out tests and the benchmark start throwaway clusters of
# their own (initdb into a temporary folder); the cluster Debian's package makes is never used.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
# openssl: the certificates of the throwaway cluster that checks TLS to PostgreSQL.
command -v openssl >/dev/null || packages+=(openssl)
if ! command -v python3 >/dev/null; then
    packages+=(python3 python3-venv)
elif ! .venv/bin/python -c '' 2>/dev/null; then
    # Debian's python3 cannot make a venv with pip until python3-venv is installed.
    probe="$(mktemp -d)"
    python3 -m venv "$probe/venv" >/dev/null 2>&1 || packages+=(python3-venv)
    rm -rf "$probe"
fi
if [ "${#packages[@]}" -eq 0 ]; then
    step_done "present"
else
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    step_done "installed: ${packages[*]}"
fi

# The three cargo installs take most of a first run (Trunk alone ~7 minutes on 2 cores). They run side by side in
# the background, each line marked with its name, while the steps below that need no compiler go on; they are
# waited for before the summary, and the first to fail stops the others and this script, naming it.
# CARGO_TARGET_DIR is left out: installs sharing one target dir would wait for each other's lock on it, and
# `cargo install` builds in a temporary folder of its own by default.
install_in_background() {
    local name="$1"
    shift
    start_job "$name" env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR cargo install "$@"
}

step "cargo installs, in the background: trunk $TRUNK_SERIES.x, wasm-bindgen-cli $WASM_BINDGEN_VERSION, cargo-deny $CARGO_DENY_SERIES.x"
present=() started=()
if [[ "$(version_of trunk --version)" == "trunk $TRUNK_SERIES."* ]]; then
    present+=(trunk)
else
    install_in_background trunk --locked "trunk@^$TRUNK_SERIES"
    started+=(trunk)
fi
# wasm-bindgen-cli at the Cargo.lock version exactly (Trunk.toml names it too).
if [ "$(version_of wasm-bindgen --version)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    present+=(wasm-bindgen-cli)
else
    # Not --locked: its lockfile names a webpki-roots version the registry here lacks.
    install_in_background wasm-bindgen-cli --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    started+=(wasm-bindgen-cli)
fi
# deny.toml is written for this series.
if [[ "$(version_of cargo deny --version)" == "cargo-deny $CARGO_DENY_SERIES."* ]]; then
    present+=(cargo-deny)
else
    install_in_background cargo-deny --locked "cargo-deny@^$CARGO_DENY_SERIES"
    started+=(cargo-deny)
fi
step_done "present: ${present[*]:-none}; installing: ${started[*]:-none}"

step "wasm-opt from npm binaryen@$BINARYEN_VERSION in .tools/npm"
if [[ "$(version_of wasm-opt --version)" == "wasm-opt version ${BINARYEN_VERSION%%.*}"* ]] \
    && [ "$(command -v wasm-opt)" = "$TOOLS_NPM/node_modules/.bin/wasm-opt" ]; then
    step_done "present"
else
    mkdir -p "$TOOLS_NPM"
    npm install --prefix "$TOOLS_NPM" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION" >/dev/null
    step_done "installed"
fi

step "axe-core $AXE_CORE_SERIES.x from npm in .tools/npm (accessibility checks in the browser suite)"
if [ -f "$TOOLS_NPM/node_modules/axe-core/axe.min.js" ] \
    && [[ "$(node -p 'require(process.argv[1]).version' "$TOOLS_NPM/node_modules/axe-core/package.json" 2>/dev/null)" == "$AXE_CORE_SERIES."* ]]; then
    step_done "present"
else
    mkdir -p "$TOOLS_NPM"
    npm install --prefix "$TOOLS_NPM" --no-audit --no-fund --loglevel=error "axe-core@$AXE_CORE_SERIES" >/dev/null
    step_done "installed"
fi

step "Python venv .venv with jwcrypto $JWCRYPTO_VERSION (interop peer)"
jwcrypto_installed() {
    .venv/bin/python -c 'import importlib.metadata as m; print(m.version("jwcrypto"))' 2>/dev/null || true
}
if [ "$(jwcrypto_installed)" = "$JWCRYPTO_VERSION" ]; then
    step_done "present"
else
    .venv/bin/python -c '' 2>/dev/null || python3 -m venv --clear .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input "jwcrypto==$JWCRYPTO_VERSION"
    step_done "installed"
fi

step "cargo fetch (Trunk builds offline)"
cargo fetch
step_done "done"

if [ "${#JOBS[@]}" -gt 0 ]; then
    step "waiting for the cargo installs: ${started[*]}"
    wait_jobs
    step_done
fi

# shellcheck disable=SC2034 # read by the EXIT trap
CURRENT_STEP="summary"
printf '\nsealform toolchain:\n'
printf '  %-16s %s\n' \
    rustc "$(version_of rustc --version)" \
    trunk "$(version_of trunk --version)" \
    wasm-bindgen "$(version_of wasm-bindgen --version)" \
    wasm-opt "$(version_of wasm-opt --version) ($(command -v wasm-opt))" \
    cargo-deny "$(version_of cargo deny --version)" \
    node "$(version_of node --version)" \
    chromium "$(version_of chromium --version)" \
    chromedriver "$(version_of chromedriver --version)" \
    postgresql "$(version_of "$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -n 1)" --version)" \
    jwcrypto "$(jwcrypto_installed)"
