#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster if needed and makes a throw-away role and database for
# the tests; prints `export TEST_POSTGRES_URL=…` for the caller to eval.
set -euo pipefail
if [ -n "${TEST_POSTGRES_URL:-}" ]; then echo "export TEST_POSTGRES_URL='$TEST_POSTGRES_URL'"; exit 0; fi
cluster=$(pg_lsclusters -h 2>/dev/null | head -n1 | awk '{print $1" "$2}')
if [ -z "$cluster" ]; then echo "echo 'no PostgreSQL cluster found' >&2"; exit 0; fi
set -- $cluster
pg_ctlcluster "$1" "$2" start >/dev/null 2>&1 || true
port=$(pg_lsclusters -h | head -n1 | awk '{print $3}')
for _ in $(seq 1 30); do
  su postgres -c "psql -p $port -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.5
done
su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -q" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dashboard_test') THEN
    CREATE ROLE dashboard_test LOGIN PASSWORD 'dashboard_test' CREATEDB;
  END IF;
END \$\$;
SELECT 'CREATE DATABASE dashboard_test OWNER dashboard_test'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'dashboard_test')\gexec
SQL
echo "export TEST_POSTGRES_URL='postgresql+psycopg2://dashboard_test:dashboard_test@127.0.0.1:$port/dashboard_test'"
