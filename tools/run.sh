#!/usr/bin/env bash
# The main job: builds hastore and runs a short `hastore bench` of an embedded file store
# (Direct-Write) against its two references, raw group commit and LMDB, in a temporary
# directory, showing progress as it goes. Extra arguments go to `hastore bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/setup.sh
dir=$(mktemp -d "${TMPDIR:-/tmp}/hastore-run-XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$HASTORE_BUILD_DIR/tools/hastore" bench --kinds file,raw,lmdb --policies Direct-Write \
  --writers 1,16,64 --sizes 1024 --seconds 3 --dir "$dir" "$@"
