// Opening a JDBC store: the records of one instance in a WLStore table reached through ODBC
// (DESIGN §6). The returned Store implements hastore/storage/store.h; jdbcstore/FORMAT.md
// describes the rows, the statements of a commit, ownership and reconnection.
#pragma once

#include <memory>

#include "hastore/storage/config.h"
#include "hastore/storage/store.h"

namespace hastore {

struct JdbcStoreOptions {
  // Load the table and serve reads only: no owner claim, no table creation. Commits fail.
  bool read_only = false;
};

// Connects (config.jdbc.EffectiveConnection()), creates the table from its DDL when missing,
// claims the owner row under ownership.epoch and loads the index of records. Errors:
// kLocked (another live owner holds the table; the message names it), kFenced (the table's
// epoch is newer than ownership.epoch), kInvalidArgument (a table whose columns differ, naming
// the column), kCorruption (a row that breaks FORMAT.md, naming table and ID), kIOError (the
// database, with its SQLSTATE).
Result<std::unique_ptr<Store>> OpenJdbcStore(const StoreConfig& config, const Ownership& ownership,
                                             const JdbcStoreOptions& options = {});

// Deletes the rows of the store's table that break jdbcstore/FORMAT.md (an unknown TYPE, a
// connection row whose ID is not -HANDLE, a record whose connection has no row), so that the
// store opens again; returns how many. Refused (kLocked) while a live owner holds the table.
Result<uint64_t> RepairJdbcStore(const StoreConfig& config);

}  // namespace hastore
