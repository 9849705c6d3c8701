# cph-jobs: `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Tool pins: wasm-bindgen's version lives in Cargo.toml (the CLI must match
# the crate), the npm tools' in package.json, wasm-pack's here.
WASM_PACK_VERSION := 0.15.1
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\([^"]*\)"/\1/p' Cargo.toml)

export PATH := $(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner
# The wasm tests in Chromium: Debian's driver, and the flags in webdriver.json.
BROWSER_ENV := WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
	WASM_BINDGEN_TEST_WEBDRIVER_JSON=tests/webdriver.json WASM_BINDGEN_TEST_TIMEOUT=120
WITH_MOCK := node tests/with-mock.mjs --

.PHONY: help setup pkg test lint test-native test-wasm test-package test-size demo size bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## install whatever is missing (idempotent)
	@scripts/setup.sh $(WASM_BINDGEN_VERSION) $(WASM_PACK_VERSION)

pkg: setup ## build the npm package into pkg/
	wasm-pack --quiet build --release --no-pack --target web --out-dir target/wasm-pack/web --out-name cph_jobs
	wasm-pack --quiet build --release --no-pack --target nodejs --out-dir target/wasm-pack/node --out-name cph_jobs
	node pkg-template/assemble.mjs
	@$(MAKE) --no-print-directory size

size: ## print the gzipped size of the web build
	@node scripts/size.mjs

test: setup lint test-native test-wasm test-package test-size ## every test layer, plus fmt, clippy and the size budget

lint: setup ## cargo fmt --check and clippy (host and wasm32), warnings denied
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

test-native: setup ## the sans-IO core, natively (unit, fixture and doc tests)
	cargo test

# One mock for both runs: its URL is compiled into the tests, so the browser run
# reuses the Node run's build instead of compiling again for a new port.
test-wasm: setup ## the wasm edge against the mock, in Node and in headless Chromium
	$(WITH_MOCK) sh -c 'cargo test --target wasm32-unknown-unknown --test wasm && \
		$(BROWSER_ENV) cargo test --target wasm32-unknown-unknown --test wasm'

test-package: pkg ## the packed tarball: Node ESM + CJS, tsc --strict, Chromium
	node tests/js/install-tarball.mjs
	node --test --test-concurrency=1 tests/js/ tests/types/ tests/e2e/

# Size is deterministic, so it is a test; timing is not, and lives in `make bench`.
test-size: pkg ## fail if the gzipped web build exceeds the budget in scripts/size.mjs
	node scripts/size.mjs --check

bench: pkg ## size, per-call time vs a hand-written baseline, cold start, memory, decode MB/s -> BENCHMARKS.md
	node tests/bench/run.mjs

demo: pkg ## start the mock CPH service and list a demo batch from Node
	node tests/with-mock.mjs --time-scale 0.5 -- sh -c 'CPH_ENDPOINT=$$CPH_MOCK_URL node examples/list-jobs.mjs'

clean: ## remove build outputs
	rm -rf pkg target/wasm-pack .tmp
