# Two entry points a newcomer needs: `make demo` (the main job on the local sandbox) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest workers for the real tier. On 2 cores, 6 took longer than 4 (the longest chain is starved of CPU).
REAL_WORKERS ?= 4
# Terraform CLI config: the user's own if it exists, else one pointing at a local provider mirror + shared cache.
TFRC = $(shell $(BIN)/python -m platform_cli.core.tfconfig)

.PHONY: install demo demo-promotion test test-fast test-fast-niced lint test-terraform scan lint-workflows test-python bench fmt docs-tables \
	comment-fixtures docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv installs what pip would (the same versions, checked) in ~9 s instead of ~57 s: `make test` waits for it first.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q 'uv==0.13.9'
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# COMPUTE=ecs_fargate runs the demo on the Fargate example environment (envs/fargate) instead of App Runner.
demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" ./scripts/demo.sh $(if $(filter ecs_fargate,$(COMPUTE)),fargate,$(or $(ENV),staging))

# The promotion story across two sandbox accounts from one terminal (scripts/demo_promotion.sh): staging deployed
# and verified, prod's foundation approved by a second person, promote, approve, apply prod, history.
demo-promotion: install
	PATH="$(CURDIR)/$(BIN):$$PATH" ./scripts/demo_promotion.sh

# Everything: what CI runs, every part side by side (each part's output is printed whole when it finishes), so the
# real tier's longest chain starts at once: it sets the time of the whole run. The fast tier, terraform test and
# checkov run at a lower priority: they only need the CPU, while that chain waits on provider waiters and must not
# be starved. (`make test-fast` alone fails a mistake in the fast tier in under a minute.)
test: install
	@$(MAKE) --no-print-directory -j5 --output-sync=target test-fast-niced test-terraform scan lint-workflows test-python

test-fast-niced: install
	@nice -n 10 $(MAKE) --no-print-directory test-fast

# No Terraform apply, no sandbox: settings, plan records, rendering, refusals made before Terraform runs, layer
# contracts, README tables, type checks (mypy), the stack/module variable check, workflow checks.
test-fast: install lint
	@$(BIN)/pytest -m "not real" -q; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no fast tests: failing on purpose"; exit 1; fi; exit $$rc

lint: install
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/lint-imports
	$(BIN)/python scripts/module_docs.py --check
	$(BIN)/mypy

# init holds the same lock as platformctl (core/tfconfig.init_lock): the plugin cache is shared with test-python.
test-terraform: install
	terraform fmt -check -recursive modules infra
	@export TF_CLI_CONFIG_FILE="$(TFRC)"; for m in modules/*/ infra/*/; do \
	  [ -d "$$m/tests" ] || continue; \
	  echo "== terraform test $$m"; \
	  (cd $$m && flock "$${TMPDIR:-/tmp}/platformctl-terraform-init.lock" terraform init -backend=false -input=false >/dev/null \
	    && nice -n 10 terraform test) || exit 1; \
	done

scan: install
	nice -n 10 $(BIN)/checkov -d modules -d infra --skip-download --quiet --compact --framework terraform

lint-workflows: install
	$(BIN)/yamllint .github envs
	$(BIN)/zizmor --offline .github/workflows

# The real tier (the fast tier already ran in test-fast). pytest exits 5 when it collects nothing: treat that as
# a failure, the suite must never silently vanish.
test-python: install
	@export TF_CLI_CONFIG_FILE="$(TFRC)"; $(BIN)/pytest -m real -n $(REAL_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=15; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; exit $$rc

bench: install
	@export TF_CLI_CONFIG_FILE="$(TFRC)"; $(BIN)/python bench/sandbox_apply.py && $(BIN)/python bench/plan_overhead.py \
	  && $(BIN)/python bench/comment_render.py && $(BIN)/python bench/comment_scan.py

fmt:
	terraform fmt -recursive modules infra

# Rewrite the Inputs/Outputs tables of every module README from its .tf files (`make test` checks them).
docs-tables: install
	$(BIN)/python scripts/module_docs.py

# Regenerate tests/comments/fixtures from real `terraform show -json` of the stack against the sandbox (~2 min).
comment-fixtures: install
	$(BIN)/python scripts/make_comment_fixtures.py

# A picture of a sample plan comment as GitHub shows it (cmarkgfm + headless Chromium); not part of `make test`.
docs: install
	$(BIN)/python scripts/render_comment_screenshot.py --plan replace --out docs/plan-comment.png

clean:
	rm -rf $(VENV) .platformctl
