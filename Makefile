# The two set-up commands are `make run` and `make test`; both find or
# start a local PostgreSQL through scripts/devdb when DATABASE_URL or
# TEST_DATABASE_URL is not set.
GO ?= go
BAYT_ADDR ?= 127.0.0.1:8080

.PHONY: help run test axe bench vet lint fuzz build clean monitoring

help: ## list the targets
	@grep -E '^[a-z/-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# run serves from memory (bayt serve --memory) only when scripts/devdb
# finds no PostgreSQL installed at all (its exit code 3); any other failure
# to reach the database stops it, so a broken database is never papered over.
# A database whose log is empty first gets the demo city (DEMO_CASES cases
# over the past year, with its campaigns), unless BAYT_DEMO=0; bayt demo
# load --if-empty looks at the log itself and says on stderr what it does.
DEMO_CASES ?= 1500

run: ## start Bayt with its database (in memory when no PostgreSQL is installed)
	@url="$$DATABASE_URL"; memory=""; \
	if [ -z "$$url" ]; then url=$$(scripts/devdb bayt); rc=$$?; \
	  if [ $$rc = 3 ]; then url=""; memory="--memory"; \
	    echo "make run: no PostgreSQL installed: serving from memory (bin/bayt serve --memory); nothing is kept when it stops" >&2; \
	  elif [ $$rc != 0 ]; then exit $$rc; fi; fi; \
	$(GO) build -o bin/bayt ./cmd/bayt || exit 1; \
	if [ -n "$$url" ]; then DATABASE_URL="$$url" bin/bayt migrate || exit 1; fi; \
	key="$$BAYT_MASTER_KEY_FILE"; \
	if [ -n "$$url" ] && [ -z "$$key" ]; then key=.data/master.key; \
	  if [ -f "$$key" ]; then echo "BAYT_MASTER_KEY_FILE is not set: using the development master key $$key"; \
	  else mkdir -p .data && bin/bayt keys init -file "$$key" >/dev/null || exit 1; \
	    echo "BAYT_MASTER_KEY_FILE is not set: made a development master key in $$key (never use it in production)"; fi; fi; \
	if [ "$${BAYT_DEMO:-1}" = 0 ]; then echo "make run: BAYT_DEMO=0: no demo city loaded" >&2; \
	elif [ -n "$$url" ]; then \
	  DATABASE_URL="$$url" BAYT_MASTER_KEY_FILE="$$key" bin/bayt demo load --if-empty --cases $(DEMO_CASES) || exit 1; \
	else echo "make run: the demo city needs PostgreSQL: the in-memory store starts empty" >&2; fi; \
	DATABASE_URL="$$url" BAYT_MASTER_KEY_FILE="$$key" BAYT_ADDR="$(BAYT_ADDR)" exec bin/bayt serve $$memory

# The browser test (TestPagesInABrowser) drives Debian's chromium and
# checks each page with axe-core, which npm installs under .cache/npm.
AXE_VERSION := 4.14
AXE := .cache/npm/node_modules/axe-core/axe.min.js

axe: ## install axe-core for the browser test (npm, under .cache/npm)
	npm install --prefix .cache/npm --no-save --no-audit --no-fund axe-core@$(AXE_VERSION) >/dev/null

# -p 1: packages one at a time, because each end-to-end test runs a whole
# server (pool, lease and LISTEN connections) and a stock PostgreSQL
# accepts 100 connections.
test: ## run every test with the race detector against a real PostgreSQL
	@test -f $(AXE) || $(MAKE) --no-print-directory axe || \
	  echo "make test: could not install axe-core (make axe); TestPagesInABrowser will fail" >&2
	@url="$$TEST_DATABASE_URL"; \
	if [ -z "$$url" ]; then url=$$(scripts/devdb bayt_test) || exit 1; fi; \
	TEST_DATABASE_URL="$$url" $(GO) test -race -count=1 -p 1 -timeout 20m ./...

# Each fuzz target runs alone for FUZZTIME (go test takes one -fuzz at a
# time); what a run finds is written under the package's testdata/fuzz and
# replayed by every later go test, so a found input stays a regression test.
# A count of inputs (300000x, some seconds here) rather than a duration:
# a run bounded by time can end with a worker mid-input, which go test
# reports as a failure ("context deadline exceeded") that found nothing.
FUZZTIME ?= 300000x
FUZZ_TARGETS := ./eventstore:FuzzCanonicalJSON ./eventstore:FuzzUpcast ./domain:FuzzDecodeEvents

fuzz: ## run each fuzz target for FUZZTIME (default 300000 inputs)
	@for t in $(FUZZ_TARGETS); do 	  pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$pkg $$name"; 	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; 	done

bench: ## run the benchmarks (figures in README.md)
	@url="$${TEST_DATABASE_URL:-$$(scripts/devdb bayt_test)}" && \
	TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -benchtime 3s ./eventstore/ ./projections/...

vet: ## go vet and gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

# The linter is built once into bin/, under its version's name, so a clean
# clone needs only the Go module proxy and a new version is fetched again.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := bin/golangci-lint-$(GOLANGCI_LINT_VERSION)

lint: $(GOLANGCI_LINT) ## golangci-lint (.golangci.yml): vet, staticcheck, errors, rows, contexts, format, layering
	$(GOLANGCI_LINT) run --allow-serial-runners ./...

# promtool, Prometheus's own checker, validates the alerting rules and runs
# their unit tests. It is a large build (Prometheus's service discoveries):
# minutes the first time, then the Go build cache makes it instant.
PROMTOOL_VERSION := v0.316.0
PROMTOOL := bin/promtool-$(PROMTOOL_VERSION)

monitoring: $(PROMTOOL) ## check the Prometheus alerting rules and run their tests with promtool
	$(PROMTOOL) check rules docs/monitoring/prometheus-rules.yml
	cd docs/monitoring && ../../$(PROMTOOL) test rules prometheus-rules.test.yml

$(PROMTOOL):
	GOBIN=$(CURDIR)/bin/.promtool $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)
	mv bin/.promtool/promtool $@
	rmdir bin/.promtool

$(GOLANGCI_LINT):
	GOBIN=$(CURDIR)/bin/.golangci-lint $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv bin/.golangci-lint/golangci-lint $@
	rmdir bin/.golangci-lint

build: ## build bin/bayt and bin/baytload (the load command)
	$(GO) build -o bin/bayt ./cmd/bayt
	$(GO) build -o bin/baytload ./cmd/baytload

clean: ## remove build output and the private database under .data/
	@if [ -d .data/pg ]; then $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl -D .data/pg stop || true; fi
	rm -rf bin .data
