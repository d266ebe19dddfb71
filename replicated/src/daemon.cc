// The replication daemon (daemon.h). One thread accepts on each listener; one thread serves
// each connection, request by request; one housekeeping thread flushes dirty regions, pushes
// instances to partners that missed writes, and (at start) waits for its partners' pushes.
#include "hastore/replicated/daemon.h"

#include <sys/statvfs.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <thread>

#include "authenticate.h"
#include "daemon_client.h"
#include "handshake.h"
#include "held_instances.h"
#include "socket.h"
#include "hastore/storage/log.h"
#include "wire.h"

namespace hastore::replicated {

namespace {

constexpr uint64_t kPartnerTimeoutMs = 1000;
// How long an accepted connection may take over its handshake before it is closed unread.
constexpr uint64_t kHandshakeTimeoutMs = 5000;
constexpr size_t kForwardFlagOffset = kBodyHeaderBytes;  // the first field of a change

// What a request's handler answers: a status and, when it is Ok, the reply fields.
struct Answer {
  Status status;
  MessageWriter payload;
};

// `capacity`, or the size of the file system under the daemon's directory.
uint64_t CapacityOf(const DaemonConfig& c, int index) {
  if (c.capacity != 0) return c.capacity;
  struct statvfs v {};
  if (::statvfs(c.daemons[index].directory.c_str(), &v) != 0) return UINT64_MAX / 100;
  return static_cast<uint64_t>(v.f_blocks) * v.f_frsize;
}

// What one client connection holds: its links to partner daemons (for forwarding: its own, so
// two clients' writes never queue behind each other on one socket) and the instances it
// claimed, with the session it claimed each for (live while it is open).
struct Session {
  std::map<int, std::unique_ptr<Socket>> links;
  std::map<std::string, std::string> claimed;
};

// The fields common to the operations that change an instance.
struct Change {
  bool forwarded = false;
  std::string instance;
};

class DaemonImpl final : public Daemon {
 public:
  DaemonImpl(DaemonConfig config, int index, DaemonOptions options, std::unique_ptr<HeldInstances> held)
      : c_(std::move(config)),
        index_(index),
        o_(std::move(options)),
        held_(std::move(held)),
        capacity_(CapacityOf(c_, index_)),
        serving_(o_.serve_alone) {}

  ~DaemonImpl() override { Stop(); }

  Status Listen() {
    const DaemonAddress& me = c_.daemons[index_];
    for (const std::string& address : {me.address, me.socket}) {
      if (address.empty()) continue;
      Result<std::unique_ptr<Listener>> l = Listener::Listen(address);
      if (!l.ok()) return l.status();
      listeners_.push_back(std::move(*l));
    }
    for (auto& l : listeners_) acceptors_.emplace_back([this, l = l.get()] { AcceptLoop(*l); });
    housekeeper_ = std::thread([this] { Housekeeping(); });
    Log("daemon " + std::to_string(index_) + " listening on " + me.address + (me.socket.empty() ? "" : " and " + me.socket) +
        (serving_ ? "; serving" : "; waiting for its partners before it serves"));
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      if (reason_.empty()) reason_ = "stopped";
    }
    wake_.notify_all();
    for (auto& l : listeners_) l->Close();
    for (std::thread& t : acceptors_) t.join();
    {
      std::lock_guard lock(mu_);
      for (Socket* s : open_) s->Shutdown();
    }
    std::map<std::thread::id, std::thread> left;
    {
      std::lock_guard lock(mu_);  // the acceptors are gone: nothing is added any more
      left.swap(connections_);
    }
    for (auto& [id, t] : left) t.join();
    if (housekeeper_.joinable()) housekeeper_.join();
    FlushAll(true);
  }

  std::string Wait() override {
    std::unique_lock lock(mu_);
    wake_.wait(lock, [this] { return stopped_ || !reason_.empty(); });
    return reason_;
  }

  bool serving() const override { return serving_.load(); }

 private:
  void Log(const std::string& line) const {
    if (o_.log) {
      o_.log(line);
    } else {
      Logger()->info("{}", line);
    }
  }

  // ---- connections ---------------------------------------------------------------------------

