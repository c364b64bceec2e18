# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
DEMO   := demo
# every Kubernetes resource file (kustomization.yaml is kustomize's, not a resource)
K8S_MANIFESTS := $(filter-out %/kustomization.yaml,$(wildcard deploy/kubernetes/*.yaml))

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The analyst's whole flow on the embedded default: sample data, the local CRM, no credentials.
demo: $(STAMP)
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/leadscore sample-data --out $(DEMO)/data
	$(BIN)/leadscore audit $(DEMO)/data/deals.csv --json $(DEMO)/audit.json
	$(BIN)/leadscore build $(DEMO)/data/deals.csv --icp $(DEMO)/data/icp.yaml --leads $(DEMO)/data/leads.csv --out $(DEMO)/model
	$(BIN)/leadscore score $(DEMO)/data/leads.csv --model $(DEMO)/model/model.yaml --out $(DEMO)/scored.csv --report $(DEMO)/model/batch.md
	LEADSCORE_LOCAL__PATH=$(DEMO)/crm.db $(BIN)/leadscore crm load-sample
	LEADSCORE_LOCAL__PATH=$(DEMO)/crm.db LEADSCORE_STATE_URL=sqlite:///$(DEMO)/state.db $(BIN)/leadscore crm push $(DEMO)/scored.csv
	@echo "One pass of the service (leadscore daemon run does this on a schedule):"
	LEADSCORE_LOCAL__PATH=$(DEMO)/crm.db LEADSCORE_STATE_URL=sqlite:///$(DEMO)/state.db LEADSCORE_RULES_PATH=$(DEMO)/model/model.yaml LEADSCORE_ROUTING_PATH=rules/routing.example.yaml LEADSCORE_DAEMON__MODELS_DIR=$(DEMO)/models $(BIN)/leadscore daemon once
	@echo
	@echo "Done. Open these:"
	@echo "  report for sales leadership:  $(DEMO)/model/lead-scoring-model.md (plots in $(DEMO)/model/plots/)"
	@echo "  one page for reps:            $(DEMO)/model/rep-guide.md"
	@echo "  rules ops can edit:           $(DEMO)/model/model.yaml  (check with: leadscore rules check FILE)"
	@echo "  everything measured:          $(DEMO)/model/analysis.json, audit: $(DEMO)/audit.json"
	@echo "  scored leads:                 $(DEMO)/scored.csv (also written to the local CRM $(DEMO)/crm.db)"
	@echo
	@echo "The dashboards (overview, model performance, rep productivity, model) in your browser:"
	@echo "  LEADSCORE_STATE_URL=sqlite:///$(DEMO)/state.db LEADSCORE_RULES_PATH=$(DEMO)/model/model.yaml LEADSCORE_DAEMON__MODELS_DIR=$(DEMO)/models $(BIN)/leadscore dashboard"
	@echo "  then open http://127.0.0.1:8080/  (Ctrl-C stops it; --port to use another)"

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check service connectors tests benchmarks
	$(BIN)/ruff format --check service connectors tests benchmarks
	$(BIN)/mypy
	$(BIN)/hadolint --failure-threshold info Dockerfile
	$(BIN)/kubernetes-validate --strict --quiet $(K8S_MANIFESTS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(DEMO) .pytest_cache .mypy_cache .ruff_cache
