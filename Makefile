# cph-jobs: `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Tool pins: wasm-bindgen's version lives in Cargo.toml (the CLI must match
# the crate), the npm tools' in package.json, wasm-pack's and cargo-fuzz's here.
WASM_PACK_VERSION := 0.15.1
CARGO_FUZZ_VERSION := 0.13.2
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\([^"]*\)"/\1/p' Cargo.toml)

export PATH := $(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner
# The wasm tests in Chromium: Debian's driver, and the flags in webdriver.json
# (an absolute path: wasm-pack runs cargo in the crate's own folder).
BROWSER_ENV := WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
	WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(CURDIR)/tests/webdriver.json WASM_BINDGEN_TEST_TIMEOUT=120
FRONTEND := examples/frontend
WITH_MOCK := node tests/with-mock.mjs --
# The official Python SDK core the AK/SK signer is checked against: its pin is
# tests/sign/requirements.txt, installed into this virtual environment.
SIGN_VENV := .tmp/venv
SIGN_VECTORS := .tmp/sign/vectors.jsonl
SIGN_FIXTURE := tests/fixtures/sign-official.jsonl

.PHONY: help setup pkg test lint doc test-sign test-native test-wasm test-frontend test-package test-runtimes test-frameworks test-publish test-size fuzz bench demo size clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## install whatever is missing (idempotent)
	@scripts/setup.sh $(WASM_BINDGEN_VERSION) $(WASM_PACK_VERSION)

# Panic locations name source files; the build machine's paths to its crate
# registry stay out of the shipped .wasm.
CARGO_HOME ?= $(HOME)/.cargo
PKG_CARGO_CONFIG := --config 'target.wasm32-unknown-unknown.rustflags=["--remap-path-prefix=$(CARGO_HOME)/registry/src=/cargo/registry/src"]'
PKG_CARGO_ARGS := --features js $(PKG_CARGO_CONFIG)
# The client's modules get wasm-bindgen's __wbg_reset_state(): after a trap
# (or a call that left linear memory large), the package's loader starts the
# next call on a fresh instance of the same compiled module. wasm-pack cannot
# pass this flag to wasm-bindgen, so the package's builds run cargo and the
# pinned wasm-bindgen themselves (wasm-opt runs in assemble.mjs).
RESET_STATE := --experimental-reset-state-function
# $(call wasm_build,OUT_DIR,OUT_NAME,CARGO_ARGS,WASM_BINDGEN_FLAGS)
define wasm_build
	cargo build --quiet --release --lib --target wasm32-unknown-unknown $(3)
	wasm-bindgen --target web --out-dir target/wasm-pack/$(1) --out-name $(2) $(4) target/wasm32-unknown-unknown/release/cph_jobs.wasm
endef

# Three builds: one without the signer (`sign` off), which pages load, and one
# with it, which only a page whose client signs loads (named apart, so that no
# bundler or server can hand one's .wasm to the other's glue), and which Node
# loads; and the proxy's checks alone (`proxy`, not `js`), which only
# cph-jobs/proxy loads, on a server.
pkg: setup ## build the npm package into pkg/
	rm -rf target/wasm-pack # a renamed snippet must not linger in the package
	$(call wasm_build,web,cph_jobs,--no-default-features $(PKG_CARGO_ARGS),$(RESET_STATE))
	$(call wasm_build,web-signing,cph_jobs_signing,$(PKG_CARGO_ARGS),$(RESET_STATE))
	$(call wasm_build,proxy,cph_jobs_proxy,--no-default-features --features proxy $(PKG_CARGO_CONFIG),)
	node pkg-template/assemble.mjs
	@$(MAKE) --no-print-directory size

size: ## print the gzipped size of the web build
	@node scripts/size.mjs

test: setup lint doc test-sign test-native test-wasm test-frontend test-package test-runtimes test-publish test-size ## every test layer, plus fmt, clippy, docs and the size budget

# --workspace: the example frontend too. `js` is this crate's feature alone.
lint: setup ## cargo fmt --check and clippy (host and wasm32), warnings denied
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown --features js -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown --no-default-features --features proxy -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown --no-default-features --features js -- -D warnings
	cargo clippy --all-targets --no-default-features -- -D warnings

# The wasm32 doc tests are compiled for wasm32 (`cph_jobs::wasm` exists only
# there) and run by wasm-bindgen-test-runner, which finds no test in them:
# they are compile checks of the examples.
doc: setup ## cargo doc (host, wasm32, wasm32 + js) with warnings denied; the wasm32 doc tests compiled
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --target wasm32-unknown-unknown
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --target wasm32-unknown-unknown --features js
	cargo test --doc --target wasm32-unknown-unknown

# 240 seeded requests (and the hand-written corners) signed by the official
# SDK; the checked-in vectors, which plain `cargo test` and the JS tests use,
# must be the first of them, so they cannot drift from the pinned SDK.
test-sign: setup $(SIGN_VENV)/.sdk-installed ## the signer and the mock's verifier against the official SDK
	@mkdir -p $(dir $(SIGN_VECTORS))
	$(SIGN_VENV)/bin/python tests/sign/official.py generate --seed 1 --count 240 > $(SIGN_VECTORS)
	@head -n "$$(wc -l < $(SIGN_FIXTURE))" $(SIGN_VECTORS) | cmp -s - $(SIGN_FIXTURE) || { \
		echo "$(SIGN_FIXTURE) is not what the pinned SDK signs; if the pin changed on purpose:"; \
		echo "  head -n $$(wc -l < $(SIGN_FIXTURE)) $(SIGN_VECTORS) > $(SIGN_FIXTURE)"; exit 1; }
	CPH_SIGN_VECTORS=$(CURDIR)/$(SIGN_VECTORS) cargo test --test sign_differential -- --include-ignored --nocapture
	CPH_SIGN_PYTHON=$(CURDIR)/$(SIGN_VENV)/bin/python node --test tests/js/aksk.test.mjs

$(SIGN_VENV)/.sdk-installed: tests/sign/requirements.txt
	python3 -m venv $(SIGN_VENV)
	$(SIGN_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/sign/requirements.txt
	@touch $@

test-native: setup ## the sans-IO core, natively (unit, fixture and doc tests)
	cargo test
	cargo test --no-default-features --test unsigned

# One mock for both runs: its URL is compiled into the tests, so the browser run
# reuses the Node run's build instead of compiling again for a new port.
test-wasm: setup ## the wasm edge against the mock, in Node and in headless Chromium
	$(WITH_MOCK) sh -c 'cargo test --target wasm32-unknown-unknown --test wasm && \
		$(BROWSER_ENV) cargo test --target wasm32-unknown-unknown --test wasm'

# As Rust frontends test themselves: wasm-pack test, in Node and in headless
# Chromium, against one mock (its URL is compiled in, so the second run reuses
# the first one's build). --mode no-install and --chromedriver: wasm-pack must
# use the installed wasm-bindgen and Debian's driver, never download one.
# WASM_BINDGEN_USE_BROWSER (in BROWSER_ENV) runs the suite that is not marked
# run_in_browser (tests/app.rs) in Chromium as well.
test-frontend: setup ## the example Rust frontend's wasm-pack tests, in Node and headless Chromium
	$(WITH_MOCK) sh -c 'wasm-pack test --mode no-install --node $(FRONTEND) && \
		$(BROWSER_ENV) wasm-pack test --mode no-install --headless --chromedriver /usr/bin/chromedriver --chrome $(FRONTEND)'

test-package: pkg ## the packed tarball: Node ESM + CJS, the cph-jobs command, tsc --strict, Chromium
	node tests/js/install-tarball.mjs
	node --test --test-concurrency=1 tests/js/ tests/types/ tests/e2e/

# One row per runtime, test runner and bundler (tests/runtimes/run.mjs lists
# them), each running the same five checks against the mock; the browser rows
# share one Chromium.
test-runtimes: pkg ## the packed tarball in Node, Bun, Deno, workerd, Jest, Vitest, four bundlers and a Worker
	$(WITH_MOCK) node tests/runtimes/run.mjs

# Next.js and Angular apps (tests/frameworks/), each with its framework pinned
# in its own package-lock.json, so the root npm ci stays light; `npm ci
# --prefer-offline` installs them from npm's cache when it can. Not in `test`
# (a few minutes more): .ci/run runs it after `test`.
test-frameworks: pkg ## the packed tarball in Next.js 15 and Angular 19 apps, built and under their dev servers, in Chromium
	$(WITH_MOCK) node tests/frameworks/run.mjs

test-publish: pkg ## the publish dry runs (crates.io, npm), their file lists, publint and attw
	node --test tests/publish/

# Not part of `test`: libFuzzer needs a nightly toolchain that CI may lack.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= decode error_body request
fuzz: ## fuzz the decoders and request building, FUZZ_SECONDS (60) per target (nightly)
	@scripts/fuzz.sh $(CARGO_FUZZ_VERSION) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Size is deterministic, so it is a test; timing is not, and lives in `make bench`.
test-size: pkg ## fail if the gzipped web build exceeds the budget in scripts/size.mjs
	node scripts/size.mjs --check

# AGAINST=DIR (a copy of an earlier pkg/) times that build beside this one.
bench: pkg ## size, per-call time vs a hand-written baseline, cold start, memory, decode MB/s -> BENCHMARKS.md
	node tests/bench/run.mjs $(if $(AGAINST),--against $(AGAINST))

# PORT=8080 (or make demo PORT=8080) fixes the port; a free one otherwise.
# make demo REGION=cn-north-4 points the page at that region's real endpoint
# through the cph-jobs proxy instead of the mock.
demo: pkg ## serve the demo console and a mock CPH service until Ctrl-C
	@exec node scripts/demo.mjs

clean: ## remove build outputs
	rm -rf pkg target/wasm-pack .tmp $(FRONTEND)/pkg
