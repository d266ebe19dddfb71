// The example queue: FIFO, durable, at-least-once across a reopen of its store.
#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "hastore/examples/durable_queue.h"
#include "hastore/filestore/file_store.h"

namespace hastore::examples {
namespace {

class DurableQueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStore() {
    StoreConfig config;
    config.name = "queue";
    config.file.directory = dir_.path();
    config.file.sync_policy = SyncPolicy::kCacheFlush;
    Result<std::unique_ptr<Store>> store = OpenFileStore(config, Ownership{0, "queue-test"});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  static std::unique_ptr<DurableQueue> OpenQueue(Store& store) {
    Result<std::unique_ptr<DurableQueue>> queue = DurableQueue::Open(store);
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(*queue) : nullptr;
  }
  static Message MustDequeue(DurableQueue& queue) {
    Result<std::optional<Message>> m = queue.Dequeue();
    EXPECT_TRUE(m.ok() && m->has_value()) << (m.ok() ? "empty" : m.status().ToString());
    return m.ok() && *m ? **m : Message{};
  }
  testing::TempDir dir_;
};

TEST_F(DurableQueueTest, MessagesComeOutInTheOrderTheyWentIn) {
  std::unique_ptr<Store> store = OpenStore();
  ASSERT_TRUE(store);
  std::unique_ptr<DurableQueue> queue = OpenQueue(*store);
  ASSERT_TRUE(queue);
  for (const char* body : {"one", "two", "three"}) ASSERT_TRUE(queue->Enqueue(body).ok());
  EXPECT_EQ(MustDequeue(*queue).body, "one");
  EXPECT_EQ(MustDequeue(*queue).body, "two");
  EXPECT_EQ(MustDequeue(*queue).body, "three");
  Result<std::optional<Message>> empty = queue->Dequeue();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  EXPECT_EQ(queue->size(), 3u);
}

TEST_F(DurableQueueTest, UnacknowledgedMessagesAreHandedOutAgainAfterAReopen) {
  Handle acked = 0;
  {
    std::unique_ptr<Store> store = OpenStore();
    ASSERT_TRUE(store);
    std::unique_ptr<DurableQueue> queue = OpenQueue(*store);
    ASSERT_TRUE(queue);
    for (const char* body : {"a", "b", "c"}) ASSERT_TRUE(queue->Enqueue(body).ok());
    const Message a = MustDequeue(*queue);
    MustDequeue(*queue);  // b: handed out, never acknowledged
    ASSERT_TRUE(queue->Acknowledge(a.id).ok());
    acked = a.id;
    EXPECT_EQ(queue->Acknowledge(a.id).code(), StatusCode::kInvalidArgument);
    ASSERT_TRUE(store->Close().ok());
  }
  std::unique_ptr<Store> store = OpenStore();
  ASSERT_TRUE(store);
  std::unique_ptr<DurableQueue> queue = OpenQueue(*store);
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->size(), 2u);
  const Message b = MustDequeue(*queue);
  EXPECT_EQ(b.body, "b");
  EXPECT_NE(b.id, acked);
  Result<Handle> d = queue->Enqueue("d");
  ASSERT_TRUE(d.ok());
  EXPECT_GT(*d, b.id);
  EXPECT_EQ(MustDequeue(*queue).body, "c");
  EXPECT_EQ(MustDequeue(*queue).body, "d");
}

}  // namespace
}  // namespace hastore::examples
