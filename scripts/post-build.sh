#!/usr/bin/env bash
# Trunk post_build hook, the only one: Trunk runs the hooks of a stage all at once, and these steps depend on each
# other, so they run here in order on Trunk's staging folder.
#   1. the inline loader into its own content-hashed file (strict CSP)            scripts/externalize-loader.sh
#   2. embed.js told the content-hashed names of the form's module and wasm      scripts/embed-names.sh
#   3. every file beside its brotli and gzip forms, for the receiver to send      scripts/precompress.sh
set -euo pipefail
here="$(dirname "$0")"
bash "$here/externalize-loader.sh"
bash "$here/embed-names.sh"
bash "$here/precompress.sh"
