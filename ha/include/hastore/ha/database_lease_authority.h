// The `database` lease authority (DESIGN §8): an ACTIVE-style table reached through ODBC, for
// servers on different hosts that share a database (PostgreSQL in production, SQLite for tests
// and one-host setups, MariaDB).
//
// The table (ha/ddl/<database>.ddl, installed to share/hastore/ddl/ha/) has a row per lease:
//   SERVER      the lease's name ("server.ms1", "instance.orders@ms1", "master")
//   INSTANCE    the holder's server name; '' when free (never held or released)
//   SESSION     the holder's session; '' when free
//   DOMAINNAME, CLUSTERNAME   whose lease: every row this authority reads or writes has its own
//   TIMEOUT     when the lease ends, in ms of the *database's* clock since 1970; 0 when released
//   EPOCH       the last epoch granted, kept when the lease is released: epochs are never reused
// with primary key (SERVER, DOMAINNAME, CLUSTERNAME). The cluster records (PutRecord, ...) live
// in a second table, <table>_RECORDS (RECORDKEY, DOMAINNAME, CLUSTERNAME, RECORDVALUE).
//
// Expiry is judged by the database's clock alone, read in the same transaction as the row, so
// servers whose clocks disagree still agree on who holds what. Every change is one database
// transaction that locks the lease's row first (SELECT ... FOR UPDATE; on SQLite, which
// serialises writers, a write first), so two servers can never both be granted one epoch.
//
// Thread safety: every method may be called from any thread; calls share one connection and
// run one at a time (the authority is not a hot path: one RenewAll renews a server's leases).
// A call that cannot reach the database returns kIOError naming the table; the next call
// reconnects (for up to reconnect_retry_period_ms, every reconnect_retry_interval_ms).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hastore/ha/lease_authority.h"
#include "hastore/storage/config.h"

namespace hastore::ha {

struct DatabaseLeaseSettings {
  std::string connection;          // ODBC connection string
  std::string table = "ACTIVE";    // [[catalog.]schema.]table; always quoted in SQL
  std::string domain = "hastore";  // DOMAINNAME: a DESIGN §4 name
  std::string cluster;             // CLUSTERNAME: a DESIGN §4 name
  // Auto Migration Table Creation Policy: Always (true) creates missing tables from the shipped
  // DDL; Disabled (false) refuses to open without them.
  bool create_table = false;
  uint64_t reconnect_retry_period_ms = 1000;
  uint64_t reconnect_retry_interval_ms = 200;
  JdbcDatabase database = JdbcDatabase::kAuto;  // kAuto: as the ODBC driver names it
};

// Connects and checks (or creates) the tables. Errors: kInvalidArgument (a bad setting, or a
// table whose columns differ: the message names the table and the column); kNotFound (a table
// is missing and create_table is false: the message names it and the DDL file that makes it);
// kIOError (the database cannot be reached); kNotSupported (a database hastore does not know).
Result<std::unique_ptr<LeaseAuthority>> OpenDatabaseLeaseAuthority(const DatabaseLeaseSettings& settings);

}  // namespace hastore::ha
