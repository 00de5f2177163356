#!/usr/bin/env bash
# Trunk post_build step (scripts/post-build.sh): embed.js, in inline mode, imports the form's module and wasm by
# name, and Trunk's `filehash` gives them a new name with each build. embed.js is revalidated on every use, so it
# carries the names of its own build: `sealform-form.js` and `sealform-form_bg.wasm` in public/embed.js are
# replaced by the hashed names. Fails the build if either is missing or ambiguous.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
embed="$dir/embed.js"

only() {
    local pattern="$1" found
    found="$(cd "$dir" && compgen -G "$pattern" || true)"
    if [ -z "$found" ] || [ "$(printf '%s\n' "$found" | wc -l)" -ne 1 ]; then
        echo "embed-names: expected one $pattern in $dir, found: ${found:-none}" >&2
        exit 1
    fi
    printf '%s' "$found"
}

glue="$(only 'sealform-form-*[0-9a-f].js')"
wasm="$(only 'sealform-form-*_bg.wasm')"
for name in '"sealform-form.js"' '"sealform-form_bg.wasm"'; do
    grep -qF "$name" "$embed" || { echo "embed-names: $embed does not name $name" >&2; exit 1; }
done
sed -i -e "s/\"sealform-form\.js\"/\"$glue\"/" -e "s/\"sealform-form_bg\.wasm\"/\"$wasm\"/" "$embed"
