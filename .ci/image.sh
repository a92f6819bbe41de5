#!/usr/bin/env bash
# Build the container image that tests/image/ runs (issue 26), from packages alone: this machine
# reaches no container registry, so the image's base is a Debian bookworm made here with
# debootstrap and `docker import`ed, and the project's wheels are built on this host and
# installed in the image with --no-index (HTTPS from inside a build is not trusted here).
#
#   bash .ci/image.sh              build; stdout: QUARKCTL_TEST_IMAGE=... and, when this script
#                                  started a Docker daemon, QUARKCTL_CI_DOCKERD_PID=...
#   bash .ci/image.sh stop PID     stop the daemon this script started (by its PID, nothing else: a PID
#                                  that is no dockerd with a pid file of this script's, holding that PID, is refused)
#
# Its logs, dockerd's pid file and the debootstrap tree go in a fresh folder of its own (mktemp -d under
# /var/tmp), or in QUARKCTL_CI_IMAGE_DIR, refused (exit 1, one line) unless it is a real folder of this
# user's that no one else may write to: run as root, a folder another user made would let them plant links
# that root's logs then overwrite. A folder of its own is removed after a build that started no daemon.
#
# Where no daemon can run (not root and no daemon to talk to, no apt-get to install one), it prints
# one line "[ci] image steps skipped: <reason>" on stderr, nothing on stdout, and exits 0: the image
# tests then skip. With CI=true (.ci/run on CI, as root) a daemon that will not start is an error.
# Everything but the final lines goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${QUARKCTL_CI_IMAGE:-quarkctl:ci}
BASE=${QUARKCTL_CI_BASE:-quarkctl-ci-base:bookworm} # reused when it exists: debootstrap runs once a machine
MIRROR=${QUARKCTL_CI_MIRROR:-http://deb.debian.org/debian}
WORK=${QUARKCTL_CI_IMAGE_DIR:-} # dockerd's log and pid file, the debootstrap tree: see the header
WORK_PATTERN='*/quarkctl-ci-image*' # what `stop` accepts as the folder of a daemon's pid file
WHEELS=build/image-wheels                                    # in the build context (.dockerignore lets it in)
START_TIMEOUT=60

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DOCKER_BUILDKIT=0 # the classic builder: the same on Debian's 20.10 client and a newer one without buildx

log() { printf '[image.sh] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
DOCKERD_PID="" # a daemon this script started
skip() {
    printf '[ci] image steps skipped: %s\n' "$*" >&2
    if [ -n "$DOCKERD_PID" ]; then stop_daemon "$DOCKERD_PID"; fi
    exit 0
}

ours() { # is PID a dockerd this script started: dockerd, run with --pidfile in a folder of this script's, that names PID
    local pid=$1 exe pidfile="" prev=""
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    [ "${exe##*/}" = dockerd ] || return 1
    while IFS= read -r -d '' arg; do
        if [ "$prev" = --pidfile ]; then pidfile=$arg; fi
        case $arg in --pidfile=*) pidfile=${arg#--pidfile=} ;; esac
        prev=$arg
    done <"/proc/$pid/cmdline"
    # shellcheck disable=SC2053 # a glob, on purpose
    [[ $pidfile == $WORK_PATTERN/dockerd.pid || (-n $WORK && $pidfile == "$WORK/dockerd.pid") ]] && [ ! -L "$pidfile" ] && [ "$(cat "$pidfile" 2>/dev/null)" = "$pid" ] &&
        [ "$(stat -c %u "${pidfile%/*}")" = "$(id -u)" ]
}

stop_daemon() { # the daemon this script started: SIGTERM by its PID, wait for it to go
    local pid=$1 deadline=$((SECONDS + 30))
    [[ $pid =~ ^[0-9]+$ ]] || die "stop: not a PID: $pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        log "dockerd (pid $pid) still runs after 30 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

if [ "${1:-}" = stop ]; then # a PID from the command line: stopped only when it is ours (a run's own is, by $!)
    pid=${2:?usage: image.sh stop PID}
    [[ $pid =~ ^[0-9]+$ ]] || die "stop: not a PID: $pid"
    if ! kill -0 "$pid" 2>/dev/null; then exit 0; fi
    ours "$pid" || die "stop: pid $pid is not a dockerd this script started (no pid file of its own names it); refused, left running"
    stop_daemon "$pid"
    exit 0
fi

aptlog=""
apt_install() { # Debian packages, quietly; the log is shown when apt fails
    aptlog=${aptlog:-$(mktemp /tmp/quarkctl-image-apt.XXXXXX.log)}
    log "installing $* with apt-get (output in $aptlog)"
    {
        apt-get -q -o Acquire::Retries=3 update &&
            DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
                -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=120 install "$@"
    } </dev/null >"$aptlog" 2>&1 || {
        tail -n 30 "$aptlog" >&2
        die "apt-get install $* failed"
    }
}

daemon_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_daemon() {
    if command -v docker >/dev/null 2>&1 && daemon_answers; then
        log "a Docker daemon answers: $(docker version --format 'server {{.Server.Version}}' 2>/dev/null)"
        return 0
    fi
    [ "$(uname -s)" = Linux ] || skip "not Linux: no Docker daemon here"
    if [ "$(id -u)" -ne 0 ]; then skip "no Docker daemon answers and this is not root, so none can be started"; fi
    command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 || skip "no dockerd, and no apt-get to install docker.io"
    # No bridge and no iptables: a machine like CI's has neither to give; builds and runs use the
    # host's network (--network=host).
    local own=()
    # DOCKER_HOST=unix://PATH: a daemon of its own there, its files under QUARKCTL_CI_DOCKER_ROOT (beside another daemon)
    if [[ ${DOCKER_HOST:-} == unix://* ]]; then
        local root=${QUARKCTL_CI_DOCKER_ROOT:?with DOCKER_HOST set, set QUARKCTL_CI_DOCKER_ROOT too}
        own=(--host "$DOCKER_HOST" --data-root "$root/data" --exec-root "$root/exec")
    fi
    log "starting dockerd (log $WORK/dockerd.log)"
    setsid dockerd --bridge=none --iptables=false --ip6tables=false --pidfile "$WORK/dockerd.pid" "${own[@]}" \
        </dev/null >"$WORK/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    local deadline=$((SECONDS + START_TIMEOUT))
    until daemon_answers; do
        if ! kill -0 "$DOCKERD_PID" 2>/dev/null || ((SECONDS >= deadline)); then
            tail -n 20 "$WORK/dockerd.log" >&2 || true
            kill -0 "$DOCKERD_PID" 2>/dev/null && stop_daemon "$DOCKERD_PID"
            if [ "${CI:-}" = true ]; then die "dockerd did not start (log above)"; fi
            skip "dockerd could not start here (no privileges for it?); its log is $WORK/dockerd.log"
        fi
        sleep 0.5
    done
    log "dockerd up (pid $DOCKERD_PID)"
}

ensure_base() { # a Debian bookworm minbase as an image: no Python, which the Dockerfile then installs
    if docker image inspect "$BASE" >/dev/null 2>&1; then
        log "base image $BASE is there already"
        return 0
    fi
    command -v debootstrap >/dev/null 2>&1 || skip "no debootstrap to make the base image (apt-get install debootstrap)"
    local root=$WORK/rootfs t0=$SECONDS
    rm -rf "$root"
    log "debootstrap --variant=minbase bookworm into $root"
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" </dev/null >"$WORK/debootstrap.log" 2>&1 || {
        tail -n 30 "$WORK/debootstrap.log" >&2
        die "debootstrap failed"
    }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | docker import - "$BASE" >/dev/null
    rm -rf "$root"
    log "base image $BASE made in $((SECONDS - t0)) s"
}

build_wheels() { # the project and what it needs, and the build backend for `pip install /src` in the image
    local t0=$SECONDS here
    # Wheels with compiled parts (SQLAlchemy, PyYAML) are built for this Python; the image's is bookworm's 3.11.
    here=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    [ "$here" = 3.11 ] || die "python3 here is $here; the image's (Debian bookworm's) is 3.11, which the wheels must fit"
    rm -rf "$WHEELS"
    python3 -m pip wheel --quiet --wheel-dir "$WHEELS" . 'setuptools>=68' wheel 'babel>=2.12' \
        </dev/null >"$WORK/wheels.log" 2>&1 || {
        tail -n 30 "$WORK/wheels.log" >&2
        die "pip wheel failed (log $WORK/wheels.log)"
    }
    # The image builds quarkctl from its source (as on any machine); its wheel here would only change the
    # build context, and with it the image, on every run.
    rm -f "$WHEELS"/quarkctl-*.whl
    log "$(find "$WHEELS" -name '*.whl' | wc -l) wheels in $WHEELS in $((SECONDS - t0)) s"
}

ensure_packages() { # as root with apt-get: Debian's docker.io, debootstrap and docker-compose, each if missing
    local missing=()
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 0
    command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    # tests/image/test_static.py runs `docker-compose config` on compose.yaml where a compose is installed
    command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
    if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
}

quarkctl_leftovers() { # the untagged images of quarkctl's Dockerfile (its LABEL), by ID
    docker images --quiet --no-trunc --filter dangling=true --filter label=org.opencontainers.image.title=quarkctl | sort -u
}

main() {
    local t0=$SECONDS
    ensure_packages
    ensure_daemon
    ensure_base
    build_wheels
    local before
    before=$(quarkctl_leftovers)
    log "docker build -t $IMAGE (base $BASE)"
    docker build --network=host --build-arg "BASE=$BASE" --build-arg "WHEELS=$WHEELS" -t "$IMAGE" . \
        </dev/null >"$WORK/build.log" 2>&1 || {
        tail -n 40 "$WORK/build.log" >&2
        die "docker build failed (log $WORK/build.log)"
    }
    # The image this tag named before, which the build left untagged, and the build stage's (so its `pip
    # install` is not cached from one run to the next: ~20 s, against a disk that would fill): the untagged
    # quarkctl images this build left, and only those: on a shared daemon, other users' are not ours to remove.
    local id
    for id in $(quarkctl_leftovers); do
        if ! grep -qx "$id" <<<"$before"; then docker image rm "$id" >/dev/null 2>&1 || true; fi
    done
    log "image $IMAGE built ($(docker image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%d MB", $1 / 1e6}')); all in $((SECONDS - t0)) s"
}

on_exit() { # a failed build leaves no daemon of ours behind
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -n "$DOCKERD_PID" ]; then stop_daemon "$DOCKERD_PID"; fi
    if [ -n "$aptlog" ] && [ "$rc" -eq 0 ]; then rm -f "$aptlog"; fi
}
trap on_exit EXIT

make_work() { # the folder of the logs: a fresh one, or QUARKCTL_CI_IMAGE_DIR when it is safe (the header)
    if [ -z "$WORK" ]; then
        WORK=$(mktemp -d /var/tmp/quarkctl-ci-image.XXXXXX) || die "cannot make a folder under /var/tmp"
        OWN_WORK=1
        return 0
    fi
    [[ $WORK == /* ]] || die "QUARKCTL_CI_IMAGE_DIR=$WORK: not an absolute path"
    if [ ! -e "$WORK" ] && [ ! -L "$WORK" ]; then mkdir -m 700 "$WORK" || die "QUARKCTL_CI_IMAGE_DIR=$WORK: cannot create it"; fi
    if [ -L "$WORK" ] || [ ! -d "$WORK" ]; then die "QUARKCTL_CI_IMAGE_DIR=$WORK: not a folder (a symbolic link?); refused"; fi
    local owner mode
    owner=$(stat -c %u "$WORK") mode=$(stat -c %a "$WORK")
    [ "$owner" = "$(id -u)" ] || die "QUARKCTL_CI_IMAGE_DIR=$WORK: owned by uid $owner, not this user; refused"
    (((8#$mode & 8#022) == 0)) || die "QUARKCTL_CI_IMAGE_DIR=$WORK: others may write to it (mode $mode); refused"
}
OWN_WORK=""
make_work
main
if [ -n "$OWN_WORK" ] && [ -z "$DOCKERD_PID" ]; then rm -rf "$WORK"; fi
printf 'QUARKCTL_TEST_IMAGE=%s\n' "$IMAGE"
if [ -n "$DOCKERD_PID" ]; then printf 'QUARKCTL_CI_DOCKERD_PID=%s\n' "$DOCKERD_PID"; fi