  // Each connection is served on a thread of its own; the threads of connections that ended
  // are joined at the next accept, so a long-running daemon does not collect them.
  void AcceptLoop(Listener& l) {
    for (;;) {
      Result<std::unique_ptr<Socket>> s = l.Accept();
      if (!s.ok()) return;
      std::vector<std::thread> ended;
      {
        std::lock_guard lock(mu_);
        if (stopped_) return;
        for (std::thread::id id : ended_) {
          ended.push_back(std::move(connections_[id]));
          connections_.erase(id);
        }
        ended_.clear();
        Socket* raw = s->release();
        open_.insert(raw);
        std::thread t([this, raw] { Serve(std::unique_ptr<Socket>(raw)); });
        const std::thread::id id = t.get_id();
        connections_[id] = std::move(t);
      }
      for (std::thread& t : ended) t.join();
    }
  }

  // One connection's requests, in order, once it proved it knows the daemons' key: nothing it
  // sends is read as a request before that.
  void Serve(std::unique_ptr<Socket> sock) {
    Session session;
    if (Status auth = AuthenticatePeer(*sock, c_.auth_key, kHandshakeTimeoutMs); !auth.ok()) {
      Log("refused " + sock->peer() + " at its handshake: " + auth.message());
    } else {
      ServeRequests(*sock, session);
    }
    for (const auto& [name, claimed_for] : session.claimed) {
      if (std::shared_ptr<HeldInstance> h = held_->Find(name)) {
        std::lock_guard lock(h->mu);
        h->DropLive(claimed_for);
      }
    }
    std::lock_guard lock(mu_);
    open_.erase(sock.get());
    ended_.push_back(std::this_thread::get_id());
  }

  void ServeRequests(Socket& sock, Session& session) {
    for (;;) {
      Result<std::string> body = sock.Receive();
      if (!body.ok()) {
        if (body.status().code() == StatusCode::kCorruption) Log("refused a frame from " + sock.peer() + ": " + body.status().message());
        return;
      }
      MessageReader r(*body);
      Result<uint8_t> op = r.U8();
      Result<uint64_t> id = r.U64();
      if (!op.ok() || !id.ok()) return;
      Answer a = Handle(static_cast<Op>(*op), *body, r, session);
      if (!sock.SendFrame({ReplyHead(*id, a.status).body(), a.payload.body()}).ok()) return;
      if (static_cast<Op>(*op) == Op::kShutdown && a.status.ok()) return;
    }
  }

  // `body` is the whole request; a change is forwarded as it is, its forwarded flag set.
  Answer Handle(Op op, std::string& body, MessageReader& r, Session& session) {
    Answer a;
    switch (op) {
      case Op::kHello:
        a.payload.U32(static_cast<uint32_t>(index_)).U64(c_.region_size).U64(c_.max_message_bytes()).U8(serving_ ? 1 : 0);
        return a;
      case Op::kClaim: a.status = Claim(body, r, session); return a;
      case Op::kCreate:
      case Op::kWrite:
      case Op::kTruncate:
      case Op::kRemove:
      case Op::kRename:
      case Op::kDrop: a.status = Modify(op, body, r, session); return a;
      case Op::kRead:
      case Op::kSize:
      case Op::kList: a.status = Query(op, r, a.payload); return a;
      case Op::kStatus: a.status = Describe(a.payload); return a;
      case Op::kShutdown: a.status = Shutdown(r); return a;
      case Op::kPush: a.status = TakePush(r); return a;
      case Op::kStaleFor: a.status = StaleFor(r, a.payload); return a;
      case Op::kReply: break;
    }
    a.status = Status::InvalidArgument("unknown operation " + std::to_string(static_cast<int>(op)));
    return a;
  }

  // ---- requests ------------------------------------------------------------------------------

  Status NotServing() const {
    return Status::IOError("replication daemon " + std::to_string(index_) + " (" + c_.daemons[index_].address +
                           ") is resynchronising from its partners and serves no clients yet");
  }

  // The other daemon of `instance`; an error if this daemon is not one of its two.
  Result<int> PartnerOf(const std::string& instance) const {
    const auto [first, second] = c_.PairOf(instance);
    if (first == index_) return second;
    if (second == index_) return first;
    return Status::InvalidArgument("instance " + instance + " belongs to daemons " + std::to_string(first) + " and " +
                                   std::to_string(second) + ", not to daemon " + std::to_string(index_));
  }

