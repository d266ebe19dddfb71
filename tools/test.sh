#!/usr/bin/env bash
# Builds hastore and runs the whole test suite (every CTest label: unit, conformance, fault,
# integration) on SQLite and on a PostgreSQL server it starts on 127.0.0.1 for the run.
# Extra arguments go to ctest, e.g. `tools/test.sh -L fault`.
# HASTORE_SOAK=N multiplies the work of the fault and conformance tests for a longer soak.
set -euo pipefail
cd "$(dirname "$0")/.."
HASTORE_EXTRA_PACKAGES=(postgresql odbc-postgresql iproute2)  # iproute2: the partition tests' namespaces
source tools/setup.sh
source tools/test_postgres.sh
hastore_start_postgres
ctest --test-dir "$HASTORE_BUILD_DIR" -j2 --output-on-failure "$@"
