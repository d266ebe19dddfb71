// Recovery: finds the log among an instance's segment files, checks every batch and record,
// and rebuilds the index.
//
// The log is a chain: each segment's header names the segment before it and where that one
// ends (its seal). The head is the valid segment with the highest (epoch, number); the chain
// is followed back from it. Bytes past a seal are ignored: they can only be writes of a fenced
// owner or the torn tail the seal was made over. Segment files outside the chain are orphans:
// torn creations, or segments a fenced owner made after it lost the instance.
//
// Torn-write rules (why a bad batch is sometimes not corruption): the writer keeps at most one
// batch unsynced and acknowledges nothing before it is synced. So a crash can leave at most one
// bad batch, at the very end of the head segment, with nothing valid after it: that is the end
// of the log. A bad batch anywhere else, or one followed by a valid batch, means bytes that
// were durable have changed: corruption, reported with file and offset.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "format.h"
#include "hastore/storage/io.h"
#include "record_index.h"

namespace hastore::filestore {

struct SegmentInfo {
  uint32_t number = 0;
  std::string name;      // file name
  SegmentHeader header;
  uint64_t end = 0;      // end of the log in this segment
  uint64_t last_seq = 0; // sequence number of its last batch (first_seq - 1 when empty)
  uint64_t batches = 0;
  // Direct-Write-With-Cache: the bytes of its mirror under RecoveryOptions::cache_base known to
  // match the log (0: no mirror of this segment). Sealed segments are read from the mirror up
  // to there; the head is read from the primary and only its mirror's header block counts.
  uint64_t cache_end = 0;
  // The files recovery read it from, open for the store to keep: the primary (read-only) and,
  // with cache_end > 0, the mirror (read-write, for the open to bring level).
  std::shared_ptr<File> file;
  std::shared_ptr<File> mirror;
};

struct Damage {
  std::string path;
  uint64_t offset = 0;
  std::string reason;
};

struct RecoveryReport {
  std::vector<SegmentInfo> chain;    // oldest first
  std::vector<std::string> orphans;  // segment files of this instance outside the chain
  uint32_t highest_number = 0;       // of any segment file of the instance, chain or not
  bool any_segment = false;
  // The head segment's torn tail, if any: bytes from torn_offset to the file's end are not log.
  uint64_t torn_offset = 0;
  uint64_t torn_bytes = 0;
  std::string torn_reason;
  Damage damage;                     // set when Recover returns kCorruption

  RecordIndex index;
  std::map<uint32_t, std::string> connections;
  uint64_t next_handle = 1;
  uint64_t next_txn = 1;
  uint64_t next_seq = 1;
  uint64_t max_epoch = 0;
  uint64_t batches = 0;
  uint64_t transactions = 0;
};

// Segment numbers that `hastore repair` moved to quarantine, kept in `<INSTANCE>.QUARANTINE`
// (one number per line). Recovery accepts the gaps they leave in the chain.
Result<std::vector<uint32_t>> ReadQuarantineList(FileSystem* fs, const std::string& dir, const std::string& instance);
Status AddToQuarantineList(FileSystem* fs, const std::string& dir, const std::string& instance, uint32_t number);

struct RecoveryOptions {
  // Direct-Write-With-Cache boot: the directory that holds WLStoreCache/. A segment whose
  // mirror there starts with the same header block is read from the mirror as far as it is
  // valid (see SegmentScanner::PreferCache). Empty: read the primaries only (verify, dump).
  std::string cache_base;
  // Called for every record of every valid batch, in log order (for dump and verify).
  std::function<void(const SegmentInfo&, uint64_t offset, const DecodedRecord&)> on_record;
  // Segment numbers taken as moved to quarantine already (a dry run of repair): their files
  // are left out as if gone, and the gaps they leave accepted like those in the list.
  std::vector<uint32_t> assume_quarantined;
};

// `dir` holds the segments of `instance`. kCorruption fills report->damage.
Status Recover(FileSystem* fs, const std::string& dir, const std::string& instance,
               const RecoveryOptions& options, RecoveryReport* report);

}  // namespace hastore::filestore
