// sqlite_errors.hpp (internal): turning SQLite result codes into folio errors.
#pragma once

#include <string_view>

struct sqlite3;

namespace folio::detail {

// Throws the folio::Error subclass matching `rc` (IntegrityError for
// constraints, OperationalError for busy/locked/read-only/not-a-database/I/O,
// Error otherwise), with SQLite's message and `context` (usually the SQL).
[[noreturn]] void raise_sqlite(sqlite3* db, int rc, std::string_view context);

// SQL shortened for messages: long statements are cut so one line stays readable.
std::string_view shorten_sql(std::string_view sql);

} // namespace folio::detail
