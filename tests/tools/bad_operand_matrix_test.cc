// Every verb against every bad operand, generated from two tables (the verbs by the kind of
// operand they take, the bad operands of each kind): each run must end with exit status 1 or
// 2 (no signal), exactly one line on stderr that names the operand, and nothing created or
// changed under the directory that holds every operand.
//
// The unreadable directory: tests run as root, which reads any directory whatever its mode, so
// those cases run `hastore` as the unprivileged uid 65534 through setpriv(1) against a
// directory of mode 0700 owned by root. The PostgreSQL port with no server: a port bound and
// released by the test; where psqlODBC is not installed the error names the driver instead.
// The digests leave out the contents of LMDB's lock.mdb (its reader table, which every process
// that opens the lease authority writes, a reader too).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "cli_harness.h"
#include "common/store_digest.h"
#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"
#include "hastore/ha/open_authority.h"

namespace hastore::testing {
namespace {

// What a verb takes that an operand can spoil.
enum class Slot {
  kStore,    // STORE positional: [file:]DIR/INSTANCE, jdbc:..., replicated:...
  kStoreToml,  // a store TOML through --config
  kCluster,  // a cluster TOML
  kDaemons,  // the replication daemons' TOML
  kName,     // a name on the command line (store, server, instance)
  kNumber,   // a numeric option
};

struct BadOperand {
  BadOperand(std::string label, Slot slot, std::string value, std::vector<std::string> names, bool as_nobody = false,
             std::vector<std::string> skip = {})
      : label(std::move(label)), slot(slot), value(std::move(value)), names(std::move(names)), as_nobody(as_nobody),
        skip(std::move(skip)) {}

