#include "recovery.h"

#include <algorithm>
#include <cstdlib>

#include "hastore/internal/check.h"
#include "hastore/storage/names.h"
#include "segment_scanner.h"

namespace hastore::filestore {
namespace {

struct Candidate {
  SegmentInfo info;
  bool valid = false;
  std::string why;  // when not valid
};

Status Damaged(RecoveryReport* r, const std::string& path, uint64_t offset, const std::string& reason) {
  r->damage = Damage{path, offset, reason};
  return Status::Corruption(path + " at offset " + std::to_string(offset) + ": " + reason);
}

// Applies one valid batch to the index.
void Apply(const SegmentInfo& seg, const ScannedBatch& b, const RecoveryOptions& options, RecoveryReport* r) {
  for (size_t i = 0; i < b.records.size(); ++i) {
    const DecodedRecord& rec = b.records[i];
    const RecordHeader& h = rec.header;
    const uint64_t off = b.record_offsets[i];
    // The scanner decoded the record within its batch; the index keeps 32-bit offsets.
    HASTORE_CHECK(off + kRecordHeaderSize + h.data_len <= b.end && b.end <= UINT32_MAX,
                  seg.name + ": record at " + std::to_string(off) + " outside its batch ending at " + std::to_string(b.end));
    if (options.on_record) options.on_record(seg, off, rec);
    switch (h.type) {
      case RecordType::kCreate:
      case RecordType::kUpdate:
      case RecordType::kMove:
        r->index.Put(h.handle, Location{seg.number, h.connection, static_cast<uint32_t>(off), h.data_len});
        r->next_handle = std::max(r->next_handle, h.handle + 1);
        break;
      case RecordType::kRemove:
        r->index.Erase(h.handle);
        break;
      case RecordType::kConnection:
        r->connections[h.connection] = std::string(rec.data);
        break;
    }
    if (h.txn != 0) r->next_txn = std::max(r->next_txn, h.txn + 1);
    if (h.flags & kLastInTransaction) ++r->transactions;
  }
  ++r->batches;
}

// Reads every segment-named file of the instance and its header.
Status FindCandidates(FileSystem* fs, const std::string& dir, const std::string& instance,
                      const std::vector<uint32_t>& left_out, std::vector<Candidate>* out, RecoveryReport* r) {
  auto names = fs->List(dir);
  if (!names.ok()) return names.status();
  const std::string upper = UpperInstance(instance);
  for (const std::string& name : *names) {
    auto parsed = ParseDatFileName(name);
    if (!parsed || parsed->instance_upper != upper) continue;
    if (std::count(left_out.begin(), left_out.end(), parsed->number) != 0) continue;
    r->any_segment = true;
    r->highest_number = std::max(r->highest_number, parsed->number);
    Candidate c;
    c.info.number = parsed->number;
    c.info.name = name;
    const std::string path = JoinPath(dir, name);
    auto file = fs->Open(path, OpenOptions{.read_only = true});
    if (!file.ok()) return file.status();
    char buf[kSegmentHeaderSize];
    size_t got = 0;
    HASTORE_RETURN_IF_ERROR((*file)->Read(0, buf, sizeof buf, &got));
    Status s = DecodeSegmentHeader(buf, got, &c.info.header);
    if (s.ok() && c.info.header.file_number != parsed->number) {
      s = Status::Corruption("header says file number " + std::to_string(c.info.header.file_number));
    }
    if (s.ok() && c.info.header.instance != instance) {
      // Same upper-cased name, different instance: two instances that differ only in case.
      return Status::InvalidArgument("instance " + instance + " cannot use " + path + ": it belongs to instance " +
                                     c.info.header.instance + " (names differing only in case cannot share a directory)");
    }
    c.valid = s.ok();
    c.why = s.message();
    out->push_back(std::move(c));
  }
  std::sort(out->begin(), out->end(), [](const Candidate& a, const Candidate& b) { return a.info.number < b.info.number; });
  return Status::Ok();
}

// A file with a bad header is a torn creation only if no batch was ever written into it.
Status CheckBadHeader(FileSystem* fs, const std::string& dir, const Candidate& c, RecoveryReport* r) {
  const std::string path = JoinPath(dir, c.info.name);
  auto file = fs->Open(path, OpenOptions{.read_only = true});
  if (!file.ok()) return file.status();
  for (uint32_t block : {512u, 1024u, 2048u, 4096u, 8192u}) {
    SegmentScanner scan(file->get(), block, c.info.number, block);
    ScannedBatch b;
    std::string why;
    if (scan.Next(UINT64_MAX, &b, &why) == SegmentScanner::Outcome::kBatch) {
      return Damaged(r, path, 0, "segment header is damaged (" + c.why + ") but the segment holds data");
    }
  }
  return Status::Ok();
}

std::string QuarantineListPath(const std::string& dir, const std::string& instance) {
  return JoinPath(dir, UpperInstance(instance) + ".QUARANTINE");
}

}  // namespace

Result<std::vector<uint32_t>> ReadQuarantineList(FileSystem* fs, const std::string& dir, const std::string& instance) {
  std::vector<uint32_t> out;
  auto file = fs->Open(QuarantineListPath(dir, instance), OpenOptions{.read_only = true});
  if (file.status().code() == StatusCode::kNotFound) return out;
  if (!file.ok()) return file.status();
  std::string text(64 * 1024, '\0');
  size_t got = 0;
  HASTORE_RETURN_IF_ERROR((*file)->Read(0, text.data(), text.size(), &got));
  text.resize(got);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) out.push_back(static_cast<uint32_t>(std::strtoul(text.substr(pos, nl - pos).c_str(), nullptr, 10)));
    pos = nl + 1;
  }
  return out;
}