  Result<Change> ReadChange(MessageReader& r) const {
    Change c;
    Result<uint8_t> fwd = r.U8();
    Result<std::string_view> instance = r.Str();
    if (!fwd.ok() || !instance.ok()) return Status::Corruption("a request without its instance");
    c.forwarded = *fwd != 0;
    c.instance = std::string(*instance);
    return c;
  }

  Status Claim(std::string& body, MessageReader& r, Session& conn) {
    Result<Change> c = ReadChange(r);
    if (!c.ok()) return c.status();
    Result<uint64_t> epoch = r.U64();
    Result<std::string_view> session = r.Str();
    Result<uint8_t> exclusive = r.U8();
    if (!epoch.ok() || !session.ok() || !exclusive.ok()) return Status::Corruption("a CLAIM without its epoch, session or flag");
    if (!c->forwarded && !serving_) return NotServing();
    Result<int> partner = PartnerOf(c->instance);
    if (!partner.ok()) return partner.status();
    Result<std::shared_ptr<HeldInstance>> h = held_->FindOrAdd(c->instance);
    if (!h.ok()) return h.status();
    std::lock_guard lock((*h)->mu);
    InstanceEntry& e = (*h)->entry;
    if (e.epoch == 0 && e.session.empty() && (*h)->files.empty() && OverRed()) {
      return Status::TooLarge("replication daemon " + std::to_string(index_) + " refuses new store " + c->instance +
                              ": Space Overload Red (" + std::to_string(c_.space_overload_red) + "% of " +
                              std::to_string(Capacity()) + " bytes) is passed");
    }
    if (c->forwarded) HASTORE_RETURN_IF_ERROR(PartnerMissedNothing(**h));
    if (*epoch < e.epoch) {
      return Status::Fenced("instance " + c->instance + " is claimed at epoch " + std::to_string(e.epoch) + " by " +
                            e.session + "; epoch " + std::to_string(*epoch) + " is refused");
    }
    const std::string claimer(*session);
    // An exclusive claim (a single-server open, as a file store's lock file) is refused while
    // another session's client holds a claim here; a lease owner's is not, and fences it.
    if (*exclusive != 0) {
      if (const std::string other = (*h)->OtherLiveSession(claimer); !other.empty()) {
        return Status::Locked("instance " + c->instance + " is held by " + other + " (a client of replication daemon " +
                              std::to_string(index_) + " holds its claim)");
      }
    }
    // The same epoch by another session while that session's client is connected (the owner of
    // the epoch has the store open); once it is gone, its owner is reopening.
    if (*epoch == e.epoch && e.session != claimer && (*h)->live_sessions.count(e.session) != 0) {
      return Status::Locked("instance " + c->instance + " is held at epoch " + std::to_string(e.epoch) + " by " + e.session);
    }
    if (!c->forwarded) HASTORE_RETURN_IF_ERROR(Forward(**h, *partner, body, conn));
    e.epoch = *epoch;
    e.session = claimer;
    HASTORE_RETURN_IF_ERROR(held_->SaveEntry(**h));
    if (!c->forwarded) {
      auto [it, fresh] = conn.claimed.try_emplace(c->instance, claimer);
      if (fresh || it->second != claimer) {
        if (!fresh) (*h)->DropLive(it->second);
        it->second = claimer;
        (*h)->AddLive(claimer);
      }
    }
    return Status::Ok();
  }

  // A change forwarded by the partner of an instance whose writes it missed is refused: the
  // partner would serve (or claim) from an old copy. kIOError sends its client here.
  Status PartnerMissedNothing(const HeldInstance& h) const {
    if (!h.entry.partner_stale) return Status::Ok();
    return Status::IOError("replication daemon " + std::to_string(index_) + " holds writes of " + h.name +
                           " that its partner missed; the partner must take them before it serves the instance");
  }

