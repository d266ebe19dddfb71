#include <liburing.h>

#include <cstring>

#include "io_engine.h"

namespace hastore::filestore {
namespace {

class UringEngine final : public IoEngine {
 public:
  UringEngine() = default;
  ~UringEngine() override {
    if (ready_) io_uring_queue_exit(&ring_);
  }
  Status Init() {
    int rc = io_uring_queue_init(8, &ring_, 0);
    if (rc < 0) return Status::FromErrno("io_uring_queue_init", -rc);
    ready_ = true;
    return Status::Ok();
  }

  const char* name() const override { return "io_uring"; }

  Status WriteBatch(File* file, const char* buf, size_t len, uint64_t offset, bool sync) override {
    const int fd = file->fd();
    if (fd < 0) return Status::NotSupported("io_uring needs a real file descriptor for " + file->path());
    io_uring_sqe* w = io_uring_get_sqe(&ring_);
    io_uring_prep_write(w, fd, buf, static_cast<unsigned>(len), offset);
    w->user_data = 1;
    if (sync) {
      w->flags |= IOSQE_IO_LINK;  // the sync starts only after the write completed in full
      io_uring_sqe* s = io_uring_get_sqe(&ring_);
      io_uring_prep_fsync(s, fd, IORING_FSYNC_DATASYNC);
      s->user_data = 2;
    }
    const unsigned expected = sync ? 2 : 1;
    int rc = io_uring_submit(&ring_);
    if (rc < 0) return Status::FromErrno("io_uring_submit for " + file->path(), -rc);
    Status result;
    for (unsigned i = 0; i < expected; ++i) {
      io_uring_cqe* cqe = nullptr;
      do {
        rc = io_uring_wait_cqe(&ring_, &cqe);
      } while (rc == -EINTR);
      if (rc < 0) return Status::FromErrno("io_uring_wait_cqe for " + file->path(), -rc);
      const int res = cqe->res;
      const uint64_t which = cqe->user_data;
      io_uring_cqe_seen(&ring_, cqe);
      if (!result.ok()) continue;  // keep the first error; drain the rest
      if (which == 1 && res >= 0 && static_cast<size_t>(res) != len) {
        // A short write breaks the link: the sync is cancelled and the commit fails.
        result = Status::IOError("short write to " + file->path() + " at offset " + std::to_string(offset) + ": " +
                                 std::to_string(res) + " of " + std::to_string(len) + " bytes");
      } else if (res < 0) {
        result = Status::FromErrno(std::string(which == 1 ? "write " : "fdatasync ") + file->path() +
                                       " at offset " + std::to_string(offset),
                                   -res);
      }
    }
    return result;
  }

 private:
  io_uring ring_{};
  bool ready_ = false;
};

}  // namespace

Result<std::unique_ptr<IoEngine>> MakeUringEngine() {
  auto e = std::make_unique<UringEngine>();
  HASTORE_RETURN_IF_ERROR(e->Init());
  return std::unique_ptr<IoEngine>(std::move(e));
}

}  // namespace hastore::filestore