Status AddToQuarantineList(FileSystem* fs, const std::string& dir, const std::string& instance, uint32_t number) {
  auto file = fs->Open(QuarantineListPath(dir, instance), OpenOptions{.create = true});
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  const std::string line = std::to_string(number) + "\n";
  HASTORE_RETURN_IF_ERROR((*file)->Write(*size, line.data(), line.size()));
  HASTORE_RETURN_IF_ERROR((*file)->Sync());
  return fs->SyncDir(dir);
}

namespace {

// The segment's mirror under cache_base when its header block is byte for byte the primary's
// (same segment, same owner epoch), else null: a mirror of another owner's segment of the same
// number, or a torn one, is never read.
std::unique_ptr<File> OpenMatchingMirror(FileSystem* fs, const std::string& cache_base, const std::string& instance,
                                         const File& primary, const SegmentInfo& seg) {
  auto rel = CacheFileName(instance, seg.number);
  if (!rel.ok()) return nullptr;
  auto mirror = fs->Open(JoinPath(cache_base, *rel), OpenOptions{});  // the open keeps it and writes to it
  if (!mirror.ok()) return nullptr;
  const size_t n = seg.header.block_size;
  std::string want(n, '\0'), have(n, '\0');
  size_t got_want = 0, got_have = 0;
  if (!primary.Read(0, want.data(), n, &got_want).ok() || !(*mirror)->Read(0, have.data(), n, &got_have).ok() ||
      got_want != n || got_have != n || want != have) {
    return nullptr;
  }
  return std::move(mirror).value();
}

}  // namespace

