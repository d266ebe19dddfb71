#include "latency_histogram.h"

#include <bit>
#include <cassert>
#include <cmath>

namespace hastore::bench {

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

size_t LatencyHistogram::BucketOf(uint64_t nanos) {
  if (nanos < kSubBuckets) return static_cast<size_t>(nanos);
  const int shift = std::bit_width(nanos) - 1 - kSubBucketBits;  // >= 0
  const uint64_t sub = (nanos >> shift) - kSubBuckets;            // in [0, kSubBuckets)
  return static_cast<size_t>(kSubBuckets + static_cast<uint64_t>(shift) * kSubBuckets + sub);
}

uint64_t LatencyHistogram::LowerBound(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const uint64_t shift = (bucket - kSubBuckets) / kSubBuckets;
  const uint64_t sub = (bucket - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

void LatencyHistogram::Record(uint64_t nanos) {
  const size_t b = BucketOf(nanos);
  assert(b < counts_.size());
  ++counts_[b];
  ++count_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
}

double LatencyHistogram::QuantileMicros(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= rank) {
      const uint64_t lo = LowerBound(b);
      const uint64_t width = (b + 1 < counts_.size() ? LowerBound(b + 1) : lo + 1) - lo;
      return (static_cast<double>(lo) + static_cast<double>(width) / 2.0) / 1000.0;
    }
  }
  return static_cast<double>(LowerBound(counts_.size() - 1)) / 1000.0;  // not reached
}

}  // namespace hastore::bench
