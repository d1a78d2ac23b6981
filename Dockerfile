# The context host's image (template.yaml's ContextHostImage): Java 17, this project's `host` extra,
# `python -m context_host`. Build it with `make image` (docker, podman or buildah).
#
# It runs as root, as the host needs to: it runs each context's job code as a system user of its
# own (context_host/sandbox.py makes them with useradd), never as root.

FROM python:3.11-slim-bookworm AS runtime

# Spark's JVM (Debian's OpenJDK 17); procps: Spark's launch scripts call ps. Versions follow
# Debian's security updates rather than a pin that would stop building when one lands.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
 && rm -rf /var/lib/apt/lists/*

ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app

# The dependencies first, read from pyproject.toml (its [project] dependencies and the host
# extra), so a change of the code alone reuses this layer (pyspark is ~400 MB).
COPY pyproject.toml README.md ./
RUN python -m venv "$VIRTUAL_ENV" \
 && python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(*p["dependencies"], *p["optional-dependencies"]["host"], sep="\n")' > /tmp/requirements.txt \
 && pip install --no-cache-dir --requirement /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The project itself, editable as `make` installs it: the host finds the JVM bridge's jars next
# to its code (jvm/build/, context_host/jvm_bridge.py).
COPY context_host context_host
COPY events events
COPY infra infra
COPY sparkjobserver sparkjobserver
RUN pip install --no-cache-dir --no-deps --editable .


# The JVM job API and the bridge, compiled as `make jvm` compiles them: against pyspark's jars
# (the runtime's virtualenv stands in for make's .venv) and Debian's Typesafe Config.
FROM runtime AS jvm
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless libtypesafe-config-java make \
 && rm -rf /var/lib/apt/lists/*
COPY Makefile ./
COPY jvm jvm
RUN touch "$VIRTUAL_ENV/.installed" && make jvm VENV="$VIRTUAL_ENV"


FROM runtime
COPY --from=jvm /app/jvm/build/job-api.jar /app/jvm/build/host.jar /app/jvm/build/typesafe-config.jar jvm/build/
# A CMD, not an ENTRYPOINT: the ECS launcher's command override (infra/launchers/ecs.py) is the
# whole command, `python -m context_host --context NAME --context-id ID`.
CMD ["python", "-m", "context_host"]
