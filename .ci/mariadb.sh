#!/usr/bin/env bash
# Make sure a local MariaDB server is installed, running and provisioned for the
# quarkctl MySQL tests.  A server that already answers on 127.0.0.1:$DB_PORT
# (3306) is used; otherwise this script starts a server of its own, on its own
# port ($OWN_PORT, 33306) and data directory ($OWN_DIR), never a second server on
# another one's datadir, and never waiting on a mariadbd that listens elsewhere.
#
# Idempotent: safe to run again, and on a dev machine where MariaDB already
# runs.  Needs root (apt-get, starting the server, root login via unix_socket).
# Works without systemd: the server is started directly in the background.
#
# stdout: exactly one line at the end,
#   QUARKCTL_TEST_MYSQL_URL=mysql+pymysql://...
# Everything else goes to stderr.
set -euo pipefail

DB_NAME=quarkctl_test
DB_USER=quarkctl
DB_PASS=quarkctl-test-pw # test-only password
DB_HOST=127.0.0.1
DB_PORT=${QUARKCTL_CI_FIND_PORT:-3306} # where a running server is looked for first
START_TIMEOUT=60 # seconds to wait for the server to answer
OWN_PORT=${QUARKCTL_CI_DB_PORT:-33306}                  # our own server, when none answers on DB_PORT
OWN_DIR=${QUARKCTL_CI_DB_DIR:-/var/tmp/quarkctl-ci-mariadb} # its datadir, socket, pid file and log
SOCKET=""                                               # root's socket for provisioning ("": the default)

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { printf '[mariadb.sh] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

find_cmd() { # first of the given commands that exists
    local c
    for c in "$@"; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

server_bin() { find_cmd mariadbd mysqld; }

# Success if something answers the MySQL protocol on 127.0.0.1:3306.
# `ping` exits 0 even on "Access denied", so the account need not exist yet;
# using the test account keeps the server's error log free of access-denied
# warnings once it does.
tcp_ping() {
    "$ADMIN" --no-defaults --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" \
        -u "$DB_USER" -p"$DB_PASS" --connect-timeout=2 ping >/dev/null 2>&1
}

# Is this pid a live process?  (kill -0 also succeeds on zombies, and killed
# servers can stay zombies for a while when PID 1 does not reap them.)
alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "${state:0:1}" != Z ]
}

server_pids() { # live mariadbd/mysqld processes
    local p
    for p in $(pgrep -x 'mariadbd|mysqld' 2>/dev/null); do
        if alive "$p"; then echo "$p"; fi
    done
}

# Value of a [mysqld]/[mariadb]/[server] option from the config files.
mysqld_option() {
    local name=$1 default=$2 value
    value=$(my_print_defaults --mysqld 2>/dev/null |
        sed -n "s/^--${name}=//p" | tail -n 1) || true
    printf '%s\n' "${value:-$default}"
}

log_tail() {
    local f
    for f in "$@"; do
        if [ -s "$f" ]; then
            log "---- last lines of $f ----"
            tail -n 40 "$f" >&2
            log "---- end of $f ----"
        fi
    done
}

# Wait until the server answers.  Returns 1 as soon as none of the given
# server pids is alive any more, 2 on timeout.
wait_for_server() {
    local deadline=$((SECONDS + START_TIMEOUT)) p any
    while ((SECONDS < deadline)); do
        tcp_ping && return 0
        any=""
        for p in "$@"; do
            if alive "$p"; then any=1; fi
        done
        if [ -z "$any" ]; then
            tcp_ping && return 0
            return 1
        fi
        sleep 0.5
    done
    tcp_ping && return 0
    return 2
}

install_server() {
    [ "$(id -u)" -eq 0 ] || die "MariaDB is not installed and this is not root; install mariadb-server first"
    command -v apt-get >/dev/null 2>&1 || die "MariaDB is not installed and apt-get is missing"
    local aptlog added_policy=""
    aptlog=$(mktemp /tmp/quarkctl-apt.XXXXXX.log)
    # Keep the package's maintainer scripts from starting the server: we start
    # it ourselves below, the same way on every machine, with our options.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT # even if we are interrupted
    fi
    local t0=$SECONDS rc=0
    log "installing mariadb-server with apt-get (output in $aptlog)"
    # All apt output goes to the log file (shown on failure); no daemon started
    # by a maintainer script may keep our stdout/stderr pipes open.
    {
        apt-get -q -o Acquire::Retries=3 update &&
            DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
                -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=120 \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
                install mariadb-server
    } </dev/null >"$aptlog" 2>&1 || rc=$?
    if [ -n "$added_policy" ]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
    if [ "$rc" -ne 0 ]; then
        log_tail "$aptlog"
        die "apt-get failed (exit $rc)"
    fi
    grep -E '^(W|E): ' "$aptlog" >&2 || true
    rm -f "$aptlog"
    log "apt-get install took $((SECONDS - t0)) s"
}