  std::string label;
  Slot slot;
  std::string value;
  std::vector<std::string> names;  // the error line holds one of these
  bool as_nobody = false;          // run as uid 65534 (the unreadable directory)
  std::vector<std::string> skip;   // verbs for which this is a good operand, with the reason in the table
};

struct VerbUse {
  std::string label;
  Slot slot;
  std::function<std::vector<std::string>(const std::string& operand)> argv;
};

// A TOML integer too large for 64 bits: the TOML reader refuses it at its line and column,
// quoting it, before any key sees it.
constexpr char kHuge[] = "'99999999999999999999'";

// dump --log refuses a JDBC store whatever it names (it has no log): the operand is not reached.
const std::vector<std::string> kNotReachedByDumpLog = {"dump --log"};

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class BadOperandMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = root_dir_.path();
    port_ = std::to_string(FreePort());
    port2_ = std::to_string(FreePort());
    ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);  // uid 65534 may enter; locked/ it may not
    std::filesystem::create_directories(root_ + "/empty");
    std::filesystem::create_directories(root_ + "/configs");
    ASSERT_TRUE(WriteWholeFile(root_ + "/afile", "not a directory\n"));
    // The daemons' key (every daemons file names it), 32 bytes, readable by root alone.
    ASSERT_TRUE(WriteWholeFile(root_ + "/configs/rsd.key", std::string(32, 'k')));
    ASSERT_EQ(::chmod((root_ + "/configs/rsd.key").c_str(), 0600), 0);
    MakeStore(root_ + "/store", "orders");
    MakeStore(root_ + "/locked", "orders");
    ASSERT_TRUE(WriteWholeFile(root_ + "/locked/cluster.toml", Cluster("")));
    {
      auto cluster = ha::LoadClusterConfig(Config("cluster.toml", Cluster("")));
      ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
      ASSERT_TRUE(ha::OpenLeaseAuthority(*cluster).ok());
    }
    ASSERT_TRUE(WriteWholeFile(root_ + "/locked/rsd.toml", Daemons("")));
    ASSERT_TRUE(WriteWholeFile(root_ + "/locked/store.toml", Store("name = \"orders\"")));
    ASSERT_EQ(::chmod((root_ + "/locked").c_str(), 0700), 0);
  }

  static void MakeStore(const std::string& dir, const std::string& name) {
    StoreConfig config;
    config.name = name;
    config.file.directory = dir;
    auto store = OpenFileStore(config, Ownership{0, "matrix"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto c = (*store)->OpenConnection("queue.A");
    ASSERT_TRUE(c.ok());
    Transaction t = (*store)->Begin();
    ASSERT_TRUE(t.Create(*c, "hello").ok());
    ASSERT_TRUE((*store)->Commit(std::move(t)).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }

  // A configuration file under configs/ with `text`; its path.
  std::string Config(const std::string& name, const std::string& text) {
    const std::string path = root_ + "/configs/" + name;
    EXPECT_TRUE(WriteWholeFile(path, text));
    return path;
  }
  // A valid store TOML with `extra` lines appended to [store] (the values below it win).
  std::string Store(const std::string& store_lines, const std::string& file_lines = "") const {
    return "[store]\n" + store_lines + "\n[file]\ndirectory = \"" + root_ + "/store\"\n" + file_lines + "\n";
  }
  // A valid cluster TOML; `servers` replaces the server list, `leasing` the leasing table's lines
  // (default: the local authority in leases/, made by SetUp as its first server would).
  std::string Cluster(const std::string& leasing, const std::string& servers = "\"ms1\", \"ms2\"",
                      const std::string& cluster_lines = "") const {
    return "[cluster]\nname = \"matrix\"\nservers = [" + servers + "]\n" + cluster_lines + "\n[leasing]\n" +
           (leasing.empty() ? "basis = \"local\"\ndirectory = \"" + root_ + "/leases\"\n" : leasing) +
           "\n[stores.jms]\nkind = \"file\"\ntarget = \"mt1\"\n[stores.jms.file]\ndirectory = \"" + root_ +
           "/shared-never-made\"\n[migratable_targets.mt1]\nuser_preferred_server = \"ms1\"\ncandidate_servers = [\"ms1\", \"ms2\"]\n";
  }
  // A valid daemons TOML on ports nobody listens on; `lines` go before the daemons.
  std::string Daemons(const std::string& lines, const std::string& directory = "") const {
    const std::string dir = directory.empty() ? root_ + "/rsd-never-made" : directory;
    return "auth_key_file = \"" + root_ + "/configs/rsd.key\"\n" + lines + "\n[[daemons]]\naddress = \"127.0.0.1:" + port_ + "\"\ndirectory = \"" + dir +
           "0\"\n[[daemons]]\naddress = \"127.0.0.1:" + port2_ + "\"\ndirectory = \"" + dir + "1\"\n";
  }

  std::vector<VerbUse> Verbs() const {
    const std::string fresh = root_ + "/copy-never-made/orders";
    const std::string source = root_ + "/store/orders";
    const auto store_verb = [](std::vector<std::string> head) {
      return [head](const std::string& operand) {
        std::vector<std::string> argv = head;
        argv.push_back(operand);
        return argv;
      };
    };
    const auto with = [](std::vector<std::string> argv, size_t at) {
      return [argv, at](const std::string& operand) {
        std::vector<std::string> out = argv;
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), operand);
        return out;
      };
    };
    std::vector<VerbUse> verbs;
    for (const char* verb : {"list", "dump", "verify", "repair", "compact"}) {
      verbs.push_back({verb, Slot::kStore, store_verb({verb})});
      verbs.push_back({std::string(verb) + " --config", Slot::kStoreToml, store_verb({verb, "--config"})});
    }
    verbs.push_back({"repair --dry-run", Slot::kStore, store_verb({"repair", "--dry-run"})});
    verbs.push_back({"dump --log", Slot::kStore, store_verb({"dump", "--log"})});
    verbs.push_back({"copy FROM", Slot::kStore, with({"copy", fresh}, 1)});
    verbs.push_back({"copy TO", Slot::kStore, with({"copy", source}, 2)});
    verbs.push_back({"status", Slot::kCluster, store_verb({"status", "--config"})});
    verbs.push_back({"config check", Slot::kCluster, store_verb({"config", "check"})});
    verbs.push_back({"migrate", Slot::kCluster, with({"migrate", "--config", "jms", "--to", "ms2", "--wait", "0"}, 2)});
    verbs.push_back({"agent", Slot::kCluster, with({"agent", "--config", "--server", "ms1"}, 2)});
    verbs.push_back({"rsd", Slot::kDaemons, with({"rsd", "--config", "--index", "0"}, 2)});
    for (const char* sub : {"daemons", "regions"}) {
      verbs.push_back({std::string("rsd-admin ") + sub, Slot::kDaemons, store_verb({"rsd-admin", sub, "--config"})});
    }
    verbs.push_back({"rsd-admin remove", Slot::kDaemons, with({"rsd-admin", "remove", "--config", "orders"}, 3)});
    verbs.push_back({"rsd-admin shutdown", Slot::kDaemons, with({"rsd-admin", "shutdown", "--config", "--index", "0"}, 3)});
    // names on the command line
    verbs.push_back({"names --store", Slot::kName, store_verb({"names", "--store"})});
    verbs.push_back({"names --server", Slot::kName,
                     with({"names", "--store", "s", "--distribution", "distributed", "--server"}, 6)});
    verbs.push_back({"jdbc Instance=", Slot::kName, [this](const std::string& name) {
                       return std::vector<std::string>{"verify", "jdbc:Instance=" + name + ";Directory=" + root_ + "/empty"};
                     }});
    verbs.push_back({"migrate INSTANCE", Slot::kName, [this](const std::string& name) {
                       return std::vector<std::string>{"migrate", "--config", root_ + "/configs/cluster.toml", name,
                                                       "--to", "ms2", "--wait", "0"};
                     }});
    verbs.push_back({"migrate --to", Slot::kName, [this](const std::string& name) {
                       return std::vector<std::string>{"migrate", "--config", root_ + "/configs/cluster.toml", "jms",
                                                       "--to", name, "--wait", "0"};
                     }});
    verbs.push_back({"agent --server", Slot::kName, [this](const std::string& name) {
                       return std::vector<std::string>{"agent", "--config", root_ + "/configs/cluster.toml", "--server", name};
                     }});
    verbs.push_back({"rsd-admin remove INSTANCE", Slot::kName, [this](const std::string& name) {
                       return std::vector<std::string>{"rsd-admin", "remove", "--config", root_ + "/configs/rsd.toml", name};
                     }});
    // numeric options: `operand` is the number
    for (const std::vector<std::string>& option : std::vector<std::vector<std::string>>{
             {"bench", "--sizes"}, {"bench", "--writers"}, {"bench", "--repeat"}, {"bench", "--jdbc-workers"},
             {"bench", "--seconds"}, {"bench", "reopen", "--size"}, {"bench", "reopen", "--live-bytes"},
             {"bench", "churn", "--size"}, {"bench", "churn", "--live-bytes"}, {"bench", "churn", "--traffic-bytes"},
             {"bench", "churn", "--writers"}, {"bench", "churn", "--per-commit"}, {"demo", "--seconds"},
             {"demo", "--rate"}, {"demo", "--trials"}}) {
      std::string label;
      for (const std::string& word : option) label += (label.empty() ? "" : " ") + word;
      verbs.push_back({label, Slot::kNumber, store_verb(option)});
    }
    verbs.push_back({"agent --produce", Slot::kNumber, [this](const std::string& n) {
                       return std::vector<std::string>{"agent", "--config", root_ + "/configs/cluster.toml", "--server",
                                                       "ms1", "--produce", n};
                     }});
    verbs.push_back({"migrate --wait", Slot::kNumber, [this](const std::string& n) {
                       return std::vector<std::string>{"migrate", "--config", root_ + "/configs/cluster.toml", "jms",
                                                       "--to", "ms2", "--wait", n};
                     }});
    verbs.push_back({"rsd --index", Slot::kNumber, [this](const std::string& n) {
                       return std::vector<std::string>{"rsd", "--config", root_ + "/configs/rsd.toml", "--index", n};
                     }});
    verbs.push_back({"rsd-admin shutdown --index", Slot::kNumber, [this](const std::string& n) {
                       return std::vector<std::string>{"rsd-admin", "shutdown", "--config", root_ + "/configs/rsd.toml",
                                                       "--index", n};
                     }});
    return verbs;
  }

  std::vector<BadOperand> Operands() {
    const std::string long_name(200, 'x');
    const std::string pg = "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=" + port_ + ";Database=x;Uid=u;Pwd=p";
    // Paths that a verb reads as a file, whatever it expects in it.
    const auto files = [&](Slot slot, const std::string& file) {
      return std::vector<BadOperand>{
          {"no such file", slot, root_ + "/nothere/" + file, {root_ + "/nothere/" + file}},
          {"a directory", slot, root_ + "/empty", {root_ + "/empty"}},
          {"under a file", slot, root_ + "/afile/" + file, {root_ + "/afile/" + file}},
          {"unreadable directory", slot, root_ + "/locked/" + file, {root_ + "/locked/" + file}, true},
          {"malformed TOML", slot, Config("malformed-" + file, "[store\nname = \"x\n"), {"malformed-" + file}},
          {"empty path", slot, "", {"--config", "file", "''", "\"\""}},
      };
    };
    std::vector<BadOperand> all = {
        // STORE
        {"no such directory", Slot::kStore, root_ + "/nothere/orders", {root_ + "/nothere"}, false, {"copy TO"}},
        {"empty directory", Slot::kStore, root_ + "/empty/orders", {root_ + "/empty"}, false, {"copy TO"}},
        {"a file for the directory", Slot::kStore, root_ + "/afile/orders", {root_ + "/afile"}},
        {"unreadable directory", Slot::kStore, root_ + "/locked/orders", {root_ + "/locked"}, true},
        {"unregistered ODBC driver", Slot::kStore, "jdbc:Instance=orders;Driver={No Such};Database=x", {"No Such"}, false, kNotReachedByDumpLog},
        {"PostgreSQL port with no server", Slot::kStore, "jdbc:Instance=orders;" + pg, {port_, "PostgreSQL Unicode"}, false, kNotReachedByDumpLog},
        {"jdbc Directory= a file", Slot::kStore, "jdbc:Instance=orders;Directory=" + root_ + "/afile", {root_ + "/afile"}, false, kNotReachedByDumpLog},
        {"jdbc Directory= missing", Slot::kStore, "jdbc:Instance=orders;Directory=" + root_ + "/nothere", {root_ + "/nothere"},
         false, {"copy TO", "dump --log"}},
        {"jdbc Directory= empty", Slot::kStore, "jdbc:Instance=orders;Directory=" + root_ + "/empty", {root_ + "/empty"},
         false, {"copy TO", "dump --log"}},
        {"replicated: no daemons file", Slot::kStore, "replicated:" + root_ + "/nothere.toml/orders", {"nothere.toml"}},
        {"replicated: malformed daemons file", Slot::kStore,
         "replicated:" + Config("malformed-rsd.toml", "region_size = [\n") + "/orders", {"malformed-rsd.toml"}},
        {"replicated: no daemon listening", Slot::kStore,
         "replicated:" + Config("silent-rsd.toml", Daemons("")) + "/orders", {"127.0.0.1:"}},
        {"200-character instance", Slot::kStore, root_ + "/store/" + long_name, {long_name}},
        {"empty STORE", Slot::kStore, "", {"STORE"}},
        // store TOML
        {"unknown key", Slot::kStoreToml, Config("unknown-key.toml", Store("name = \"orders\"\nbogus = 1")), {"bogus"}},
        {"NUL in the name", Slot::kStoreToml, Config("nul.toml", Store("name = \"a\\u0000b\"")), {"store.name", "name"}},
        {"200-character name", Slot::kStoreToml, Config("long.toml", Store("name = \"" + long_name + "\"")), {long_name}},
        {"'/' in the name", Slot::kStoreToml, Config("slash.toml", Store("name = \"a/b\"")), {"a/b"}},
        {"negative number", Slot::kStoreToml, Config("negative.toml", Store("name = \"orders\"", "max_file_size = -1")),
         {"max_file_size"}},
        {"huge number", Slot::kStoreToml,
         Config("huge.toml", Store("name = \"orders\"", "max_file_size = 99999999999999999999")), {kHuge}},
        {"file.directory a file", Slot::kStoreToml,
         Config("dir-is-file.toml", "[store]\nname = \"orders\"\n[file]\ndirectory = \"" + root_ + "/afile\"\n"),
         {root_ + "/afile"}},
        // cluster TOML
        {"unknown key", Slot::kCluster, Config("cluster-unknown.toml", Cluster("", "\"ms1\", \"ms2\"", "bogus = 1")),
         {"bogus"}},
        {"NUL in a server name", Slot::kCluster, Config("cluster-nul.toml", Cluster("", "\"ms1\", \"a\\u0000b\"")),
         {"servers"}},
        {"200-character server name", Slot::kCluster, Config("cluster-long.toml", Cluster("", "\"ms1\", \"" + long_name + "\"")),
         {long_name}},
        {"'/' in a server name", Slot::kCluster, Config("cluster-slash.toml", Cluster("", "\"ms1\", \"a/b\"")), {"a/b"}},
        {"negative number", Slot::kCluster,
         Config("cluster-negative.toml", Cluster("basis = \"local\"\ndirectory = \"" + root_ +
                                                 "/leases-never-made\"\nhealth_check_interval = -1")),
         {"health_check_interval"}},
        {"huge number", Slot::kCluster,
         Config("cluster-huge.toml", Cluster("basis = \"local\"\ndirectory = \"" + root_ +
                                             "/leases-never-made\"\nhealth_check_interval = 99999999999999999999")),
         {kHuge}},
        {"leasing directory that does not exist", Slot::kCluster,
         Config("cluster-no-leases.toml", Cluster("basis = \"local\"\ndirectory = \"" + root_ + "/leases-never-made\"")),
         {root_ + "/leases-never-made"}, false, {"config check", "agent"}},  // an agent, the first server, makes it
        {"leasing directory a file", Slot::kCluster,
         Config("cluster-leases-file.toml", Cluster("basis = \"local\"\ndirectory = \"" + root_ + "/afile\"")),
         {root_ + "/afile"}, false, {"config check"}},
        {"leasing on an unregistered ODBC driver", Slot::kCluster,
         Config("cluster-no-driver.toml", Cluster("basis = \"database\"\nconnection = \"Driver={No Such};Database=x\"")),
         {"No Such"}, false, {"config check"}},
        {"leasing on a PostgreSQL port with no server", Slot::kCluster,
         Config("cluster-pg.toml", Cluster("basis = \"database\"\nconnection = \"" + pg + "\"")),
         {port_, "PostgreSQL Unicode"}, false, {"config check"}},
        // daemons TOML
        {"unknown key", Slot::kDaemons, Config("rsd-unknown.toml", Daemons("bogus = 1")), {"bogus"}},
        {"negative number", Slot::kDaemons, Config("rsd-negative.toml", Daemons("region_size = -1")), {"region_size"}},
        {"huge number", Slot::kDaemons, Config("rsd-huge.toml", Daemons("region_size = 99999999999999999999")), {kHuge}},
        {"no daemon listening", Slot::kDaemons, Config("rsd.toml", Daemons("")), {"127.0.0.1:"}, false, {"rsd"}},
        {"daemon directory a file", Slot::kDaemons, Config("rsd-dir-file.toml", Daemons("", root_ + "/afile/")),
         {root_ + "/afile"}, false, {"rsd-admin daemons", "rsd-admin regions", "rsd-admin remove", "rsd-admin shutdown"}},
        // names on the command line
        {"'/' in a name", Slot::kName, "a/b", {"a/b"}},
        {"200-character name", Slot::kName, long_name, {long_name}},
        {"empty name", Slot::kName, "", {"''", "\"\"", "empty", "--store", "--server", "--to", "Instance="}},
        // numbers
        {"negative number", Slot::kNumber, "-1", {"'-1'"}},
        {"huge number", Slot::kNumber, "99999999999999999999", {"'99999999999999999999'"}},
        {"not a number", Slot::kNumber, "nan", {"'nan'"}},
        {"empty number", Slot::kNumber, "", {"''"}},
    };
    for (auto [slot, file] : {std::pair{Slot::kStoreToml, "store.toml"}, {Slot::kCluster, "cluster.toml"},
                              {Slot::kDaemons, "rsd.toml"}}) {
      for (BadOperand& o : files(slot, file)) all.push_back(std::move(o));
    }
    return all;
  }

  TempDir root_dir_;
  std::string root_;
  std::string port_, port2_;  // nobody listens on them
};

