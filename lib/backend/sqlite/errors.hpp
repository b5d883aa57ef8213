// errors.hpp (internal): SQLite's result codes as folio errors, the error
// half of the SQLite backend (its Operations::raise()).
#pragma once

#include <string_view>

struct sqlite3;

namespace folio::backend::sqlite {

// Throws the folio::Error subclass matching `rc` (IntegrityError for
// constraints, DataError for a trigger's RAISE(ABORT, 'integer overflow: ...'),
// OperationalError for busy/locked/read-only/not-a-database/I/O, Error
// otherwise), with SQLite's message and `context` (usually the SQL).
[[noreturn]] void raise_error(sqlite3* db, int rc, std::string_view context);

} // namespace folio::backend::sqlite
