// Kind "raw": the reference the file store is held against — what group commit costs on this
// file system with nothing else in the way. Writers copy their record into one shared buffer
// and wait; one committer thread takes everything queued, does one pwrite and one fdatasync
// for the batch, and wakes every writer of it.
//
// The file's blocks are written and synced before the run, so fdatasync never has to persist
// an allocation or a size change; a batch that would pass the end of that region wraps to
// offset 0. Batches start on 4 KiB boundaries and are padded to whole pages, so no write needs
// the page cache to read a partial page first (a store's block-sized batches get the same).
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "commit_target.h"
#include "hastore/storage/io.h"

namespace hastore::bench {

namespace {

constexpr uint64_t kRegionBytes = uint64_t{1} << 30;
constexpr size_t kPrewriteChunk = size_t{8} << 20;
constexpr size_t kPage = 4096;

size_t AlignUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

Status Prewrite(File& file) {
  const std::string zeros(kPrewriteChunk, '\0');
  for (uint64_t at = 0; at < kRegionBytes; at += zeros.size()) {
    HASTORE_RETURN_IF_ERROR(file.Write(at, zeros.data(), zeros.size()));
  }
  return file.Sync();
}

class RawTarget final : public CommitTarget {
 public:
  // max_batch: the most bytes that can be queued at once (one record per writer).
  RawTarget(std::unique_ptr<File> file, size_t max_batch) : file_(std::move(file)) {
    queued_.reserve(AlignUp(max_batch, kPage));  // the two buffers swap roles every batch
    writing_.reserve(AlignUp(max_batch, kPage));
    committer_ = std::thread([this] { CommitterLoop(); });
  }
  ~RawTarget() override { (void)Close(); }

  Status Commit(std::string_view record) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    queued_.append(record);  // within the reserved capacity: each writer queues one record at most
    const uint64_t batch = next_batch_;
    work_cv_.notify_one();
    done_cv_.wait(lock, [&] { return durable_batch_ >= batch || !error_.ok(); });
    return durable_batch_ >= batch ? Status::Ok() : error_;
  }

  Status Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    work_cv_.notify_one();
    if (committer_.joinable()) committer_.join();
    return error_;
  }

 private:
  void CommitterLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      work_cv_.wait(lock, [this] { return !queued_.empty() || closing_; });
      if (queued_.empty()) return;  // closing, and nothing left to write
      std::swap(queued_, writing_);
      const uint64_t batch = next_batch_++;
      lock.unlock();
      Status st = WriteBatch();
      lock.lock();
      if (st.ok()) {
        durable_batch_ = batch;
      } else {
        error_ = std::move(st);
      }
      done_cv_.notify_all();
      if (!error_.ok()) return;
    }
  }

  // Writes and syncs writing_ (only the committer touches it, and offset_), then empties it.
  Status WriteBatch() {
    writing_.resize(AlignUp(writing_.size(), kPage), '\0');
    if (offset_ + writing_.size() > kRegionBytes) offset_ = 0;
    Status st = file_->Write(offset_, writing_.data(), writing_.size());
    if (st.ok()) st = file_->Sync();
    offset_ += writing_.size();
    writing_.clear();
    return st;
  }

  std::unique_ptr<File> file_;
  uint64_t offset_ = 0;
  std::string writing_;

  std::mutex mu_;
  std::condition_variable work_cv_;  // the committer waits for records or closing_
  std::condition_variable done_cv_;  // writers wait for their batch
  std::string queued_;               // records of batch next_batch_, in arrival order
  uint64_t next_batch_ = 1;
  uint64_t durable_batch_ = 0;
  bool closing_ = false;
  Status error_;  // the first write or sync error: every later commit fails with it
  std::thread committer_;
};

}  // namespace

Result<std::unique_ptr<CommitTarget>> OpenRawTarget(const std::string& dir, int writers, size_t max_record) {
  FileSystem* fs = FileSystem::Default();
  Result<std::unique_ptr<File>> file = fs->Open(JoinPath(dir, "raw.dat"), OpenOptions{.create = true, .exclusive = true});
  if (!file.ok()) return file.status();
  HASTORE_RETURN_IF_ERROR(Prewrite(**file));
  const size_t max_batch = static_cast<size_t>(writers) * max_record;
  return std::unique_ptr<CommitTarget>(std::make_unique<RawTarget>(std::move(file).value(), max_batch));
}

}  // namespace hastore::bench
