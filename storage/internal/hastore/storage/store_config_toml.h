// ParseStoreConfigAt over a TOML document that is parsed already (toml++), for a caller that
// reads the rest of the document itself: a cluster configuration parses its text once, not
// once per store. Kept out of config.h so that only such callers see toml++.
#pragma once

#include <toml++/toml.h>

#include <span>
#include <string_view>

#include "hastore/storage/config.h"

namespace hastore {

// `table` is the table at the dotted `path` of the document `source` names; the lines and
// columns in errors are its nodes' own. Otherwise as ParseStoreConfigAt in config.h, which
// parses the text and calls this.
Result<StoreConfig> ParseStoreConfigAt(const toml::table& table, std::string_view source, std::string_view path,
                                       std::span<const std::string_view> caller_keys);

}  // namespace hastore
