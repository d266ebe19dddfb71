// hastore repair on a JDBC store: the database keeps every transaction whole, so what can be
// wrong is rows that were written by something else; they are deleted.
#include "hastore/jdbcstore/database_link.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/jdbcstore/sql_identifier.h"
#include "embedded_database.h"
#include "session_lock.h"
#include "wlstore_sql.h"

namespace hastore {

Result<uint64_t> RepairJdbcStore(const StoreConfig& config) {
  HASTORE_RETURN_IF_ERROR(Validate(config));
  HASTORE_RETURN_IF_ERROR(jdbcstore::CheckEmbeddedDatabaseExists(config.jdbc));  // repair makes no store
  // A read-only open would refuse the broken rows; a writable open takes the table's session
  // lock and owner row, which is what makes the repair safe against a live owner.
  const std::string table = config.table();
  jdbcstore::DatabaseLink link(config.jdbc);
  HASTORE_RETURN_IF_ERROR(link.Ensure());
  auto database = jdbcstore::ResolveDatabase(config.jdbc.database, link.db());
  if (!database.ok()) return database.status();
  auto lock = jdbcstore::MakeSessionLock(*database, config.jdbc.EffectiveConnection(), table, "hastore repair");
  if (!lock.ok()) return lock.status();
  auto held = (*lock)->TryAcquire();
  if (!held.ok()) return held.status();
  if (!*held) return Status::Locked("table " + table + " is held by a live owner (" + (*lock)->Describe() + "); close it first");
  auto quoted = jdbcstore::QuoteTableName(table);
  if (!quoted.ok()) return quoted.status();
  // DeleteBrokenRows depends on neither batch limit: 1 and 1 spare building an INSERT text for
  // every batch size up to jdbc.inserts_per_batch_maximum, which the repair never sends.
  jdbcstore::WLStoreSql sql(*database, *quoted, 1, 1);
  auto del = link.Statement(sql.DeleteBrokenRows());
  if (!del.ok()) return del.status();
  HASTORE_RETURN_IF_ERROR((*del)->Execute());
  auto rows = (*del)->RowCount();
  if (!rows.ok()) return rows.status();
  HASTORE_RETURN_IF_ERROR(link.db().Commit());
  return static_cast<uint64_t>(*rows < 0 ? 0 : *rows);
}

}  // namespace hastore
