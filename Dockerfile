# quarkctl in a container (README, Docker): `docker build -t quarkctl .`
#
# BASE: any Debian-based image. The default is the public Python image; CI builds from a Debian
# bookworm it made itself (.ci/image.sh), which has no Python: Debian's is installed then.
# WHEELS: a folder of the build context holding wheels of everything pip needs (CI's, built on
# the host): then nothing is fetched from an index.
ARG BASE=python:3.12-slim-bookworm

FROM ${BASE} AS runtime
LABEL org.opencontainers.image.title="quarkctl" \
      org.opencontainers.image.description="Check Quark cloud drive share links; the quark-auto-save job"
# Python, the time zones (the schedule runs on Asia/Shanghai time) and the CA bundle (Quark is
# HTTPS), each only when the base lacks it. Debian's current packages: the base pins the release.
# hadolint ignore=DL3008,SC2086
RUN set -eu; need=""; \
    command -v python3 >/dev/null 2>&1 || need="python3 python3-venv"; \
    [ -e /usr/share/zoneinfo/Asia/Shanghai ] || need="$need tzdata"; \
    [ -e /etc/ssl/certs/ca-certificates.crt ] || need="$need ca-certificates"; \
    if [ -n "$need" ]; then \
        apt-get update; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need; \
        rm -rf /var/lib/apt/lists/*; \
    fi

FROM runtime AS build
ARG WHEELS=""
# A mirror for pip (`--build-arg PIP_INDEX_URL=https://mirrors.example/pypi/simple`, where the default index is
# slow or out of reach); unset, pip's default. pip reads it from the environment the argument gives the RUN.
ARG PIP_INDEX_URL
COPY . /src
RUN set -eu; \
    if [ -n "$WHEELS" ]; then set -- --no-index --find-links "/src/$WHEELS"; fi; \
    python3 -m venv /opt/quarkctl; \
    /opt/quarkctl/bin/pip install --no-cache-dir --disable-pip-version-check "$@" /src; \
    /opt/quarkctl/bin/quarkctl --version

FROM runtime
COPY --from=build /opt/quarkctl /opt/quarkctl
# One volume for what quarkctl keeps: the embedded SQLite database (/data/quarkctl/quarkctl.db), the
# run locks and the logs (/data/state/quarkctl/), the .env and autosave's quark_config.json
# (/data/config/quarkctl/, the working folder, so `./.env` is found there too). The help cache goes
# to /tmp: the root file system may be read-only (`docker run --read-only --tmpfs /tmp`). TZ: the jobs'
# `--until 07:50` and the log and history times are Beijing time, as the schedule is (tzdata above).
ENV PATH=/opt/quarkctl/bin:$PATH \
    TZ=Asia/Shanghai \
    XDG_DATA_HOME=/data \
    XDG_STATE_HOME=/data/state \
    XDG_CONFIG_HOME=/data/config \
    XDG_CACHE_HOME=/tmp/cache \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin quarkctl \
    && install -d -o quarkctl -g quarkctl -m 0755 /data /data/config \
    && install -d -o quarkctl -g quarkctl -m 0700 /data/config/quarkctl
VOLUME ["/data"]
WORKDIR /data/config/quarkctl
USER 10001:10001
HEALTHCHECK --interval=5m --timeout=30s --start-period=10s CMD ["quarkctl", "--version"]
ENTRYPOINT ["/opt/quarkctl/bin/quarkctl"]
# The jobs of crontab.example, one at a time, in the foreground; SIGTERM ends it after the running
# job's partial report.
CMD ["schedule", "run"]
