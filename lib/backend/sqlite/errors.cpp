// errors.cpp: the one place where SQLite result codes become folio errors.
#include "lib/backend/sqlite/errors.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/sql_text.hpp"

namespace folio::backend::sqlite {

using detail::shorten_sql;

void raise_error(sqlite3* db, int rc, std::string_view context) {
    const int primary = rc & 0xff;
    const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string where = context.empty() ? std::string() : fmt::format(" (while running: {}{})", shorten_sql(context),
                                                                      context.size() > 160 ? "..." : "");
    switch (primary) {
    case SQLITE_CONSTRAINT:
        // The triggers that keep a counter (migration 0006) refuse a value
        // past 64 bits with RAISE(ABORT, 'integer overflow: Model.field ...'):
        // a value the column cannot hold, not a broken constraint.
        if (rc == SQLITE_CONSTRAINT_TRIGGER && std::string_view(msg).starts_with("integer overflow"))
            throw DataError(fmt::format("{}{}", msg, where), primary);
        throw IntegrityError(fmt::format("{}{}", msg, where), primary);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        throw OperationalError(fmt::format("database is locked: {}{}", msg, where), primary);
    case SQLITE_READONLY:
        throw OperationalError(fmt::format("database is read-only: {}{}", msg, where), primary);
    case SQLITE_NOTADB:
        throw OperationalError(fmt::format("file is not an SQLite database{}", where), primary);
    case SQLITE_CORRUPT:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_ERROR:
        throw OperationalError(fmt::format("{}{}", msg, where), primary);
    default:
        throw Error(fmt::format("{}{}", msg, where), primary);
    }
}

} // namespace folio::backend::sqlite
