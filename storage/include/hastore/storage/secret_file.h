// Files that hold a secret: the replication daemons' authentication key (auth_key_file) and a
// database password (jdbc.password_file, PwdFile= in a connection string). Read the way ssh
// reads a private key: a file that group or others may read or write is refused, since
// anyone who can read it is as good as its owner. The secret itself never appears in an error.
#pragma once

#include <string>

#include "hastore/storage/status.h"

namespace hastore {

// The whole of `path`'s content. Refused (kInvalidArgument, naming `path` and `what`, e.g.
// "authentication key file") when it is not a regular file, has any permission for group or
// others (mode & 077), or is empty; kNotFound / kIOError when it cannot be opened or read.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& what);

// `secret` without one trailing "\n" or "\r\n" (a password file written with echo).
std::string WithoutTrailingNewline(std::string secret);

}  // namespace hastore