sock_opt() { if [ -n "$SOCKET" ]; then printf -- '--socket=%s' "$SOCKET"; else printf -- '--no-beep'; fi; }

# Our own server: own datadir, port and socket, so it never fights another
# server over a datadir or a port.  Reused when a previous run left it running.
start_own_server() {
    local bin datadir=$OWN_DIR/data errlog=$OWN_DIR/error.log pid t0=$SECONDS as=() rc=0
    bin=$(server_bin)
    SOCKET=$OWN_DIR/mysqld.sock
    DB_PORT=$OWN_PORT
    if tcp_ping; then
        log "our own server already answers on $DB_HOST:$DB_PORT"
        return 0
    fi
    mkdir -p "$OWN_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        if id mysql >/dev/null 2>&1; then as=(--user=mysql); else as=(--user=root); fi
    fi
    if [ ! -d "$datadir/mysql" ]; then
        log "initialising a datadir of our own in $datadir"
        mkdir -p "$datadir"
        "$(find_cmd mariadb-install-db mysql_install_db)" --no-defaults "${as[@]}" --datadir="$datadir" \
            --auth-root-authentication-method=socket --skip-test-db \
            </dev/null >"$OWN_DIR/install-db.log" 2>&1 ||
            {
                log_tail "$OWN_DIR/install-db.log"
                die "mariadb-install-db failed"
            }
    fi
    if [ "${as[0]:-}" = --user=mysql ]; then chown -R mysql:mysql "$OWN_DIR"; fi
    log "starting our own $bin on $DB_HOST:$DB_PORT (datadir $datadir, error log $errlog)"
    # setsid + all fds redirected: the server must not hold the caller's pipes.
    setsid "$bin" --no-defaults "${as[@]}" --datadir="$datadir" \
        --bind-address="$DB_HOST" --port="$DB_PORT" \
        --socket="$SOCKET" --pid-file="$OWN_DIR/mysqld.pid" --log-error="$errlog" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        </dev/null >>"$errlog" 2>&1 &
    pid=$!
    wait_for_server "$pid" || rc=$?
    if [ "$rc" -ne 0 ]; then
        log_tail "$errlog"
        die "our own MariaDB (pid $pid) did not answer on $DB_HOST:$DB_PORT (exit $rc)"
    fi
    log "own server up (pid $pid) after $((SECONDS - t0)) s"
}

provision() {
    local sql db_pat
    # `_` is a wildcard in GRANT database names: escape it.
    db_pat="${DB_NAME//_/\\_}"
    sql=$(
        cat <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON \`$db_pat\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`$db_pat\\_%\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL
    )
    # root@localhost authenticates via unix_socket on Debian (we are root).
    local err
    if err=$("$CLIENT" "$(sock_opt)" -u root --batch </dev/null -e "$sql" 2>&1); then
        log "database '$DB_NAME' and user '$DB_USER' are in place"
        return 0
    fi
    log "could not provision as MariaDB root via the unix socket: $err"
    # Dev machine where root needs a password: fine if the account already works.
    if "$CLIENT" --no-defaults --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" \
        -u "$DB_USER" -p"$DB_PASS" --connect-timeout=5 "$DB_NAME" \
        -e 'SELECT 1' </dev/null >/dev/null 2>&1; then
        log "WARNING: '$DB_USER' can already log in to '$DB_NAME'; skipping provisioning"
        return 0
    fi
    die "cannot provision the test database; create it by hand (see .ci/mariadb.sh)"
}

main() {
    local t0=$SECONDS
    if ! server_bin >/dev/null; then
        log "no MariaDB server binary found"
        install_server
        server_bin >/dev/null || die "still no mariadbd/mysqld after installing mariadb-server"
    fi
    ADMIN=$(find_cmd mariadb-admin mysqladmin) || die "mariadb-admin/mysqladmin not found"
    CLIENT=$(find_cmd mariadb mysql) || die "mariadb/mysql client not found"

    if tcp_ping; then
        log "MariaDB already answers on $DB_HOST:$DB_PORT"
    else
        local pids
        pids=$(server_pids | tr '\n' ' ')
        # A mariadbd that does not answer here listens elsewhere (or is starting on its own
        # datadir): leave it alone and start ours beside it.
        if [ -n "$pids" ]; then log "a server process runs (pid ${pids% }) but not on $DB_HOST:$DB_PORT; starting our own"; fi
        start_own_server
    fi
    provision
    log "done in $((SECONDS - t0)) s"
}

main "$@" >&2
printf 'QUARKCTL_TEST_MYSQL_URL=mysql+pymysql://%s:%s@%s:%s/%s?charset=utf8mb4\n' \
    "$DB_USER" "$DB_PASS" "$DB_HOST" "$DB_PORT" "$DB_NAME"