  Status Modify(Op op, std::string& body, MessageReader& r, Session& session) {
    Result<Change> c = ReadChange(r);
    if (!c.ok()) return c.status();
    if (!c->forwarded && !serving_) return NotServing();
    Result<int> partner = PartnerOf(c->instance);
    if (!partner.ok()) return partner.status();
    std::shared_ptr<HeldInstance> h = held_->Find(c->instance);
    if (!h) return Status::NotFound("instance " + c->instance + " is not held by replication daemon " + std::to_string(index_));
    std::lock_guard lock(h->mu);
    if (op == Op::kDrop) {
      if (h->live_claims() > 0) {
        return Status::Locked("instance " + c->instance + " is active (a client holds its claim at epoch " +
                              std::to_string(h->entry.epoch) + "): not removed");
      }
      if (!c->forwarded) HASTORE_RETURN_IF_ERROR(Forward(*h, *partner, body, session));
      Log("removed instance " + c->instance);
      return held_->Drop(*h);
    }
    Result<uint64_t> epoch = r.U64();
    Result<std::string_view> name = r.Str();
    if (!epoch.ok() || !name.ok()) return Status::Corruption("a request without its epoch or file");
    if (*epoch != h->entry.epoch) {
      return Status::Fenced("instance " + c->instance + " is claimed at epoch " + std::to_string(h->entry.epoch) + " by " +
                            h->entry.session + "; a write under epoch " + std::to_string(*epoch) + " is refused");
    }
    if (c->forwarded) HASTORE_RETURN_IF_ERROR(PartnerMissedNothing(*h));
    const std::string file(*name);
    uint64_t offset = 0, size = 0;
    std::string_view bytes;
    std::string to;
    switch (op) {
      case Op::kWrite: {
        Result<uint64_t> o = r.U64();
        Result<std::string_view> b = r.Str();
        if (!o.ok() || !b.ok()) return Status::Corruption("a WRITE without its offset or bytes");
        offset = *o;
        bytes = *b;
        HASTORE_RETURN_IF_ERROR(CheckSpace(c->instance, file, *h, offset, bytes.size()));
        break;
      }
      case Op::kTruncate: {
        Result<uint64_t> s = r.U64();
        if (!s.ok()) return s.status();
        size = *s;
        break;
      }
      case Op::kRename: {
        Result<std::string_view> t = r.Str();
        if (!t.ok()) return t.status();
        to = std::string(*t);
        break;
      }
      default: break;
    }
    if (!c->forwarded) HASTORE_RETURN_IF_ERROR(Forward(*h, *partner, body, session));
    switch (op) {
      case Op::kCreate: return held_->File(*h, file, true).status();
      case Op::kWrite: return held_->Write(*h, file, offset, bytes);
      case Op::kTruncate: return held_->Truncate(*h, file, size);
      case Op::kRemove: return held_->Remove(*h, file);
      case Op::kRename: return held_->Rename(*h, file, to);
      default: return Status::Ok();
    }
  }

  // Maximum Message Size and Space Overload Yellow, for a write of n bytes at offset.
  Status CheckSpace(const std::string& instance, const std::string& file, HeldInstance& h, uint64_t offset, size_t n) {
    if (n > c_.max_message_bytes()) {
      return Status::TooLarge("a frame of " + std::to_string(n) + " bytes for " + instance + " passes the Maximum Message Size of " +
                              std::to_string(c_.max_message_bytes()) + " bytes (" + std::to_string(c_.max_message_size_percent) +
                              "% of Region Size " + std::to_string(c_.region_size) + ")");
    }
    auto it = h.files.find(file);
    const uint64_t size = it == h.files.end() ? 0 : it->second->size();
    const uint64_t growth = offset + n > size ? offset + n - size : 0;
    if (growth > 0 && (held_->used_bytes() + growth) * 100 > Capacity() * c_.space_overload_yellow) {
      return Status::TooLarge("replication daemon " + std::to_string(index_) + " refuses new records of " + instance +
                              ": Space Overload Yellow (" + std::to_string(c_.space_overload_yellow) + "% of " +
                              std::to_string(Capacity()) + " bytes) is passed");
    }
    return Status::Ok();
  }

  uint64_t Capacity() const { return capacity_; }
  bool OverRed() const { return held_->used_bytes() * 100 > Capacity() * c_.space_overload_red; }

  // Sends the request to the partner and waits for its answer (the instance's mutex is held,
  // so the partner applies the instance's changes in this daemon's order). A partner that
  // cannot be reached is marked as having missed the instance's writes: this daemon goes on
  // alone and pushes the instance to it once it is back.
  Status Forward(HeldInstance& h, int partner, std::string& body, Session& session) {
    if (h.entry.partner_stale) return Status::Ok();  // it takes the whole instance later
    body[kForwardFlagOffset] = 1;  // the readers' views into the rest of it stay valid
    Result<Reply> reply = CallPartner(partner, body, session);
    // A partner that answered decides, a refusal included: kIOError (it holds writes of the
    // instance that this daemon missed) sends the client to it. Only one that cannot be
    // reached is gone on without.
    if (reply.ok()) return reply->status();
    const Status why = reply.status();
    Log("partner daemon " + std::to_string(partner) + " missed a write of " + h.name + " (" + why.message() +
        "): going on alone; it gets the instance when it is back");
    h.entry.partner_stale = true;
    return held_->SaveEntry(h);
  }

