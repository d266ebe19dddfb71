# shellcheck shell=bash
# Sourced by tools/test.sh: the stages of a test run, one function each, so that each can also
# be run on its own (`source tools/test_stages.sh; hastore_stage_fuzz`, from the repository root,
# after tools/setup.sh installed the packages). Each stage fails (non-zero) when anything in it
# fails.
#   main  ctest of the normal build (build/, made by tools/setup.sh); extra arguments go to ctest
#   asan  the unit, conformance and fault suites built with AddressSanitizer and
#         UndefinedBehaviorSanitizer (g++, build-asan/): any report fails the test
#   tsan  the concurrency-heavy tests (group commit and the completion hand-off, the lease
#         keeper) under ThreadSanitizer (build-tsan/)
#   fuzz  every libFuzzer target of tests/fuzz under ASan+UBSan (clang, build-fuzz/), each for
#         HASTORE_FUZZ_SECONDS (default 20) over a copy of its checked-in corpus

HASTORE_SANITIZER_FILES=$PWD/tests/sanitizers
# Reports abort the process (a test fails) and name the source line.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$HASTORE_SANITIZER_FILES/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$HASTORE_SANITIZER_FILES/tsan.supp}

hastore_stage_main() {
  ctest --test-dir "${HASTORE_BUILD_DIR:-build}" -j2 --output-on-failure "$@"
}

# hastore_configure_sanitized <dir> <cmake args...>: a build directory of its own, tests only.
hastore_configure_sanitized() {
  local dir=$1
  shift
  # Static libraries: the sanitizer runtimes are linked into programs only, and the shared
  # libraries are linked with every symbol defined (--no-undefined), which instrumented code is not.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHASTORE_BUILD_BENCH=OFF -DBUILD_SHARED_LIBS=OFF "$@" >/dev/null
}

hastore_stage_asan() {
  local dir=${HASTORE_ASAN_BUILD_DIR:-build-asan}
  hastore_configure_sanitized "$dir" -DHASTORE_SANITIZE=address,undefined
  cmake --build "$dir" -j2 --target tests_unit tests_conformance tests_fault
  ctest --test-dir "$dir" -j2 --output-on-failure -L '^(unit|conformance|fault)$'
}

hastore_stage_tsan() {
  local dir=${HASTORE_TSAN_BUILD_DIR:-build-tsan}
  hastore_configure_sanitized "$dir" -DHASTORE_SANITIZE=thread
  cmake --build "$dir" -j2 --target filestore_group_commit_test ha_lease_keeper_test conformance_test
  "$dir/tests/filestore/filestore_group_commit_test"
  "$dir/tests/ha/ha_lease_keeper_test"
  # The completion hand-off: many committers waiting on their commits (file and replicated).
  "$dir/tests/conformance/conformance_test" --gtest_filter='*ConformanceTest.SixtyFourConcurrentCommitters/*:*ConformanceTest.AsynchronousCommits/*'
}

# One fuzz target for HASTORE_FUZZ_SECONDS over a scratch copy of its corpus; its log in $2.
hastore_fuzz_one() {
  local fuzzer=$1 log=$2 name
  name=$(basename "$fuzzer")
  name=${name#fuzz_}
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/hastore-fuzz-$name-XXXXXX")
  local rc=0
  "$fuzzer" -max_total_time="${HASTORE_FUZZ_SECONDS:-20}" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    tail -60 "$log" >&2
    echo "hastore: fuzz target $name failed (exit $rc); its input is kept in $work (add it to tests/fuzz/corpus/$name)" >&2
  else
    rm -rf "$work"
  fi
  return $rc
}

hastore_stage_fuzz() {
  local dir=${HASTORE_FUZZ_BUILD_DIR:-build-fuzz}
  CC=clang-14 CXX=clang++-14 hastore_configure_sanitized "$dir" -DHASTORE_FUZZ=ON -DHASTORE_BUILD_TESTS=OFF
  cmake --build "$dir" -j2 --target fuzz_all
  local logs
  logs=$(mktemp -d "${TMPDIR:-/tmp}/hastore-fuzz-logs-XXXXXX")
  # Two targets at a time (one per core).
  local fuzzers=("$dir"/tests/fuzz/fuzz_*) pids=() failed=0 f name
  for f in "${fuzzers[@]}"; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    # A target in HASTORE_FUZZ_SKIP only replays its corpus (its regression inputs), without
    # fuzzing. wire_request is there by default: it found a heap-use-after-free in the daemon
    # (a rename onto itself, fixed, its inputs in the corpus) and has had only minutes of
    # fuzzing since; it goes back once it has run clean for longer.
    case " ${HASTORE_FUZZ_SKIP-fuzz_wire_request} " in
      *" $name "*)
        echo "hastore: $name replays its corpus only (HASTORE_FUZZ_SKIP)"
        "$f" "tests/fuzz/corpus/${name#fuzz_}"/* >"$logs/$name.replay" 2>&1 || { tail -40 "$logs/$name.replay" >&2; failed=1; }
        continue
        ;;
    esac
    hastore_fuzz_one "$f" "$logs/$name.log" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  for f in "$logs"/*.log; do
    name=$(basename "$f" .log)
    local runs secs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$f" | tail -1)
    secs=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$f" | tail -1)
    echo "hastore: $name: ${runs:-?} executions in ${secs:-?} s"
  done
  rm -rf "$logs"
  return $failed
}

# hastore_run_stage <name> [ctest args...]: runs hastore_stage_<name> in a subshell that stops at
# its first failure, prints its wall-clock time, and adds its name to HASTORE_FAILED_STAGES when
# it failed. Call it as a plain command (not after `if`, `||` or `&&`, where bash ignores
# `set -e` inside it too).
HASTORE_FAILED_STAGES=()
hastore_run_stage() {
  local name=$1 rc
  shift
  local TIMEFORMAT="hastore: stage $name took %0R s"
  set +e
  time (set -e; "hastore_stage_$name" "$@")
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    echo "hastore: stage $name failed (exit $rc)" >&2
    HASTORE_FAILED_STAGES+=("$name")
  fi
}
