// Writes the binary seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) with the real
// encoders: a file store written by the file store itself (in memory), its fence file, batches
// and records of its segments, and the replication protocol's requests and replies as the
// clients and daemons build them. Run by hand when a format changes:
//   build-fuzz/tests/fuzz/seed_writer tests/fuzz/corpus
// The text corpora (configurations, operands, connection strings) are written by hand.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fence_file.h"
#include "format.h"
#include "hastore/filestore/file_store.h"
#include "hastore/internal/check.h"
#include "hastore/storage/fault_fs.h"
#include "hastore/storage/names.h"
#include "store_directory.h"
#include "wire.h"

namespace hastore::fuzz {
namespace {

void Put(const std::filesystem::path& dir, const std::string& name, std::string_view bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// One open of the store: a transaction of `n` creates, an update and a remove.
void WriteOnce(FaultFileSystem& fs, int n, bool close) {
  StoreConfig config;
  config.name = kInstance;
  config.file.directory = kDir;
  config.file.sync_policy = SyncPolicy::kCacheFlush;
  Result<std::unique_ptr<Store>> store =
      OpenFileStore(config, Ownership{}, FileStoreOptions{.fs = &fs, .background_compaction = false, .prewrite = false});
  HASTORE_CHECK(store.ok(), store.status().ToString());
  Result<Connection> queue = (*store)->OpenConnection("queue/a");
  HASTORE_CHECK(queue.ok(), queue.status().ToString());
  Transaction txn = (*store)->Begin();
  std::vector<Handle> handles;
  for (int i = 0; i < n; ++i) handles.push_back(*txn.Create(*queue, "record " + std::to_string(i)));
  HASTORE_CHECK((*store)->Commit(std::move(txn)).ok(), "commit");
  Transaction more = (*store)->Begin();
  HASTORE_CHECK(more.Update(handles.front(), "updated").ok() && more.Remove(handles.back()).ok(), "update, remove");
  HASTORE_CHECK((*store)->Commit(std::move(more)).ok(), "commit");
  if (close) HASTORE_CHECK((*store)->Close().ok(), "close");
}

// The instance's segment files joined as dat_segment reads them.
std::string SegmentFiles(const FaultFileSystem& fs, uint32_t count) {
  std::string out;
  for (uint32_t n = 0; n < count; ++n) {
    Result<std::string> bytes = fs.Contents(JoinPath(kDir, *DatFileName(kInstance, n)));
    HASTORE_CHECK(bytes.ok(), bytes.status().ToString());
    if (n > 0) out += kSplit;
    out += *bytes;
  }
  return out;
}

void StoreSeeds(const std::filesystem::path& root) {
  FaultFileSystem fs;
  WriteOnce(fs, 3, true);
  const std::string one = SegmentFiles(fs, 1);
  Put(root / "dat_segment", "one_segment", one);
  WriteOnce(fs, 2, true);
  Put(root / "dat_segment", "two_segments", SegmentFiles(fs, 2));
  Put(root / "fence_file", "after_two_opens", *fs.Contents(JoinPath(kDir, UpperInstance(kInstance) + ".FENCE")));
  Put(root / "fence_file", "empty", "");

  // The codec: a segment header, the first batch with its records, records alone.
  Put(root / "dat_codec", "segment_header", one.substr(0, filestore::kSegmentHeaderSize));
  filestore::SegmentHeader h;
  HASTORE_CHECK(filestore::DecodeSegmentHeader(one.data(), one.size(), &h).ok(), "segment header");
  filestore::BatchHeader b;
  HASTORE_CHECK(filestore::DecodeBatchHeader(one.data() + h.block_size, &b), "batch header");
  const std::string batch = one.substr(h.block_size, filestore::kBatchHeaderSize + b.payload_len);
  Put(root / "dat_codec", "batch", batch);
  Put(root / "dat_codec", "records", batch.substr(filestore::kBatchHeaderSize));
}

void WireSeeds(const std::filesystem::path& root) {
  using namespace replicated;
  const std::string split = "=FZNEXT=";
  auto change = [](Op op, uint64_t id) {
    MessageWriter w(op, id);
    w.U8(0).Str("fz").U64(1);
    return w;
  };
  const std::string claim = MessageWriter(Op::kClaim, 1).U8(0).Str("fz").U64(1).Str("session-1").U8(1).body();
  const std::string create = change(Op::kCreate, 2).Str("FZ000001.RGN").body();
  const std::string write = change(Op::kWrite, 3).Str("FZ000001.RGN").U64(0).Str("some bytes").body();
  const std::string read = MessageWriter(Op::kRead, 4).Str("fz").Str("FZ000001.RGN").U64(0).U32(10).body();
  const std::string size = MessageWriter(Op::kSize, 5).Str("fz").Str("FZ000001.RGN").body();
  const std::string list = MessageWriter(Op::kList, 6).Str("fz").body();
  const std::string truncate = change(Op::kTruncate, 7).Str("FZ000001.RGN").U64(4).body();
  const std::string rename = change(Op::kRename, 8).Str("FZ000001.RGN").Str("FZ000002.RGN").body();
  const std::string remove = change(Op::kRemove, 9).Str("FZ000002.RGN").body();
  const std::string drop = MessageWriter(Op::kDrop, 10).U8(0).Str("fz").body();
  const std::string push = MessageWriter(Op::kPush, 11).Str("fz").U64(2).Str("s").U32(1).Str("FZ000001.RGN").Str("pushed").body();
  const std::string stale = MessageWriter(Op::kStaleFor, 12).U32(1).body();
  const std::string status = MessageWriter(Op::kStatus, 13).body();
  const std::string hello = MessageWriter(Op::kHello, 14).body();
  const std::string shutdown = MessageWriter(Op::kShutdown, 15).U8(0).body();
  Put(root / "wire_request", "session", claim + split + create + split + write + split + read + split + size + split + list +
                                            split + truncate + split + rename + split + remove + split + status);
  Put(root / "wire_request", "push_then_drop", push + split + stale + split + drop + split + hello);
  Put(root / "wire_request", "shutdown", hello + split + shutdown);
  Put(root / "wire_request", "raw_frame", "\xFF" + FrameHeader({hello}) + hello);

  const std::string hello_reply = ReplyHead(14, Status::Ok()).U32(0).U64(1 << 20).U64(10485).U8(1).body();
  const std::string status_reply = ReplyHead(13, Status::Ok())
                                       .U32(0).U8(1).U64(4096).U64(1 << 30).U32(1)
                                       .Str("fz").U64(3).Str("session-1").U8(0).U32(1).U32(1).Str("FZ000001.RGN").U64(10)
                                       .body();
  const std::string refused = ReplyHead(1, Status::Fenced("epoch 1 is refused")).body();
  Put(root / "wire_reply", "hello", hello_reply);
  Put(root / "wire_reply", "status", status_reply);
  Put(root / "wire_reply", "refused", refused);
  Put(root / "wire_reply", "raw_frame", "\xFF" + FrameHeader({status_reply}) + status_reply);
}

}  // namespace
}  // namespace hastore::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: seed_writer CORPUS_DIR\n");
    return 2;
  }
  hastore::fuzz::StoreSeeds(argv[1]);
  hastore::fuzz::WireSeeds(argv[1]);
  return 0;
}
