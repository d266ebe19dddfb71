// What `hastore list` and `hastore verify` say about an inspected file store, as text and JSON.
#pragma once

#include <ostream>
#include <string>

#include "hastore/filestore/inspect.h"
#include "text_output.h"

namespace hastore::tools {

// Every figure of the inspection: instance, directory, records, record_bytes, transactions,
// batches, connections {name: records}, segments [...], orphans [...], torn_tail (null or
// {segment, offset, bytes}), fence {epoch, holder}, damage (null or {path, offset, reason}).
Json InspectionJson(const std::string& directory, const FileStoreInspection& inspection);

// The same as `key: value` lines, connections and segments indented below their counts.
void PrintInspection(const std::string& directory, const FileStoreInspection& inspection, std::ostream& out);

// "damage: <path> at offset <n>: <reason>"; call only when inspection.damage is not OK.
std::string DamageLine(const FileStoreInspection& inspection);

// "note: torn tail ..." when the newest segment ends in a torn write, else "". Not damage:
// the writer had not acknowledged those bytes (see filestore/FORMAT.md).
std::string TornTailNote(const FileStoreInspection& inspection);

}  // namespace hastore::tools