  // One request to a partner daemon on a connection of its own, giving up after
  // kPartnerTimeoutMs (times `patience`) without progress.
  Result<Reply> AskPartner(int partner, const MessageWriter& request, uint64_t patience = 1) const {
    return AskDaemon(c_, c_.daemons[partner].address, request, patience * kPartnerTimeoutMs);
  }

  // A forwarded change, on the session's link to the partner. A link the partner closed while
  // it was idle (it restarted) is replaced once; a partner that does not answer in time is not
  // asked again (it may be paused: the instance's writers wait meanwhile).
  Result<Reply> CallPartner(int partner, std::string_view body, Session& session) {
    std::unique_ptr<Socket>& link = session.links[partner];
    const bool reused = link != nullptr;
    for (int attempt = 0;; ++attempt) {
      if (!link) {
        Result<std::unique_ptr<Socket>> s = ConnectToDaemon(c_, c_.daemons[partner].address, kPartnerTimeoutMs, kPartnerTimeoutMs);
        if (!s.ok()) return s.status();
        link = std::move(*s);
      }
      Result<Reply> reply = link->Call(body);
      if (reply.ok()) return reply;
      const bool again = reused && attempt == 0 && !link->timed_out();
      link.reset();
      if (!again) return reply.status();
    }
  }

  Status Query(Op op, MessageReader& r, MessageWriter& out) {
    Result<std::string_view> instance = r.Str();
    if (!instance.ok()) return instance.status();
    if (!serving_) return NotServing();
    std::shared_ptr<HeldInstance> h = held_->Find(std::string(*instance));
    if (op == Op::kList) {
      if (!h) {
        out.U32(0);
        return Status::Ok();
      }
      std::lock_guard lock(h->mu);
      out.U32(static_cast<uint32_t>(h->files.size()));
      for (const auto& [name, f] : h->files) out.Str(name);
      return Status::Ok();
    }
    Result<std::string_view> name = r.Str();
    if (!name.ok()) return name.status();
    if (!h) return Status::NotFound("instance " + std::string(*instance) + " has no file " + std::string(*name));
    std::lock_guard lock(h->mu);
    Result<MappedRegionFile*> f = held_->File(*h, std::string(*name), false);
    if (!f.ok()) return f.status();
    if (op == Op::kSize) {
      out.U64((*f)->size());
      return Status::Ok();
    }
    Result<uint64_t> offset = r.U64();
    Result<uint32_t> n = r.U32();
    if (!offset.ok() || !n.ok()) return Status::Corruption("a READ without its offset or length");
    out.Str((*f)->View(*offset, *n));
    return Status::Ok();
  }

  Status Describe(MessageWriter& out) {
    const std::vector<std::shared_ptr<HeldInstance>> all = held_->All();
    out.U32(static_cast<uint32_t>(index_)).U8(serving_ ? 1 : 0).U64(held_->used_bytes()).U64(Capacity());
    out.U32(static_cast<uint32_t>(all.size()));
    for (const std::shared_ptr<HeldInstance>& h : all) {
      std::lock_guard lock(h->mu);
      out.Str(h->name).U64(h->entry.epoch).Str(h->entry.session).U8(h->entry.partner_stale ? 1 : 0);
      out.U32(static_cast<uint32_t>(h->live_claims()));
      out.U32(static_cast<uint32_t>(h->files.size()));
      for (const auto& [name, f] : h->files) out.Str(name).U64(f->size());
    }
    return Status::Ok();
  }

