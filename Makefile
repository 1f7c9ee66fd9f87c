# Restwell. `make run` installs, builds and starts the daemon; `make test` runs every check.
SHELL := /bin/bash
BIN := node_modules/.bin
# buf runs the local protoc-gen-es plugin from node_modules.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
TESTS_UNIT := $(shell find test -name '*.test.ts' -not -path 'test/e2e/*' 2>/dev/null | sort)
TESTS_E2E := $(shell find test/e2e -name '*.test.ts' 2>/dev/null | sort)

.PHONY: run build deps restic check-gen lint typecheck test test-unit test-e2e bench clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

# Installs Debian's restic when no restic is on PATH.
restic:
	@command -v restic >/dev/null || { echo "installing restic (apt-get)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq restic; }

build: deps
	$(BIN)/tsc -p tsconfig.build.json

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

test-unit: deps
	node --import tsx --test --test-concurrency=2 $(TESTS_UNIT)

test-e2e: deps build
	node --import tsx --test --test-concurrency=1 $(TESTS_E2E)

test: restic check-gen typecheck lint
	node --import tsx --test --test-concurrency=2 $(TESTS_UNIT) $(TESTS_E2E)

# Each script rewrites its own section of BENCHMARKS.md. The first index-snapshots run builds
# a repository of 1,000 snapshots under .bench/ (about 10 minutes once; BENCH_SNAPSHOTS=N).
bench: build restic
	node --import tsx bench/backup-overhead.ts
	node --import tsx bench/browse-latency.ts
	node --import tsx bench/index-snapshots.ts

clean:
	rm -rf dist
