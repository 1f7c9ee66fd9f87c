# Restwell. `make run` installs, builds and starts the daemon; `make test` runs every check.
SHELL := /bin/bash
BIN := node_modules/.bin
# buf runs the local protoc-gen-es plugin from node_modules.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
TESTS_UNIT := $(shell find test -name '*.test.ts' -not -path 'test/e2e/*' -not -path 'test/faults/*' 2>/dev/null | sort)
TESTS_E2E := $(shell find test/e2e -name '*.test.ts' 2>/dev/null | sort)
# Long fault and stress runs (`make faults`), never part of `make test`.
TESTS_FAULTS := $(shell find test/faults -name '*.test.ts' 2>/dev/null | sort)
# What the web UI is built from: its own sources and the generated API client.
WEB_SOURCES := $(shell find web gen -type f 2>/dev/null | sort)

.PHONY: run build deps restic backends chromium web binary check-gen lint typecheck test test-unit test-e2e faults bench clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

# Installs Debian's restic when no restic is on PATH.
restic:
	@command -v restic >/dev/null || { echo "installing restic (apt-get)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq restic; }

# Installs Debian's rclone and openssh-server when missing: the remote repository tests run
# `rclone serve restic` and a private sshd on loopback (they fail, never skip, without them).
# Likewise postgresql, mariadb-server, mariadb-client and sqlite3 for the database source tests,
# which start a private PostgreSQL and MariaDB on loopback.
backends:
	@pkgs=""; command -v rclone >/dev/null || pkgs="$$pkgs rclone"; \
	  { command -v sshd >/dev/null || test -x /usr/sbin/sshd; } || pkgs="$$pkgs openssh-server"; \
	  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || pkgs="$$pkgs postgresql"; \
	  { command -v mariadbd >/dev/null || test -x /usr/sbin/mariadbd; } || pkgs="$$pkgs mariadb-server"; \
	  command -v mariadb-dump >/dev/null || pkgs="$$pkgs mariadb-client"; \
	  command -v sqlite3 >/dev/null || pkgs="$$pkgs sqlite3"; \
	  if [ -n "$$pkgs" ]; then echo "installing$$pkgs (apt-get)"; \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs; fi

# Installs Debian's chromium (the web UI's browser tests drive it) when it is missing.
chromium:
	@command -v chromium >/dev/null || { echo "installing chromium (apt-get)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium; }

# Builds the web UI into dist/web, which the daemon serves; again only when its sources change.
web: dist/web/index.html

dist/web/index.html: node_modules/.installed $(WEB_SOURCES)
	$(BIN)/vite build --config web/vite.config.ts --logLevel warn

build: deps web
	$(BIN)/tsc -p tsconfig.build.json
	$(BIN)/tsc -p tsconfig.client.json

# dist/restwell: one file that runs without Node.js (daemon, CLI, web UI, SQLite addon);
# see deploy/sea/build.mjs. Takes 10-20 s.
binary: deps web
	node deploy/sea/build.mjs

run: build restic
	node bin/restwell.js serve

# Fails when gen/ does not match proto/.
check-gen: deps
	$(BIN)/buf lint
	$(BIN)/buf generate
	@git diff --exit-code --stat -- gen || { echo "gen/ is stale: run 'npx buf generate' and commit it"; exit 1; }
	@test -z "$$(git status --porcelain -- gen)" || { echo "gen/ has files buf did not generate"; git status --porcelain -- gen; exit 1; }

lint: deps
	$(BIN)/biome ci .

typecheck: deps
	$(BIN)/tsc -p tsconfig.json --noEmit
	$(BIN)/tsc -p web/tsconfig.json --noEmit
	$(BIN)/tsc -p web/tsconfig.node.json --noEmit

# A test (or suite) still running after TEST_TIMEOUT ms fails instead of holding the run.
TEST_TIMEOUT ?= 600000
NODE_TEST := node --import tsx --test --test-timeout=$(TEST_TIMEOUT)

test-unit: deps
	$(NODE_TEST) --test-concurrency=2 $(TESTS_UNIT)

test-e2e: deps build restic backends chromium binary
	$(NODE_TEST) --test-concurrency=1 $(TESTS_E2E)

test: restic backends chromium check-gen typecheck lint web binary
	$(NODE_TEST) --test-concurrency=2 $(TESTS_UNIT) $(TESTS_E2E)

# Long fault runs: ROUNDS (default 50) SIGKILLs of the daemon mid-work (SEED=n replays a run's
# choices) beside a long API fuzz (FUZZ_SCALE, default 1: about 3,000 requests).
# About 10 minutes on 2 cores. Quick versions of both run in `make test`.
faults: deps restic
	node --import tsx --test --test-concurrency=2 $(TESTS_FAULTS)

# Each script rewrites its own section of BENCHMARKS.md. The first index-snapshots run builds
# a repository of 1,000 snapshots under .bench/ (about 10 minutes once; BENCH_SNAPSHOTS=N);
# the first oplog-scale run writes an operation log of 1,000,000 operations there (a few
# minutes once a week; BENCH_OPERATIONS=N).
bench: build restic chromium
	node --import tsx bench/backup-overhead.ts
	node --import tsx bench/browse-latency.ts
	node --import tsx bench/index-snapshots.ts
	node --import tsx bench/web-ui.ts
	node --import tsx bench/oplog-scale.ts
	node --import tsx bench/api-throughput.ts
	node --import tsx bench/event-subscribers.ts
	node --import tsx bench/parallel-repos.ts

clean:
	rm -rf dist
