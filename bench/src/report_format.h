// Text for people and for programs: the progress line of a finished row, the aligned table
// and the JSON array (FormatTable and FormatJson are declared in hastore/bench/runner.h).
#pragma once

#include <string>

#include "hastore/bench/runner.h"

namespace hastore::bench {

// "done file Cache-Flush writers=64 size=1024: 51234 commits/s, p99 2345.6 us"
std::string FormatProgressLine(const BenchRow& row);

}  // namespace hastore::bench