  // A safe shutdown leaves every instance it holds with an up-to-date copy on its partner;
  // a forced one does not ask.
  Status Shutdown(MessageReader& r) {
    Result<uint8_t> force = r.U8();
    if (!force.ok()) return force.status();
    if (*force == 0) {
      std::map<int, Status> answers;  // each partner asked once, outside any instance's lock
      for (int p : Partners()) answers[p] = AskPartner(p, MessageWriter(Op::kHello, 0)).status();
      for (const std::shared_ptr<HeldInstance>& h : held_->All()) {
        std::lock_guard lock(h->mu);
        if (h->entry.partner_stale) {
          return Status::Locked("instance " + h->name + " has writes only this daemon holds (its partner missed them): " +
                                "not shut down; use --force to shut down anyway");
        }
        Result<int> partner = PartnerOf(h->name);
        if (partner.ok() && !answers[*partner].ok()) {
          return Status::Locked("instance " + h->name + " would be left without a copy: its partner daemon " +
                                std::to_string(*partner) + " cannot be reached (" + answers[*partner].message() +
                                "); not shut down; use --force to shut down anyway");
        }
      }
    }
    const std::string reason = *force ? "shut down by force on request" : "shut down on request";
    {
      std::lock_guard lock(mu_);
      reason_ = reason;
    }
    Log(reason);
    wake_.notify_all();
    return Status::Ok();
  }

  Status TakePush(MessageReader& r) {
    Result<std::string_view> instance = r.Str();
    Result<uint64_t> epoch = r.U64();
    Result<std::string_view> session = r.Str();
    Result<uint32_t> n = r.U32();
    if (!instance.ok() || !epoch.ok() || !session.ok() || !n.ok()) return Status::Corruption("a malformed PUSH");
    std::map<std::string, std::string_view> files;  // views into the request
    for (uint32_t i = 0; i < *n; ++i) {
      Result<std::string_view> name = r.Str();
      Result<std::string_view> bytes = r.Str();
      if (!name.ok() || !bytes.ok()) return Status::Corruption("a PUSH of " + std::string(*instance) + " ends early");
      files[std::string(*name)] = *bytes;
    }
    Result<std::shared_ptr<HeldInstance>> h = held_->FindOrAdd(std::string(*instance));
    if (!h.ok()) return h.status();
    std::lock_guard lock((*h)->mu);
    if ((*h)->entry.partner_stale) {  // each holds writes the other missed: an operator decides
      return Status::Locked("replication daemon " + std::to_string(index_) + " holds writes of " + std::string(*instance) +
                            " that the pushing daemon missed: not replaced");
    }
    if (*epoch < (*h)->entry.epoch) {
      return Status::Fenced("a push of " + std::string(*instance) + " at epoch " + std::to_string(*epoch) +
                            " is older than its claim at epoch " + std::to_string((*h)->entry.epoch));
    }
    HASTORE_RETURN_IF_ERROR(held_->Replace(**h, files));
    (*h)->entry.epoch = *epoch;
    (*h)->entry.session = std::string(*session);
    (*h)->entry.partner_stale = false;
    HASTORE_RETURN_IF_ERROR(held_->SaveEntry(**h));
    Log("took " + std::string(*instance) + " from its partner (" + std::to_string(files.size()) + " files, epoch " +
        std::to_string(*epoch) + ")");
    return Status::Ok();
  }

  Status StaleFor(MessageReader& r, MessageWriter& out) {
    Result<uint32_t> asker = r.U32();
    if (!asker.ok()) return asker.status();
    std::vector<std::string> stale;
    for (const std::shared_ptr<HeldInstance>& h : held_->All()) {
      std::lock_guard lock(h->mu);
      Result<int> partner = PartnerOf(h->name);
      if (h->entry.partner_stale && partner.ok() && *partner == static_cast<int>(*asker)) stale.push_back(h->name);
    }
    out.U32(static_cast<uint32_t>(stale.size()));
    for (const std::string& s : stale) out.Str(s);
    return Status::Ok();
  }

  // ---- housekeeping --------------------------------------------------------------------------

  void Housekeeping() {
    uint64_t since_flush_ms = 0;
    constexpr uint64_t kTickMs = 100;
    std::unique_lock lock(mu_);
    while (!stopped_) {
      wake_.wait_for(lock, std::chrono::milliseconds(kTickMs), [this] { return stopped_; });
      if (stopped_) break;
      lock.unlock();
      if (!serving_ && PartnersHaveNothingForUs()) {
        serving_ = true;
        Log("daemon " + std::to_string(index_) + " is up to date with its partners: serving");
      }
      PushToStalePartners();
      since_flush_ms += kTickMs;
      if (since_flush_ms >= c_.flush_interval_ms) {
        since_flush_ms = 0;
        FlushAll(false);
      }
      lock.lock();
    }
  }

