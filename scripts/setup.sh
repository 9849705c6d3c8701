#!/usr/bin/env bash
# Installs whatever the build and the tests need and is not there yet; quick
# when everything is present. Called by every make target that needs tools.
#
#   scripts/setup.sh WASM_BINDGEN_VERSION WASM_PACK_VERSION
#
# Only registries are used (Debian, crates.io, npm, PyPI): nothing downloads a
# prebuilt binary at run time.
set -euo pipefail
wasm_bindgen_version=$1
wasm_pack_version=$2
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian's Chromium and its driver, for the browser tests.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# Python 3 with venv: `make test-sign` installs the official SDK into one.
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v node >/dev/null || { say "Node.js 18+ is required"; exit 1; }

# Rust: the wasm target and the lint tools.
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# wasm-bindgen must be exactly the crate's version, or wasm-pack downloads one.
# Not --locked: the CLI's lock file pins a yanked crate (webpki-roots 1.0.11).
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  say "cargo install wasm-bindgen-cli $wasm_bindgen_version (a few minutes)"
  cargo install --quiet --force wasm-bindgen-cli --version "$wasm_bindgen_version"
fi
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $wasm_pack_version" ]; then
  say "cargo install wasm-pack $wasm_pack_version (a few minutes)"
  cargo install --quiet --force --locked wasm-pack --version "$wasm_pack_version"
fi

# npm tools (wasm-opt, TypeScript, playwright-core), exactly as locked.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
