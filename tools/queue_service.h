// The service `hastore agent` runs on each instance it is given: the example durable queue
// (examples/queue), with an optional producer per instance for demos and fault tests.
//
// The producer enqueues "<server> <instance> <n>" messages at a steady rate. The journal
// (queue_journal.h has its format and reader) gets a line per attempt, acknowledgement and
// refusal, and per activation and deactivation, written straight to the file (no user-space
// buffer, so a kill -9 loses nothing already written). A demo or test reads every journal
// afterwards and checks each acknowledged message in the stores.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "hastore/examples/durable_queue.h"
#include "hastore/ha/agent.h"

namespace hastore::tools {

class QueueService : public ha::InstanceHost {
 public:
  // `rate`: messages per second per instance (0: no producer). `journal`: the file the lines
  // go to ("" for none).
  QueueService(std::string server, double rate, const std::string& journal);
  ~QueueService() override;

  Status Activate(const std::string& instance, Store& store, uint64_t epoch) override;
  void Deactivate(const std::string& instance, std::string_view why) override;

 private:
  struct Producer {
    std::unique_ptr<examples::DurableQueue> queue;
    std::atomic<bool> stop{false};
    std::thread thread;
  };
  void Produce(const std::string& instance, Producer& p);
  void Journal(std::string line);  // appends the newline
  static std::string Now();        // the journal's ms
  static std::string OneLine(std::string_view text);

  const std::string server_;
  const double rate_;
  int journal_fd_ = -1;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Producer>> producers_;
  const std::string n_prefix_;  // "<pid>-": n is unique across runs of the server
  std::atomic<uint64_t> next_n_{1};
};

}  // namespace hastore::tools
