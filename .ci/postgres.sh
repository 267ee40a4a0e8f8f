#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests (as the postgres user: pg_ctl refuses
# root) and print the URL to export as MICROCRED_TEST_POSTGRES_URL.
# Usage: eval "$(bash .ci/postgres.sh)"
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ]; then
  echo "postgresql is not installed" >&2
  exit 1
fi
DATA=${MICROCRED_PG_DATA:-/tmp/microcred-pg}
PORT=${MICROCRED_PG_PORT:-55432}
SOCK=/tmp
if [ ! -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  install -d -o postgres -g postgres "$DATA"
  su postgres -c "$PGBIN/initdb -D $DATA -A trust -U postgres" >/dev/null
fi
if ! su postgres -c "$PGBIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  su postgres -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -w -o '-k $SOCK -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off' start" >/dev/null
fi
su postgres -c "$PGBIN/psql -h $SOCK -p $PORT -U postgres -tc \"SELECT 1 FROM pg_database WHERE datname='microcred_test'\"" | grep -q 1 \
  || su postgres -c "$PGBIN/createdb -h $SOCK -p $PORT -U postgres microcred_test"
echo "export MICROCRED_TEST_POSTGRES_URL='postgresql+psycopg://postgres@127.0.0.1:$PORT/microcred_test'"
