#!/usr/bin/env bash
# Builds hastore and runs the whole test suite (every CTest label: unit, conformance, fault,
# integration). Extra arguments go to ctest, e.g. `tools/test.sh -L fault`.
# HASTORE_SOAK=N multiplies the work of the fault and conformance tests for a longer soak.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/setup.sh
ctest --test-dir "$HASTORE_BUILD_DIR" -j2 --output-on-failure "$@"
