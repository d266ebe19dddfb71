#include "migration_steps.h"

#include "cluster_records.h"

namespace hastore::ha {

MigrationSteps::MigrationSteps(LeaseAuthority& authority, InstanceIndex& instances, std::string server,
                               std::function<void(const std::string&)> log)
    : authority_(authority), instances_(instances), server_(std::move(server)), log_(std::move(log)) {}

Result<std::optional<MigrationStatus>> MigrationSteps::Read(const std::string& instance) {
  const std::string key = MigrationKey(instance);
  Result<std::optional<std::string>> text = authority_.GetRecord(key);
  if (!text.ok()) return text.status();
  if (!*text) return std::optional<MigrationStatus>();
  Result<MigrationStatus> m = DecodeMigration(key, **text);
  if (!m.ok()) return m.status();
  return std::optional<MigrationStatus>(std::move(*m));
}

const MigratableTarget* MigrationSteps::TargetOf(const std::string& instance) {
  const InstanceSpec* spec = instances_.Find(instance);
  if (spec == nullptr || spec->store->target_kind != TargetKind::kMigratableTarget) return nullptr;
  return instances_.config().FindTarget(spec->store->target);
}

bool MigrationSteps::ServerUp(const std::string& server) {
  Result<std::optional<LeaseView>> lease = authority_.Find(ServerLeaseName(server));
  // Unknown counts as up: running the old server's post script beside it could undo its work.
  return !lease.ok() || (*lease && (*lease)->held());
}

bool MigrationSteps::AfterStop(const std::string& instance, const std::string& to, uint64_t now_ms) {
  Result<std::optional<MigrationStatus>> m = Read(instance);
  if (!m.ok() || !*m || (*m)->state != kMigrationRequested || (*m)->to != to) return false;
  const MigratableTarget* target = TargetOf(instance);
  if (target == nullptr || target->post_script.empty()) return false;
  Pending p;
  p.request = std::move(**m);
  p.target = target;
  p.steps = {Step::kPost};
  p.from = server_;
  Begin(instance, std::move(p), now_ms);
  return true;
}

MigrationSteps::Start MigrationSteps::BeforeStart(const std::string& instance, uint64_t now_ms) {
  Result<std::optional<MigrationStatus>> m = Read(instance);
  if (!m.ok()) {
    log_("cannot read the migration record of " + instance + ": " + m.status().ToString());
    return Start::kNotNow;
  }
  if (!*m) return Start::kNow;
  const MigrationStatus& request = **m;
  if (request.state == kMigrationFailed) return Start::kNotNow;  // it waits for an operator
  if (request.state != kMigrationRequested || request.to != server_) return Start::kNow;
  const MigratableTarget* target = TargetOf(instance);
  if (target == nullptr) return Start::kNow;  // cluster-targeted: no scripts
  Pending p;
  if (target->non_local_post_allowed && !target->post_script.empty() && !request.from.empty() &&
      request.from != server_ && !ServerUp(request.from))
    p.steps.push_back(Step::kPost);
  if (!target->pre_script.empty()) p.steps.push_back(Step::kPre);
  if (p.steps.empty()) return Start::kNow;
  p.request = request;
  p.target = target;
  p.from = request.from;
  p.starts_here = true;
  Begin(instance, std::move(p), now_ms);
  return Start::kAfterScripts;
}

void MigrationSteps::Begin(const std::string& instance, Pending pending, uint64_t now_ms) {
  Pending& p = pending_[instance] = std::move(pending);
  Launch(instance, p, now_ms);
}

void MigrationSteps::Launch(const std::string& instance, Pending& p, uint64_t now_ms) {
  const bool post = p.steps.front() == Step::kPost;
  const std::string& command = post ? p.target->post_script : p.target->pre_script;
  std::string what = std::string(post ? "post" : "pre") + " script '" + command + "' of " + p.target->name + " on " + server_;
  log_("migration of " + instance + " to " + p.request.to + ": running the " + what);
  MigrationScriptEnv env{instance, p.target->name, p.from, p.request.to, server_};
  Result<std::unique_ptr<MigrationScript>> script = MigrationScript::Start(std::move(what), command, env, now_ms);
  p.script.reset();
  p.spawn_error.reset();
  if (script.ok()) {
    p.script = std::move(*script);
  } else {
    p.spawn_error = script.status();
  }
}

std::vector<MigrationSteps::Outcome> MigrationSteps::Poll(uint64_t now_ms) {
  std::vector<Outcome> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const std::string& instance = it->first;
    Pending& p = it->second;
    std::optional<Status> result = p.script ? p.script->Poll(now_ms) : p.spawn_error;
    if (!result) {
      ++it;
      continue;
    }
    const bool fatal = p.steps.front() == Step::kPre || p.target->post_script_failure_is_fatal;
    p.steps.erase(p.steps.begin());
    bool go_on = true;
    if (!result->ok() && fatal) {
      log_("migration of " + instance + " to " + p.request.to + " failed: " + result->message());
      Update(instance, p.request, kMigrationFailed, result->message());
      go_on = false;
    } else if (!result->ok()) {
      log_(result->message() + "; not fatal (post_script_failure_is_fatal = false): the migration goes on");
      Update(instance, p.request, kMigrationRequested, result->message() + " (not fatal)");
    }
    if (go_on && !p.steps.empty()) {
      Launch(instance, p, now_ms);
      ++it;
      continue;
    }
    out.push_back(Outcome{instance, go_on && p.starts_here});
    it = pending_.erase(it);
  }
  return out;
}