  // The daemons this one shares instances with: the one before it and the one after it.
  std::set<int> Partners() const {
    const int n = static_cast<int>(c_.daemons.size());
    std::set<int> out{(index_ + 1) % n, (index_ + n - 1) % n};
    out.erase(index_);
    return out;
  }

  bool PartnersHaveNothingForUs() {
    for (int p : Partners()) {
      MessageWriter w(Op::kStaleFor, 0);
      w.U32(static_cast<uint32_t>(index_));
      Result<Reply> reply = AskPartner(p, w);
      if (!reply.ok()) return false;
      Result<uint32_t> n = reply->payload().U32();
      if (!n.ok() || *n != 0) return false;
    }
    return true;
  }

  // A partner must answer a HELLO before the instance's mutex is taken for the push: one that
  // is still away, or paused (the kernel accepts its connections, it answers nothing), costs
  // the instance's writers nothing.
  // Each partner is asked once per round, however many instances it is stale for (a paused one
  // would otherwise cost the 1 s timeout per instance).
  void PushToStalePartners() {
    std::map<int, bool> answers;  // partner -> answered this round's HELLO
    for (const std::shared_ptr<HeldInstance>& h : held_->All()) {
      Result<int> partner = PartnerOf(h->name);
      if (!partner.ok()) continue;
      {
        std::lock_guard lock(h->mu);
        if (!h->entry.partner_stale) continue;
      }
      auto [answer, first] = answers.try_emplace(*partner, false);
      if (first) answer->second = AskPartner(*partner, MessageWriter(Op::kHello, 0)).ok();
      if (!answer->second) continue;
      std::lock_guard lock(h->mu);
      if (!h->entry.partner_stale) continue;
      MessageWriter w(Op::kPush, 0);
      w.Str(h->name).U64(h->entry.epoch).Str(h->entry.session).U32(static_cast<uint32_t>(h->files.size()));
      for (const auto& [name, f] : h->files) w.Str(name).Str(f->View(0, f->size()));
      Result<Reply> reply = AskPartner(*partner, w, 10);  // a whole instance to take in
      if (!reply.ok()) {
        Log("partner daemon " + std::to_string(*partner) + " did not take " + h->name + ": " + reply.status().ToString());
        continue;
      }
      h->entry.partner_stale = false;
      (void)held_->SaveEntry(*h);
      Log("pushed " + h->name + " to partner daemon " + std::to_string(*partner) + ": two copies again");
    }
  }

  void FlushAll(bool wait) {
    for (const std::shared_ptr<HeldInstance>& h : held_->All()) {
      std::lock_guard lock(h->mu);
      for (auto& [name, f] : h->files) {
        if (!f->dirty()) continue;
        Status s = f->Flush(wait);
        if (!s.ok()) Log(s.ToString());
      }
    }
  }

  const DaemonConfig c_;
  const int index_;
  const DaemonOptions o_;
  std::unique_ptr<HeldInstances> held_;
  const uint64_t capacity_;  // bytes its data may take (Space Overload percents are of it)
  std::atomic<bool> serving_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::string reason_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::thread> acceptors_;
  std::map<std::thread::id, std::thread> connections_;  // one per connection being served
  std::vector<std::thread::id> ended_;                   // of connections that were served
  std::set<Socket*> open_;
  std::thread housekeeper_;
};

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::Start(const DaemonConfig& config, int index, DaemonOptions options) {
  HASTORE_RETURN_IF_ERROR(Validate(config));
  if (config.auth_key.size() < kMinAuthKeyBytes) {
    return Status::InvalidArgument("no authentication key loaded from auth_key_file " + config.auth_key_file +
                                   ": a daemon does not start without one");
  }
  if (index < 0 || index >= static_cast<int>(config.daemons.size())) {
    return Status::InvalidArgument("daemon index " + std::to_string(index) + " is not in the configuration (0.." +
                                   std::to_string(config.daemons.size() - 1) + ")");
  }
  Result<std::unique_ptr<HeldInstances>> held = HeldInstances::Open(config.daemons[index].directory, config.region_size);
  if (!held.ok()) return held.status();
  auto d = std::make_unique<DaemonImpl>(config, index, std::move(options), std::move(*held));
  HASTORE_RETURN_IF_ERROR(d->Listen());
  return std::unique_ptr<Daemon>(std::move(d));
}

}  // namespace hastore::replicated
