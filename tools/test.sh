#!/usr/bin/env bash
# Builds hastore and runs the whole test suite (every CTest label: unit, conformance, fault,
# integration) on SQLite and on a PostgreSQL server it starts on 127.0.0.1 for the run, then
# the sanitizer and fuzz stages (tools/test_stages.sh): the unit, conformance and fault suites
# under ASan+UBSan, the concurrency-heavy tests under TSan, every fuzz target for a bounded time.
# Extra arguments go to ctest, e.g. `tools/test.sh -L fault`; then only that ctest runs.
# HASTORE_STAGES picks the stages: "main fuzz" (the default without arguments), or any of
# "main asan tsan fuzz". The asan and tsan stages are not in the default (CI) run yet: they have
# not passed a whole run, and the ASan build alone took 51 minutes of CPU in its one measured run. A failure in any stage fails the script, after the other stages ran.
# HASTORE_SOAK=N multiplies the work of the fault and conformance tests for a longer soak.
# HASTORE_FUZZ_SECONDS (default 20) is each fuzz target's time.
set -euo pipefail
cd "$(dirname "$0")/.."
# iproute2: the partition tests' namespaces; clang and its runtimes: the fuzz stage (libFuzzer)
HASTORE_EXTRA_PACKAGES=(postgresql odbc-postgresql iproute2 clang-14 libclang-rt-14-dev)
TIMEFORMAT="hastore: setup and build took %0R s"
time source tools/setup.sh
source tools/test_stages.sh
source tools/test_postgres.sh
hastore_start_postgres
if [ $# -gt 0 ]; then
  stages=${HASTORE_STAGES:-main}
else
  stages=${HASTORE_STAGES:-main fuzz}
fi
for stage in $stages; do
  hastore_run_stage "$stage" "$@"
done
if [ ${#HASTORE_FAILED_STAGES[@]} -gt 0 ]; then
  echo "hastore: failed stages: ${HASTORE_FAILED_STAGES[*]}" >&2
  exit 1
fi
