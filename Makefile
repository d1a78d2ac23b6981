# The two commands a user needs: `make up` (local stack, foreground) and `make test`.
# Both create .venv and install what they need; a Java 17+ JDK is the one prerequisite.
VENV   := .venv
PY     := $(VENV)/bin/python
# Job code runs as users of its own when the stack runs as root (context_host/sandbox.py), so as
# root the virtualenv is made from an interpreter those users can run: the first Python 3.11+
# that an unprivileged user can start (pyenv's, under a private /root, cannot).
BASE_PYTHON ?= $(shell for candidate in $$(which -a python3 python3.13 python3.12 python3.11); do 	  python=$$(readlink -f $$candidate); 	  $$python -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || continue; 	  [ "$$(id -u)" != 0 ] || setpriv --reuid=65534 --regid=65534 --clear-groups $$python -c '' 2>/dev/null || continue; 	  echo $$python; break; done)
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
# The SAM CLI lives in a virtualenv of its own: its pins (boto3, cfn-lint, ...) are not the project's.
SAM_VENV  := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM       := PATH="$(abspath $(SAM_VENV))/bin:$$PATH" AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} sam

# JVM jobs, compiled with the JDK against pyspark's own jars (no Maven repository needed): the job
# API users compile against (+ Typesafe Config), the bridge the context hosts load, the examples.
# `make -s job-api` prints, as its last line, the classpath to compile a job against.
JVM_BUILD       := jvm/build
API_JAR         := $(JVM_BUILD)/job-api.jar
HOST_JAR        := $(JVM_BUILD)/host.jar
CONFIG_JAR      := $(JVM_BUILD)/typesafe-config.jar
TYPESAFE_CONFIG ?= /usr/share/java/typesafe-config.jar
SPARK_JARS       = $(abspath $(firstword $(wildcard $(VENV)/lib/python3*/site-packages/pyspark/jars)))
JAVAC           := javac --release 17 -encoding UTF-8 -nowarn -XDsuppressNotes
API_SOURCES     := $(shell find jvm/job-api/src -name '*.java')
HOST_SOURCES    := $(shell find jvm/host/src -name '*.java')
JOB_EXAMPLES    := $(shell find examples/jvm/jobs -name '*.java' 2>/dev/null)
UDF_EXAMPLES    := $(shell find examples/jvm/udf -name '*.java' 2>/dev/null)
EXAMPLE_JARS    := examples/dist/jvm_jobs.jar examples/dist/java_udf.jar

# The context host's image (Dockerfile). Fargate runs template.yaml's task definition on X86_64
# (it names no RuntimePlatform), so that is the platform built for, whatever this machine is.
IMAGE            ?= sjs-context-host:latest
IMAGE_PLATFORM   ?= linux/amd64
CONTAINER_BUILDER ?= $(firstword $(shell command -v docker podman buildah 2>/dev/null))
# More flags for the builder, e.g. --layers, or the mounts a network's TLS proxy needs.
IMAGE_BUILD_FLAGS ?=

# The local stack's state (binaries, job history, data files, logs): kept across `make up`s.
STATE_DIR ?= .sjs

.PHONY: up test bench lint examples java jvm job-api sam-build image clean clean-state chromium

up: java $(STAMP) jvm examples
	$(PY) -m infra.local

test: java $(STAMP) jvm $(SAM_STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests (web UI, Swagger UI) drive Debian's chromium; installed here when root with apt.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM" ] || { \
	   if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	     echo "Installing Chromium (Debian's chromium) for the browser tests..." >&2; \
	     { apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; } >/dev/null 2>&1; \
	   fi; \
	   command -v chromium >/dev/null 2>&1 || echo "NOTE: no chromium: the browser tests will be skipped. As root: 'apt-get install chromium', or set CHROMIUM=/path/to/chrome." >&2; }

# All benchmarks in one run (~15 min): bench/results/latest.{md,png,json}, table printed.
# Counts via BENCH_ROUNDS etc. or BENCH_ARGS (e.g. BENCH_ARGS=--quick); see `python -m bench --help`.
bench: java $(STAMP) jvm examples $(BENCH_STAMP)
	$(PY) -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)/bin/hadolint Dockerfile

examples: $(STAMP) $(EXAMPLE_JARS)
	$(PY) -m examples.build

java:
	@command -v java >/dev/null 2>&1 || { echo "ERROR: Java 17+ is required (Spark runs on the JVM) and no 'java' is on PATH. Install OpenJDK 17, e.g. 'apt-get install openjdk-17-jre-headless'."; exit 1; }
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	 [ "$${v:-0}" -ge 17 ] || { echo "ERROR: Java 17+ is required, found Java $${v:-unknown} ('java -version'). Install OpenJDK 17 or newer."; exit 1; }

$(STAMP): pyproject.toml
	@[ -n "$(BASE_PYTHON)" ] || { echo "ERROR: no Python 3.11+ with venv found (as root: one another user can run, e.g. Debian's python3 and python3-venv)." >&2; exit 1; }
	test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[host,local,cli]' --group dev
	touch $(STAMP)

