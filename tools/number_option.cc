#include "number_option.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>

namespace hastore::tools {
namespace {

// -9223372036854775808 has no positive int64_t; its magnitude as an unsigned one.
uint64_t Magnitude(int64_t negative) { return static_cast<uint64_t>(-(negative + 1)) + 1; }

// A decimal whole number (one '-' allowed): its sign and magnitude; nullopt for anything else,
// including blanks, a '+', a fraction and more than 64 bits.
struct Whole {
  bool negative = false;
  uint64_t magnitude = 0;
};

std::optional<Whole> ParseWhole(std::string_view text) {
  Whole w;
  w.negative = !text.empty() && text[0] == '-';
  if (w.negative) text.remove_prefix(1);
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), w.magnitude);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (w.magnitude == 0) w.negative = false;  // "-0"
  return w;
}

bool InRange(const Whole& w, int64_t min, uint64_t max) {
  if (!w.negative) return w.magnitude <= max && (min <= 0 || w.magnitude >= static_cast<uint64_t>(min));
  return min < 0 && w.magnitude <= Magnitude(min);
}

// The decimal text CLI11 converts back to the same value (it would read "010" as octal).
std::string Canonical(const Whole& w) { return (w.negative ? "-" : "") + std::to_string(w.magnitude); }

bool RealInRange(const std::string& text, double min, double max) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value) && value >= min && value <= max;
}

std::string Shortest(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

CLI::Validator WholeNumber(int64_t min, uint64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        const std::optional<Whole> w = ParseWhole(text);
        if (!w || !InRange(*w, min, max)) return "'" + text + "' is not a whole number from " + range;
        text = Canonical(*w);
        return "";
      },
      "INT in [" + range + "]", "WholeNumber");
}

CLI::Validator RealNumber(double min, double max) {
  const std::string range = Shortest(min) + " to " + Shortest(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        if (RealInRange(text, min, max)) return "";
        return "'" + text + "' is not a number from " + range;
      },
      "NUMBER in [" + range + "]", "RealNumber");
}

CLI::Validator ByteCount() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const size_t digits = text.find_first_not_of("0123456789");
        const std::string number = text.substr(0, digits);
        const std::optional<Whole> w = ParseWhole(number);
        const bool unit_only = digits == std::string::npos ||
                               text.find_first_not_of(" \tabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", digits) ==
                                   std::string::npos;
        if (!w || !unit_only) return "'" + text + "' is not a byte count (a whole number with an optional unit)";
        text = Canonical(*w) + text.substr(number.size());
        return "";
      },
      "", "ByteCount");
}

}  // namespace hastore::tools
