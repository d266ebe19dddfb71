// A fixed-size log-bucket latency histogram (HDR style): each power of two of nanoseconds is
// split into kSubBuckets linear buckets, so any recorded value is known to within 1/64
// (1.6 %) over the whole 64-bit range, in 30 KiB per histogram, allocated once.
//
// Not thread-safe: each writer thread records into its own, and the runner merges them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hastore::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(uint64_t nanos);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // The latency at quantile q (0 < q <= 1) in microseconds: the midpoint of the bucket that
  // holds the ceil(q * count)-th smallest sample; 0 when empty.
  double QuantileMicros(double q) const;

 private:
  static constexpr int kSubBucketBits = 6;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  // Values below kSubBuckets get one bucket each; every later power of two gets kSubBuckets.
  static constexpr size_t kBucketCount = kSubBuckets + (64 - kSubBucketBits) * kSubBuckets;

  static size_t BucketOf(uint64_t nanos);
  static uint64_t LowerBound(size_t bucket);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
};

}  // namespace hastore::bench