# The functions and their layer for AWS, in .aws-sam/build (then `sam deploy --guided`, see README).
sam-build: $(SAM_STAMP)
	$(SAM) validate --lint
	$(SAM) build

image:
	@[ -n "$(CONTAINER_BUILDER)" ] || { echo "ERROR: no container builder found (docker, podman or buildah); set CONTAINER_BUILDER." >&2; exit 1; }
	$(CONTAINER_BUILDER) build --platform $(IMAGE_PLATFORM) $(IMAGE_BUILD_FLAGS) --tag $(IMAGE) .

$(SAM_STAMP): pyproject.toml
	@[ -n "$(BASE_PYTHON)" ] || { echo "ERROR: no Python 3.11+ with venv found." >&2; exit 1; }
	test -x $(SAM_VENV)/bin/python || $(BASE_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(SAM_VENV)/bin/python -m pip install -q --group sam
	touch $(SAM_STAMP)

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q --group bench
	touch $(BENCH_STAMP)

job-api: $(API_JAR) $(CONFIG_JAR)
	@echo "$(abspath $(API_JAR)):$(abspath $(CONFIG_JAR)):$(SPARK_JARS)/*"

jvm: $(API_JAR) $(HOST_JAR) $(CONFIG_JAR)

# Debian packages Typesafe Config (libtypesafe-config-java); installed here when root with apt.
$(CONFIG_JAR):
	@command -v javac >/dev/null 2>&1 || { echo "ERROR: a JDK 17+ (javac) is needed to build the JVM job API, e.g. 'apt-get install openjdk-17-jdk-headless'." >&2; exit 1; }
	@if [ ! -f "$(TYPESAFE_CONFIG)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	   echo "Installing Typesafe Config (Debian's libtypesafe-config-java)..." >&2; \
	   { apt-get install -y -q libtypesafe-config-java || { apt-get update -q && apt-get install -y -q libtypesafe-config-java; }; } >/dev/null 2>&1; \
	 fi
	@[ -f "$(TYPESAFE_CONFIG)" ] || { echo "ERROR: Typesafe Config is needed by the JVM job API and is not at $(TYPESAFE_CONFIG). As root: 'apt-get install libtypesafe-config-java'. Otherwise get com.typesafe:config 1.3.1+ (config-<version>.jar) and run make with TYPESAFE_CONFIG=/path/to/config.jar." >&2; exit 1; }
	@mkdir -p $(@D) && cp "$(TYPESAFE_CONFIG)" $@

$(API_JAR): $(API_SOURCES) $(CONFIG_JAR) $(STAMP)
	@rm -rf $(JVM_BUILD)/job-api && mkdir -p $(JVM_BUILD)/job-api
	@$(JAVAC) -cp "$(CONFIG_JAR):$(SPARK_JARS)/*" -d $(JVM_BUILD)/job-api $(API_SOURCES)
	@jar cf $@ -C $(JVM_BUILD)/job-api .

$(HOST_JAR): $(HOST_SOURCES) $(API_JAR)
	@rm -rf $(JVM_BUILD)/host && mkdir -p $(JVM_BUILD)/host
	@$(JAVAC) -cp "$(API_JAR):$(CONFIG_JAR):$(SPARK_JARS)/*" -d $(JVM_BUILD)/host $(HOST_SOURCES)
	@jar cf $@ -C $(JVM_BUILD)/host .

examples/dist/jvm_jobs.jar: $(JOB_EXAMPLES) $(API_JAR)
	@rm -rf $(JVM_BUILD)/jvm_jobs && mkdir -p $(JVM_BUILD)/jvm_jobs $(@D)
	@$(JAVAC) -cp "$(API_JAR):$(CONFIG_JAR):$(SPARK_JARS)/*" -d $(JVM_BUILD)/jvm_jobs $(JOB_EXAMPLES)
	@jar cf $@ -C $(JVM_BUILD)/jvm_jobs .

examples/dist/java_udf.jar: $(UDF_EXAMPLES) $(STAMP)
	@rm -rf $(JVM_BUILD)/java_udf && mkdir -p $(JVM_BUILD)/java_udf $(@D)
	@$(JAVAC) -cp "$(SPARK_JARS)/*" -d $(JVM_BUILD)/java_udf $(UDF_EXAMPLES)
	@jar cf $@ -C $(JVM_BUILD)/java_udf .

# Start afresh: the local stack's saved state goes (refused while a stack runs on it).
clean-state:
	@if [ -e "$(STATE_DIR)/stack.lock" ] && ! flock -n "$(STATE_DIR)/stack.lock" true; then \
	   echo "ERROR: a local stack is running on $(STATE_DIR); stop it (Ctrl-C) first." >&2; exit 1; fi
	rm -rf "$(STATE_DIR)"

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .sjs examples/dist $(JVM_BUILD)
