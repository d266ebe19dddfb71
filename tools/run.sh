#!/usr/bin/env bash
# The main job: builds the hastore command (with the libraries it links, not the tests) and runs
# `hastore demo` — three servers on this machine with local leases, a distributed file store and
# a singleton JDBC store on embedded SQLite, producers writing through the example queue, one
# server killed with SIGKILL, its instances migrating and recovering, and a summary (written,
# acknowledged, recovered, lost = 0, failover time).
# Extra arguments go to `hastore demo` (see `hastore demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
HASTORE_BUILD_TARGETS=(hastore)  # the demo needs the command only, not the test executables
source tools/setup.sh
"$HASTORE_BUILD_DIR/tools/hastore" demo "$@"
