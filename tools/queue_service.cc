#include "queue_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include "hastore/storage/io.h"

namespace hastore::tools {

QueueService::QueueService(std::string server, double rate, const std::string& journal)
    : server_(std::move(server)), rate_(rate), n_prefix_(std::to_string(::getpid()) + "-") {
  if (!journal.empty()) journal_fd_ = ::open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

QueueService::~QueueService() {
  std::map<std::string, std::unique_ptr<Producer>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(producers_);
  }
  for (auto& [instance, p] : left) {
    p->stop = true;
    if (p->thread.joinable()) p->thread.join();
  }
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

Status QueueService::Activate(const std::string& instance, Store& store, uint64_t epoch) {
  Result<std::unique_ptr<examples::DurableQueue>> queue = examples::DurableQueue::Open(store);
  if (!queue.ok()) return queue.status();
  Journal("U " + Now() + " " + instance + " " + std::to_string(epoch));
  auto p = std::make_unique<Producer>();
  p->queue = std::move(*queue);
  Producer& ref = *p;
  if (rate_ > 0) ref.thread = std::thread([this, instance, &ref] { Produce(instance, ref); });
  std::lock_guard lock(mu_);
  producers_[instance] = std::move(p);
  return Status::Ok();
}

void QueueService::Deactivate(const std::string& instance, std::string_view why) {
  std::unique_ptr<Producer> p;
  {
    std::lock_guard lock(mu_);
    auto it = producers_.find(instance);
    if (it == producers_.end()) return;
    p = std::move(it->second);
    producers_.erase(it);
  }
  p->stop = true;  // the store closes after this returns: the producer must be gone first
  if (p->thread.joinable()) p->thread.join();
  Journal("D " + Now() + " " + instance + " " + OneLine(why));
}

void QueueService::Produce(const std::string& instance, Producer& p) {
  const auto period = std::chrono::duration<double>(1.0 / rate_);
  auto next = std::chrono::steady_clock::now();
  while (!p.stop) {
    const std::string tag = instance + " " + n_prefix_ + std::to_string(next_n_++);
    Journal("W " + Now() + " " + tag);
    Result<Handle> id = p.queue->Enqueue(server_ + " " + tag);
    if (id.ok()) {
      Journal("A " + Now() + " " + tag + " " + std::to_string(*id));
    } else {
      const char* outcome = id.status().not_applied() ? "not-applied" : "unknown";
      Journal("F " + Now() + " " + tag + " " + outcome + " " + OneLine(id.status().ToString()));
    }
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
    const auto now = std::chrono::steady_clock::now();
    if (next > now) {
      std::this_thread::sleep_until(next);
    } else if (!id.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a failed store: do not spin
      next = std::chrono::steady_clock::now();
    }
  }
}

void QueueService::Journal(std::string line) {
  if (journal_fd_ < 0) return;
  line += '\n';
  // One write(2) per line on an O_APPEND file: lines from several threads never interleave.
  (void)!::write(journal_fd_, line.data(), line.size());
}

std::string QueueService::Now() { return std::to_string(Clock::Default()->NowMonotonicMs()); }

std::string QueueService::OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace hastore::tools
