#!/usr/bin/env bash
# Trunk post_build step (scripts/post-build.sh): writes each text or wasm file of the build beside its brotli
# (`.br`, quality 11) and gzip (`.gz`, by zopfli: the same format every client reads, 4-5 % smaller than gzip -9
# for the wasm, in a few seconds) forms. `sealform serve` sends the smallest form the client accepts
# (tower-http's precompressed ServeDir), with its length and `Vary: Accept-Encoding`; compressing once here, at the
# highest levels, costs the server nothing per request. Needs the brotli and zopfli commands (scripts/setup.sh).
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
command -v brotli >/dev/null || { echo "precompress: no brotli command (apt-get install brotli)" >&2; exit 1; }
command -v zopfli >/dev/null || { echo "precompress: no zopfli command (apt-get install zopfli)" >&2; exit 1; }

find "$dir" -maxdepth 1 -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \
    -o -name '*.json' -o -name '*.svg' \) -print0 |
    while IFS= read -r -d '' file; do
        # zopfli writes no name and no time in the gzip header, so the same build gives the same bytes.
        zopfli -c "$file" >"$file.gz"
        brotli -q 11 -f -o "$file.br" "$file"
    done
