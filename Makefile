# The two set-up commands are `make run` and `make test`; both find or
# start a local PostgreSQL through scripts/devdb when DATABASE_URL or
# TEST_DATABASE_URL is not set.
GO ?= go
BAYT_ADDR ?= 127.0.0.1:8080

.PHONY: help run test bench vet fmt build clean

help: ## list the targets
	@grep -E '^[a-z/-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: ## start Bayt with its database (in memory when no PostgreSQL is installed)
	@url="$$DATABASE_URL"; \
	if [ -z "$$url" ]; then url=$$(scripts/devdb bayt); rc=$$?; \
	  if [ $$rc = 3 ]; then url=""; elif [ $$rc != 0 ]; then exit $$rc; fi; fi; \
	$(GO) build -o bin/bayt ./cmd/bayt || exit 1; \
	if [ -n "$$url" ]; then DATABASE_URL="$$url" bin/bayt migrate || exit 1; fi; \
	key="$$BAYT_MASTER_KEY_FILE"; \
	if [ -n "$$url" ] && [ -z "$$key" ]; then key=.data/master.key; \
	  if [ -f "$$key" ]; then echo "BAYT_MASTER_KEY_FILE is not set: using the development master key $$key"; \
	  else mkdir -p .data && bin/bayt keys init -file "$$key" >/dev/null || exit 1; \
	    echo "BAYT_MASTER_KEY_FILE is not set: made a development master key in $$key (never use it in production)"; fi; fi; \
	DATABASE_URL="$$url" BAYT_MASTER_KEY_FILE="$$key" BAYT_ADDR="$(BAYT_ADDR)" exec bin/bayt serve

# -p 1: packages one at a time, because each end-to-end test runs a whole
# server (pool, lease and LISTEN connections) and a stock PostgreSQL
# accepts 100 connections.
test: ## run every test with the race detector against a real PostgreSQL
	@url="$$TEST_DATABASE_URL"; \
	if [ -z "$$url" ]; then url=$$(scripts/devdb bayt_test) || exit 1; fi; \
	TEST_DATABASE_URL="$$url" $(GO) test -race -count=1 -p 1 -timeout 20m ./...

bench: ## run the benchmarks (figures in README.md)
	@url="$${TEST_DATABASE_URL:-$$(scripts/devdb bayt_test)}" && \
	TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -benchtime 3s ./eventstore/ ./projections/...

vet: ## go vet and gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

build: ## build bin/bayt
	$(GO) build -o bin/bayt ./cmd/bayt

clean: ## remove build output and the private database under .data/
	@if [ -d .data/pg ]; then $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl -D .data/pg stop || true; fi
	rm -rf bin .data