void MigrationSteps::AfterActivate(const std::string& instance, uint64_t epoch) {
  // Read just now, so written without Update's second look.
  Result<std::optional<MigrationStatus>> m = Read(instance);
  if (!m.ok() || !*m || (*m)->state != kMigrationRequested || (*m)->to != server_) return;
  Write(instance, std::move(**m), kMigrationSucceeded, "active on " + server_ + " at epoch " + std::to_string(epoch));
  log_("migration of " + instance + " to " + server_ + " succeeded");
}

void MigrationSteps::Update(const std::string& instance, const MigrationStatus& seen, std::string_view state,
                            const std::string& text) {
  // Read again just before writing: an operator may have asked for another move meanwhile, and
  // that request must not be overwritten by the end of this one. (A request that lands between
  // this read and the write below is lost; the operator sees its migration end and asks again.)
  Result<std::optional<MigrationStatus>> current = Read(instance);
  if (!current.ok() || !*current || (*current)->requested_ms != seen.requested_ms ||
      (*current)->state != kMigrationRequested)
    return;
  Write(instance, std::move(**current), state, text);
}

void MigrationSteps::Write(const std::string& instance, MigrationStatus m, std::string_view state,
                           const std::string& text) {
  m.message = m.message.empty() ? text : text + "; " + m.message;  // the newest first, notes kept
  m.state = std::string(state);
  if (state != kMigrationRequested) {
    Result<int64_t> now = authority_.NowMs();
    m.finished_ms = now.ok() ? *now : m.requested_ms;
  }
  Status s = authority_.PutRecord(nullptr, MigrationKey(instance), Encode(m));
  if (!s.ok()) log_("cannot record the migration of " + instance + ": " + s.ToString());
}

std::vector<std::string> MigrationSteps::Starting() const {
  std::vector<std::string> out;
  for (const auto& [instance, p] : pending_) {
    if (p.starts_here) out.push_back(instance);
  }
  return out;
}

void MigrationSteps::Abandon(const std::string& instance) {
  if (pending_.erase(instance) != 0) log_("abandoned the migration scripts of " + instance);
}

std::vector<std::string> MigrationSteps::AbandonAll() {
  std::vector<std::string> out;
  for (const auto& [instance, p] : pending_) out.push_back(instance);
  for (const std::string& instance : out) Abandon(instance);
  return out;
}

}  // namespace hastore::ha
