# profilegraph — the usual tasks. `make test` is the README's test command and what CI runs.
SHELL := /bin/bash
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export TEST_DATABASE_URL

FUZZTIME ?= 60s
# FUZZPARALLEL bounds the fuzzing workers (the machines are shared).
FUZZPARALLEL ?= 1
# FUZZMINIMIZETIME bounds the minimizing of each new input, which otherwise eats the run.
FUZZMINIMIZETIME ?= 2s

NPM_CI := npm ci --ignore-scripts --no-audit --no-fund

.PHONY: run test generate lint check-generated bench bench-load fuzz client schema-check graphiql-assets

## run: serve on :4001 with the embedded store, demo data and printed dev tokens
run:
	go run .

## test: the whole suite (PostgreSQL suites, end-to-end, federation) with the race detector
test: client schema-check
	$(NPM_CI) --prefix testdata/federation
	$(NPM_CI) --prefix httpaudit
	$(NPM_CI) --prefix graphiql
	go test -race -count=1 ./...

## client: build the TypeScript client (codegen, trusted-documents manifest, type check) and
## fail if the committed generated files or manifest are stale
client:
	$(NPM_CI) --prefix clients/typescript
	npm run --prefix clients/typescript check

## graphiql-assets: copy the pinned GraphiQL and React builds from npm into graphiql/assets
## (embedded in the binary); CI checks that this reproduces the committed files
graphiql-assets:
	$(NPM_CI) --prefix graphiql
	npm run --prefix graphiql assets

## schema-check: fail on a breaking change of schema.graphqls against schema/published.graphqls
schema-check:
	$(NPM_CI) --prefix tools/schema-check
	node tools/schema-check/check.mjs

## generate: regenerate gqlgen code from schema.graphqls and gqlgen.yml
generate:
	go generate ./...

## check-generated: fail if generated code is not what the generator makes
check-generated: generate
	git diff --exit-code -- graph resolvers internal/benchload/ceiling
	test -z "$$(git status --porcelain -- graph resolvers internal/benchload/ceiling)"

## lint: gofmt, go vet and staticcheck
lint:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...
	# graph/ is gqlgen's output; staticcheck flags patterns in its templates we cannot change.
	go run $(STATICCHECK) $$(go list ./... | grep -v '/graph')

## bench: the benchmarks (not run by test)
bench:
	go test -run '^$$' -bench . -benchmem ./...

## bench-load: the load benchmark of issue 8 (seeds a fresh database, drives profilegraph,
## a net/http floor and a gqlgen ceiling; not run by test). BENCH_LOAD_FLAGS passes flags,
## e.g. make bench-load BENCH_LOAD_FLAGS='-duration 20s -persons 1000'
bench-load:
	go run ./cmd/bench-load $(BENCH_LOAD_FLAGS)

## fuzz: run each fuzz target for FUZZTIME (default 60s); their seed corpora run in `make test`
FUZZ_TARGETS := \
	./profile:FuzzNormalizeDisplayName ./profile:FuzzValidateAvatarURL ./profile:FuzzNormalizeBio \
	./profile:FuzzNormalizePhone ./profile:FuzzNormalizeEmail ./profile:FuzzValidateUsername \
	./resolvers:FuzzCheckRepresentation ./resolvers:FuzzDecodeCursor \
	./auth:FuzzReadClaims ./auth:FuzzVerify \
	./api:FuzzCheckDocument ./api:FuzzComplexity ./api:FuzzDecodeBody \
	./cache:FuzzCacheDecode
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) -parallel $(FUZZPARALLEL) $$pkg; \
	done
