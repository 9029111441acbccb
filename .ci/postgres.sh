#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on loopback, with a role and database for the suite, and prints
# the DATABASE_URL to use. Installs Debian's postgresql and starts its cluster only when none is there.
set -euo pipefail
PGPORT="${PGPORT:-5432}"
ROLE=decision
PASSWORD=decision-ci-only
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT" 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    echo "Installing Debian's postgresql" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  fi
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    $SUDO pg_createcluster "$version" main -p "$PGPORT" >&2
  fi
  $SUDO pg_ctlcluster "$version" main start >&2
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 1; done
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
as_postgres psql -q -p "$PGPORT" -v ON_ERROR_STOP=1 >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $ROLE OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$ROLE')\gexec
SQL
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PGPORT/$ROLE"
