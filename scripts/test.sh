#!/usr/bin/env bash
# The whole test suite: typecheck, lint and layer rules, then every test on embedded PGlite, then
# every test again on a throwaway real PostgreSQL cluster that the test setup starts and stops
# itself (test/support).
# The real-Postgres run happens when a PostgreSQL server is installed; under CI=true it is required.
set -euo pipefail
cd "$(dirname "$0")/.."

have_postgres() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; }

echo "== compile contracts (solc-js; skipped when up to date)"
npx tsx contracts/compile.ts

echo "== typecheck"
npx tsc --noEmit

echo "== lint (Biome) and layer rules (dependency-cruiser)"
npm run --silent lint
npm run --silent lint:deps

# Formatting is checked (the whole tree was formatted in a commit of its own); FORMAT_CHECK=0 skips it
# while a change is under way.
if [ "${FORMAT_CHECK:-1}" = "1" ]; then
  echo "== format check (Biome)"
  npm run --silent format:check
fi

echo "== tests on embedded PGlite"
npx vitest run "$@"

# The /ws suites again with /ws served through NATS JetStream (server/bus, issue 21): one code path
# tested both ways. Needs Debian's nats-server (CI installs it); skipped when the run names files.
if [ $# -eq 0 ]; then
  if [ -x "${NATS_SERVER:-/usr/sbin/nats-server}" ]; then
    echo "== /ws suites through NATS JetStream (WS_VIA_BUS=1)"
    WS_VIA_BUS=1 npx vitest run test/ws
  elif [ "${CI:-}" = "true" ]; then
    echo "CI=true requires nats-server (apt-get install nats-server)" >&2
    exit 1
  fi
fi

# The PostgreSQL pass skips, in a whole run, what no database is behind (the pure domain math, the
# matching engine, the Solidity registry on its EVM) and the clients' own tests: the browser tests,
# the CLI and the SDK (they test the screens, the commands' output and the client library; the API
# under them is tested on both databases in test/api and the rest, and they run on PGlite, what
# `npm start` uses). The CLI tests alone were a fifth of this pass (cn spawns a process per command).
db_free=(
  --exclude 'test/domain/**' --exclude 'test/engine/**' --exclude 'test/contracts/**'
  --exclude 'test/e2e/**' --exclude 'test/client/**' --exclude 'test/risk/cli.test.ts'
)
if have_postgres; then
  echo "== tests on a throwaway PostgreSQL cluster"
  if [ $# -eq 0 ]; then
    TEST_DB=postgres npx vitest run "${db_free[@]}"
  else
    TEST_DB=postgres npx vitest run "$@"
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true requires a PostgreSQL server (apt-get install postgresql); none found under /usr/lib/postgresql" >&2
  exit 1
else
  echo "== PostgreSQL server not installed: skipped the real-Postgres run (apt-get install postgresql to enable it)"
fi
