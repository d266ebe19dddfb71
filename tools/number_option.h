// Numeric options of the `hastore` verbs, checked on the text the user typed.
//
// CLI11 converts an unsigned option with strtoull, which takes "-1" for 18446744073709551615
// and a number too large for the type for its largest value, and reads "010" as octal; its
// Range lets "nan" through. These validators run before the conversion and refuse, quoting the
// value as typed, anything that is not a decimal number in [min, max].
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace hastore::tools {

// A whole number (no sign but '-', no fraction, no blanks) from min to max, rewritten in the
// decimal form CLI11 reads back (it takes a leading 0 for octal): add it with transform().
CLI::Validator WholeNumber(int64_t min, uint64_t max);

// A whole number of bytes with an optional unit ("512", "1GiB"), for before
// CLI::AsSizeValue, which wraps "-1" around and takes too many digits for its largest value.
// Add it with transform() after AsSizeValue's (a transform runs before those added earlier).
CLI::Validator ByteCount();

// A finite number (a fraction and an exponent allowed) from min to max.
CLI::Validator RealNumber(double min, double max);


}  // namespace hastore::tools
