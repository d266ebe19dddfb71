// `hastore dump`: the live records of a store, or every stored record in log order. Reads only.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/filestore/inspect.h"
#include "store_locator.h"
#include "store_opener.h"
#include "text_output.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "dump";

struct DumpArgs {
  StoreArgs store;
  bool json = false;
  bool log = false;
};

// Live records, connection by connection, each in handle order.
int DumpLive(const StoreLocation& location, bool json) {
  auto store = OpenReadOnly(location);
  if (!store.ok()) return Fail(kVerb, store.status());
  Json records = Json::array();
  for (const Connection& connection : (*store)->Connections()) {
    Status s = (*store)->Scan(connection, [&](Handle handle, std::string_view data) {
      if (json) {
        records.push_back({{"connection", connection.name},
                           {"handle", handle},
                           {"size", data.size()},
                           {"data_base64", Base64(data)}});
      } else {
        std::cout << EscapeBytes(connection.name) << '\t' << handle << '\t' << data.size() << '\t' << EscapeBytes(data)
                  << '\n';
      }
      return true;
    });
    if (!s.ok()) return Fail(kVerb, s);
  }
  if (json) PrintJson(records);
  return kExitOk;
}

// Every record of the valid log as stored, including overwritten and removed ones.
int DumpLog(const StoreLocation& location, bool json) {
  if (location.config.kind == StoreKind::kJdbc) {
    return Fail(kVerb, "--log shows a file or replicated store's log; a JDBC store has none (its rows are its live records)",
                kExitUsage);
  }
  Json records = Json::array();
  auto in = InspectLog(location, [&](const StoredRecord& r) {
    if (json) {
      records.push_back({{"segment", r.segment},
                         {"offset", r.offset},
                         {"type", r.type},
                         {"connection", r.connection},
                         {"handle", r.handle},
                         {"txn", r.txn},
                         {"epoch", r.epoch},
                         {"size", r.data.size()}});
    } else {
      std::cout << r.segment << '\t' << r.offset << '\t' << r.type << '\t' << r.connection << '\t' << r.handle << '\t'
                << r.txn << '\t' << r.epoch << '\t' << r.data.size() << '\n';
    }
  });
  if (!in.ok()) return Fail(kVerb, in.status());
  if (json) PrintJson(records);
  if (!in->damage.ok()) return Fail(kVerb, in->damage.message() + " (records past it not shown)", kExitFailed);
  return kExitOk;
}

}  // namespace

Verb AddDumpVerb(CLI::App& app) {
  auto args = std::make_shared<DumpArgs>();
  CLI::App* cmd = AddVerbCommand(app, "dump", "Print the records of a store",
      "Default: the live records, connection by connection in handle order, one per line: "
      "connection<TAB>handle<TAB>size<TAB>data, with connection and data escaped (printable ASCII as is, a "
      "backslash doubled, other bytes as \\xNN). Reads only; takes no lock.");
  AddStoreArgs(*cmd, &args->store);
  cmd->add_flag("--json", args->json,
                "A JSON array of {connection, handle, size, data_base64}; with --log, of the --log fields");
  cmd->add_flag("--log", args->log,
                "Every stored record in log order instead: "
                "segment<TAB>offset<TAB>type<TAB>connection id<TAB>handle<TAB>txn<TAB>epoch<TAB>size");
  return {cmd, [args] {
            auto location = LocateStore(args->store);
            if (!location.ok()) return Fail(kVerb, location.status());
            return args->log ? DumpLog(*location, args->json) : DumpLive(*location, args->json);
          }};
}

}  // namespace hastore::tools
