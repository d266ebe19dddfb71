#include "hastore/ha/open_authority.h"

#include "hastore/ha/database_lease_authority.h"
#include "hastore/ha/local_lease_authority.h"

namespace hastore::ha {

Result<std::unique_ptr<LeaseAuthority>> OpenLeaseAuthority(const ClusterConfig& config) {
  const LeasingSettings& l = config.leasing;
  if (l.basis == LeasingBasis::kLocal) return OpenLocalLeaseAuthority(l.directory);
  DatabaseLeaseSettings settings;
  settings.connection = l.connection;
  settings.table = l.table;
  settings.domain = config.domain;
  settings.cluster = config.name;
  settings.create_table = l.table_creation == TableCreation::kAlways;
  return OpenDatabaseLeaseAuthority(settings);
}

}  // namespace hastore::ha
