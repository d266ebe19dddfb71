#include "hastore/filestore/inspect.h"

#include <algorithm>

#include "fence_file.h"
#include "io_engine.h"
#include "hastore/storage/names.h"
#include "recovery.h"

namespace hastore {
namespace {

std::string_view TypeName(filestore::RecordType t) {
  switch (t) {
    case filestore::RecordType::kCreate: return "create";
    case filestore::RecordType::kUpdate: return "update";
    case filestore::RecordType::kRemove: return "remove";
    case filestore::RecordType::kConnection: return "connection";
    case filestore::RecordType::kMove: return "move";
  }
  return "unknown";
}

}  // namespace

Result<std::vector<std::string>> FindFileStoreInstances(const std::string& dir, FileSystem* fs) {
  if (fs == nullptr) fs = FileSystem::Default();
  auto names = fs->List(dir);
  if (!names.ok()) return names.status();
  std::vector<std::string> out;
  for (const std::string& name : *names) {
    if (!ParseDatFileName(name)) continue;
    auto file = fs->Open(JoinPath(dir, name), OpenOptions{.read_only = true});
    if (!file.ok()) continue;
    char buf[filestore::kSegmentHeaderSize];
    size_t got = 0;
    filestore::SegmentHeader h;
    if (!(*file)->Read(0, buf, sizeof buf, &got).ok() || !filestore::DecodeSegmentHeader(buf, got, &h).ok()) continue;
    if (std::find(out.begin(), out.end(), h.instance) == out.end()) out.push_back(h.instance);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<FileStoreInspection> InspectFileStore(const std::string& dir, const std::string& instance, FileSystem* fs,
                                             const std::function<void(const StoredRecord&)>& on_record) {
  if (fs == nullptr) fs = FileSystem::Default();
  FileStoreInspection out;
  out.instance = instance;
  filestore::RecoveryOptions options;
  if (on_record) {
    options.on_record = [&](const filestore::SegmentInfo& seg, uint64_t offset, const filestore::DecodedRecord& r) {
      on_record(StoredRecord{seg.name, offset, TypeName(r.header.type), r.header.connection, r.header.handle,
                             r.header.txn, r.header.epoch, r.data});
    };
  }
  filestore::RecoveryReport report;
  Status s = filestore::Recover(fs, dir, instance, options, &report);
  if (!s.ok() && s.code() != StatusCode::kCorruption) return s;
  if (!report.any_segment) return Status::NotFound("no segment files of instance " + instance + " in " + dir);
  out.damage = s;
  out.damage_path = report.damage.path;
  out.damage_offset = report.damage.offset;
  for (const filestore::SegmentInfo& seg : report.chain) {
    SegmentSummary sum{seg.name, seg.number, seg.header.epoch, seg.end, 0, seg.batches};
    if (auto f = fs->Open(JoinPath(dir, seg.name), OpenOptions{.read_only = true}); f.ok()) {
      if (auto size = (*f)->Size(); size.ok()) sum.file_bytes = *size;
    }
    out.segments.push_back(std::move(sum));
  }
  out.orphans = report.orphans;
  out.records = report.index.size();
  out.record_bytes = report.index.data_bytes();
  out.batches = report.batches;
  out.transactions = report.transactions;
  for (const auto& [id, name] : report.connections) out.connections[name] = report.index.CountOf(id);
  if (!report.chain.empty() && report.torn_bytes > 0) {
    out.torn_offset = report.torn_offset;
    out.torn_bytes = report.torn_bytes;
    out.torn_segment = report.chain.back().name;
  }
  auto engine = filestore::ChooseIoEngine(IoEngineChoice::kAuto, fs);
  out.engine = engine.ok() ? (*engine)->name() : engine.status().message();
  auto fence = filestore::FenceFile::Open(fs, JoinPath(dir, UpperInstance(instance) + ".FENCE"), false);
  if (fence.ok()) {
    if (auto c = (*fence)->Read(); c.ok()) {
      out.fence_epoch = c->epoch;
      out.fence_holder = c->holder;
    }
  }
  return out;
}

}  // namespace hastore