TEST_F(BadOperandMatrix, EveryVerbAgainstEveryBadOperand) {
  const std::vector<BadOperand> operands = Operands();
  const std::vector<std::string> nobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  int cases = 0;
  for (const VerbUse& verb : Verbs()) {
    for (const BadOperand& operand : operands) {
      if (operand.slot != verb.slot) continue;
      if (std::find(operand.skip.begin(), operand.skip.end(), verb.label) != operand.skip.end()) continue;
      const std::vector<std::string> args = verb.argv(operand.value);
      SCOPED_TRACE(verb.label + " × " + operand.label + ": hastore " + ::testing::PrintToString(args));
      CliOutput output;
      output.wrapper = {"/usr/bin/timeout", "-k", "5", "60"};
      if (operand.as_nobody) output.wrapper.insert(output.wrapper.end(), nobody.begin(), nobody.end());
      const std::string before = DigestDirectory(root_, {"lock.mdb"});
      const CliResult r = RunCli(args, output);
      ++cases;
      EXPECT_TRUE(r.exit_status == 1 || r.exit_status == 2) << "exit status " << r.exit_status << "\n" << r.out << r.err;
      EXPECT_TRUE(std::count(r.err.begin(), r.err.end(), '\n') == 1 && r.err.back() == '\n')
          << "not one line on stderr:\n" << r.err;
      EXPECT_TRUE(std::any_of(operand.names.begin(), operand.names.end(),
                              [&](const std::string& n) { return r.err.find(n) != std::string::npos; }))
          << "the error does not name " << ::testing::PrintToString(operand.names) << ":\n" << r.err;
      EXPECT_EQ(DigestDirectory(root_, {"lock.mdb"}), before) << "something was created or changed";
    }
  }
  EXPECT_GE(cases, 300);
}

}  // namespace
}  // namespace hastore::testing
