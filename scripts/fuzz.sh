#!/usr/bin/env bash
# Coverage-guided fuzzing of the core (`make fuzz`): each target runs for a
# bounded time, starting from the checked-in seeds and whatever corpus
# earlier runs left in fuzz/corpus/ (git-ignored). A crash stops the run and
# leaves its input in fuzz/artifacts/TARGET/.
#
#   scripts/fuzz.sh CARGO_FUZZ_VERSION SECONDS_PER_TARGET TARGET...
#
# Needs a nightly toolchain (libFuzzer's instrumentation is nightly-only),
# which is why `make test` and CI do not run this.
set -euo pipefail
cargo_fuzz_version=$1
seconds=$2
shift 2
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[fuzz] %s\n' "$*"; }

if ! cargo +nightly --version >/dev/null 2>&1; then
  say "rustup toolchain install nightly"
  rustup toolchain install nightly --profile minimal
fi
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  say "cargo install cargo-fuzz $cargo_fuzz_version (a few minutes)"
  cargo install --quiet --force --locked cargo-fuzz --version "$cargo_fuzz_version"
fi

for target in "$@"; do
  # Seeds: the test fixtures for the body decoders, hand-picked inputs for
  # request building. libFuzzer writes new inputs into the first directory.
  case $target in
    request) seeds=(fuzz/seeds/request) dict=fuzz/url.dict ;;
    *) seeds=(tests/fixtures) dict=fuzz/json.dict ;;
  esac
  mkdir -p "fuzz/corpus/$target"
  say "$target for ${seconds}s"
  cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -dict="$dict" -print_final_stats=1
done
