# The two set-up commands of the README: `make demo` and `make test`.
GO ?= go
BIN := $(CURDIR)/bin
# Keep in step with tools/pulumi/go.mod; the Automation API checks the CLI's version.
PULUMI_VERSION := v3.259.0

.PHONY: demo test build pulumi lint bench fuzz

build:
	$(GO) build -o $(BIN)/tenantctl ./programs/tenantctl

# The main job on the bundled sample fleet, with no cloud account.
demo: build
	$(BIN)/tenantctl validate --dir tenants
	$(BIN)/tenantctl list --dir tenants
	$(BIN)/tenantctl render --all --dir tenants --stacks stacks

# The Pulumi CLI (a real engine for the Automation API tests), built from the Go
# module proxy through the nested tools module so the main go.mod stays lean.
pulumi: $(BIN)/pulumi
$(BIN)/pulumi: tools/pulumi/go.mod tools/pulumi/go.sum
	cd tools/pulumi && $(GO) build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		-o $(BIN)/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# actionlint checks the GitHub workflows; built from the Go module proxy through
# its own tools module, like the Pulumi CLI.
$(BIN)/actionlint: tools/actionlint/go.mod tools/actionlint/go.sum
	cd tools/actionlint && $(GO) build -o $(BIN)/actionlint github.com/rhysd/actionlint/cmd/actionlint

lint: $(BIN)/actionlint
	$(BIN)/actionlint
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out" >&2; exit 1; fi
	$(GO) vet ./...

test: pulumi
	PATH="$(BIN):$$PATH" $(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Fuzz the tenant file loader (the seed corpus runs with every `go test`).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseTenant -fuzztime 2m -fuzzminimizetime 5s ./internal/spec
