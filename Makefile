# The two commands a user needs: `make up` (local stack, foreground) and `make test`.
# Both create .venv and install what they need; Java 17+ is the one prerequisite.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: up test bench lint examples java clean

up: java $(STAMP) examples
	$(PY) -m infra.local

test: java $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# All benchmarks in one run (~10 min): bench/results/latest.{md,png,json}, table printed.
# Counts via BENCH_ROUNDS etc. or BENCH_ARGS (e.g. BENCH_ARGS=--quick); see `python -m bench --help`.
bench: java $(STAMP) $(BENCH_STAMP)
	$(PY) -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/cfn-lint template.yaml

examples: $(STAMP)
	$(PY) -m examples.build

java:
	@command -v java >/dev/null 2>&1 || { echo "ERROR: Java 17+ is required (Spark runs on the JVM) and no 'java' is on PATH. Install OpenJDK 17, e.g. 'apt-get install openjdk-17-jre-headless'."; exit 1; }
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	 [ "$${v:-0}" -ge 17 ] || { echo "ERROR: Java 17+ is required, found Java $${v:-unknown} ('java -version'). Install OpenJDK 17 or newer."; exit 1; }

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[host,local]' --group dev
	touch $(STAMP)

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q --group bench
	touch $(BENCH_STAMP)

clean:
	rm -rf $(VENV) .sjs examples/dist