Status Recover(FileSystem* fs, const std::string& dir, const std::string& instance,
               const RecoveryOptions& options, RecoveryReport* r) {
  std::vector<Candidate> cands;
  HASTORE_RETURN_IF_ERROR(FindCandidates(fs, dir, instance, options.assume_quarantined, &cands, r));
  auto quarantine_list = ReadQuarantineList(fs, dir, instance);
  if (!quarantine_list.ok()) return quarantine_list.status();
  std::vector<uint32_t> quarantined = std::move(quarantine_list).value();
  quarantined.insert(quarantined.end(), options.assume_quarantined.begin(), options.assume_quarantined.end());

  const Candidate* head = nullptr;
  for (const Candidate& c : cands) {
    if (!c.valid) continue;
    if (head == nullptr || std::tie(c.info.header.epoch, c.info.number) >= std::tie(head->info.header.epoch, head->info.number)) {
      head = &c;
    }
  }
  // Walk back from the head along the seals.
  std::vector<const Candidate*> chain;
  for (const Candidate* c = head; c != nullptr;) {
    chain.push_back(c);
    const uint32_t prev = c->info.header.prev_file;
    if (prev == kNoFile) break;
    // A segment's predecessor is always older (numbers only grow), so the walk ends; a header
    // naming a newer one or itself would make it loop forever (found by the dat_log fuzz target).
    if (prev >= c->info.number) {
      return Damaged(r, JoinPath(dir, c->info.name), 0,
                     "its header names segment " + std::to_string(prev) + " as the one before it");
    }
    auto it = std::find_if(cands.begin(), cands.end(), [&](const Candidate& x) { return x.info.number == prev; });
    if (it == cands.end() && std::count(quarantined.begin(), quarantined.end(), prev)) {
      // Repair moved the predecessor away: go on with the newest valid segment before it.
      it = std::find_if(cands.rbegin(), cands.rend(), [&](const Candidate& x) {
             return x.valid && x.info.number < prev;
           }).base();
      if (it == cands.begin()) break;
      --it;
      c = &*it;
      continue;
    }
    if (it == cands.end()) {
      // Compaction removes segments oldest first, so a missing predecessor is fine only when
      // nothing older than it is left.
      for (const Candidate& x : cands) {
        if (x.info.number < prev && x.valid) {
          return Damaged(r, JoinPath(dir, c->info.name), 0,
                         "the segment before it (number " + std::to_string(prev) + ") is missing");
        }
      }
      break;
    }
    if (!it->valid) return Damaged(r, JoinPath(dir, it->info.name), 0, it->why);
    c = &*it;
  }
  std::reverse(chain.begin(), chain.end());

  for (const Candidate& c : cands) {
    if (std::find(chain.begin(), chain.end(), &c) != chain.end()) continue;
    if (!c.valid) HASTORE_RETURN_IF_ERROR(CheckBadHeader(fs, dir, c, r));
    r->orphans.push_back(c.info.name);
  }

  for (size_t i = 0; i < chain.size(); ++i) {
    SegmentInfo seg = chain[i]->info;
    const bool is_head = i + 1 == chain.size();
    const std::string path = JoinPath(dir, seg.name);
    // A segment is sealed by the next one in the chain, unless repair removed what was between.
    const bool sealed = !is_head && chain[i + 1]->info.header.prev_file == seg.number;
    const bool after_gap = i > 0 && seg.header.prev_file != chain[i - 1]->info.number;
    const uint64_t limit = sealed ? chain[i + 1]->info.header.prev_end : UINT64_MAX;
    const uint64_t expect_last = sealed ? chain[i + 1]->info.header.prev_last_seq : 0;
    if (i == 0 || after_gap) r->next_seq = seg.header.first_seq;
    if (seg.header.first_seq != r->next_seq) {
      return Damaged(r, path, 0, "first batch sequence " + std::to_string(seg.header.first_seq) + ", expected " +
                                     std::to_string(r->next_seq));
    }
    r->next_handle = std::max(r->next_handle, seg.header.next_handle);
    r->next_txn = std::max(r->next_txn, seg.header.next_txn);
    r->max_epoch = std::max(r->max_epoch, seg.header.epoch);

    auto opened = fs->Open(path, OpenOptions{.read_only = true});
    if (!opened.ok()) return opened.status();
    std::shared_ptr<File> file = std::move(opened).value();
    SegmentScanner scan(file.get(), seg.header.block_size, seg.number, seg.header.block_size);
    // Only sealed segments are read from a mirror: their end is fixed by the next segment's
    // header, read from the primaries. The head's end is decided here, and a new owner's seal
    // makes it permanent, so it must come from the primary alone: a mirror could otherwise
    // extend the log past what the primary holds, and readers without this host's mirror would
    // find it damaged.
    std::shared_ptr<File> mirror;
    if (!options.cache_base.empty()) {
      mirror = OpenMatchingMirror(fs, options.cache_base, instance, *file, seg);
      if (mirror && sealed) scan.PreferCache(mirror.get());
    }
    ScannedBatch b;
    std::string why;
    for (;;) {
      const auto outcome = scan.Next(limit, &b, &why);
      if (outcome == SegmentScanner::Outcome::kEnd) break;
      if (outcome == SegmentScanner::Outcome::kBad) {
        if (sealed) return Damaged(r, path, scan.offset(), why);
        uint64_t found = 0;
        auto follows = scan.ValidBatchFollows(r->next_seq - 1, &found);
        if (!follows.ok()) return follows.status();
        if (*follows) {
          return Damaged(r, path, scan.offset(), why + " (a valid batch follows at offset " + std::to_string(found) + ")");
        }
        if (is_head && !scan.ZeroBlockAtOffset()) {  // zeros are unused space, not a torn write
          auto size = file->Size();
          r->torn_offset = scan.offset();
          r->torn_bytes = size.ok() && *size > scan.offset() ? *size - scan.offset() : 0;
          r->torn_reason = why;
        }
        break;
      }
      if (b.header.seq != r->next_seq) {
        if (scan.FallBackToPrimary(b.offset)) continue;  // the mirror is wrong here; the primary decides
        if (!sealed && b.header.seq < r->next_seq) {  // stale bytes from an earlier use of the space
          r->torn_offset = b.offset;
          r->torn_reason = "batch sequence " + std::to_string(b.header.seq) + " does not continue the log";
          break;
        }
        return Damaged(r, path, b.offset, "batch sequence " + std::to_string(b.header.seq) + ", expected " +
                                              std::to_string(r->next_seq));
      }
      if (b.end > UINT32_MAX) {  // max_file_size is below 4 GiB; the index keeps 32-bit offsets
        return Damaged(r, path, b.offset, "batch ends at offset " + std::to_string(b.end) + ", past any segment's size");
      }
      ++r->next_seq;
      ++seg.batches;
      r->max_epoch = std::max(r->max_epoch, b.header.epoch);
      Apply(seg, b, options, r);
      seg.end = b.end;
    }
    if (seg.end == 0) seg.end = seg.header.block_size;
    seg.last_seq = r->next_seq - 1;
    // The head's mirror agrees with the log in its header block only, as far as recovery knows.
    if (mirror) seg.cache_end = sealed ? std::min(scan.cache_end(), seg.end) : seg.header.block_size;
    seg.file = std::move(file);
    seg.mirror = std::move(mirror);
    if (sealed && (seg.end != limit || seg.last_seq != expect_last)) {
      return Damaged(r, path, seg.end, "the log ends at offset " + std::to_string(seg.end) + " (batch " +
                                           std::to_string(seg.last_seq) + ") but the next segment seals it at " +
                                           std::to_string(limit) + " (batch " + std::to_string(expect_last) + ")");
    }
    r->chain.push_back(std::move(seg));
  }
  return Status::Ok();
}

}  // namespace hastore::filestore
