#!/usr/bin/env bash
# Trunk post_build hook: moves the loader Trunk writes inline into index.html (`<script type="module">…</script>`)
# into its own file, loader-<hash>.js (named by its content, so it can be cached for good), so the page runs under a Content-Security-Policy without 'unsafe-inline' or a
# hash (trunk-rs/trunk#288 asks for this upstream), and drops the integrity Chromium ignores on the wasm preload.
# Fails the build if the page keeps any inline script.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
page="$dir/index.html"
loader="$dir/loader.js"

awk -v loader="$loader" '
    /<script type="module">/ && !done { inside = 1; sub(/<script type="module">.*/, "<script type=\"module\" src=\"./loader.js\"></script>"); print; next }
    inside && /<\/script>/ { inside = 0; done = 1; next }
    inside { print > loader; next }
    { print }
' "$page" >"$page.new"
mv "$page.new" "$page"

# Trunk puts an `integrity` on its `<link rel="preload" as="fetch">` of the wasm, which Chromium ignores (fetch
# preloads do not support subresource integrity) and warns about in every client's console. Drop that one
# attribute; the module preload keeps its own, which is enforced.
sed -E -i 's/(<link rel="preload"[^>]*) integrity="[^"]*"/\1/g' "$page"
if grep -Eq '<link rel="preload"[^>]* integrity=' "$page"; then
    echo "externalize-loader: a preload in $page still has an integrity attribute" >&2
    exit 1
fi

[ -s "$loader" ] || { echo "externalize-loader: no inline module script found in $page" >&2; exit 1; }
# Named by its content like Trunk's own files (`filehash`): the receiver lets browsers keep such files for a year.
hashed="loader-$(sha256sum "$loader" | cut -c1-16).js"
mv "$loader" "$dir/$hashed"
sed -i "s#src=\"./loader.js\"#src=\"./$hashed\"#" "$page"
grep -qF "src=\"./$hashed\"" "$page" || { echo "externalize-loader: $page does not load $hashed" >&2; exit 1; }
if grep -Eq '<script( [^>]*)?>[^<[:space:]]' "$page" || grep -Eq '<script>' "$page" || grep -q '<style' "$page"; then
    echo "externalize-loader: $page still has an inline script or style" >&2
    exit 1
fi
