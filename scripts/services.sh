#!/usr/bin/env bash
# Installs (Debian packages) and starts the servers the test suite uses: PostgreSQL 15 with trust auth on 127.0.0.1,
# and Redis. Safe to run again: every step checks before it acts.
set -euo pipefail

PG_VERSION=15
PG_HBA=/etc/postgresql/$PG_VERSION/main/pg_hba.conf
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need=()
[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ] || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "services: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Trust local TCP connections so tests connect as "postgres" without a password (test machines only).
if ! $SUDO grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$PG_HBA"; then
  echo "services: trusting 127.0.0.1 in $PG_HBA"
  $SUDO sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$PG_HBA"
  grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$PG_HBA" ||
    echo "host    all    all    127.0.0.1/32    trust" | $SUDO tee -a "$PG_HBA" >/dev/null
  if pg_lsclusters -h | awk '$1=="'$PG_VERSION'" && $2=="main" && $4=="online"' | grep -q .; then
    $SUDO pg_ctlcluster $PG_VERSION main reload
  fi
fi

if ! pg_lsclusters -h | awk '$1=="'$PG_VERSION'" && $2=="main" && $4=="online"' | grep -q .; then
  echo "services: starting PostgreSQL $PG_VERSION"
  $SUDO pg_ctlcluster $PG_VERSION main start
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null
fi

for _ in $(seq 1 50); do
  if pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    echo "services: PostgreSQL and Redis are up on 127.0.0.1"
    exit 0
  fi
  sleep 0.2
done
echo "services: PostgreSQL or Redis did not come up" >&2
exit 1
