// raw_import.hpp: the limit for the whole import of old_articles.json: a
// hand-written, schema-specific JSON scanner over big read() chunks feeding
// reused prepared single-row INSERTs through the sqlite3 C API. No folio
// code, no validation beyond what the schema enforces: what a careful
// programmer writing this one job by hand would get.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace folio::bench::raw {

struct ImportFileStats {
    std::int64_t records = 0;
    std::int64_t bytes = 0;
};

// Imports every article of `path` (the guide's old_articles.json shape;
// authors must exist) in one transaction with `cache_kib` KiB of page cache
// for it (0 keeps the connection's). Throws Error on SQLite failures and
// std::runtime_error on a file it cannot read or parse.
ImportFileStats import_articles_file(sqlite3* db, const std::string& path, int cache_kib);

}  // namespace folio::bench::raw
