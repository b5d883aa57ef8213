// errors.cpp: the one place where SQLite result codes become folio errors.
#include "lib/backend/sqlite/errors.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/sql_text.hpp"

namespace folio::backend::sqlite {

using detail::shorten_sql;

namespace {

// SQLite's "attempt to write a readonly database" names neither the file nor
// the cause: say which file, and what would let the write through.
std::string read_only_message(sqlite3* db, int rc, const char* msg) {
    const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
    if (!file || !*file) return fmt::format("database is read-only: {}", msg);  // :memory:, a temporary database
    // A hot journal (a writer stopped mid-transaction with the rollback
    // journal, such as a killed ExclusiveLoad): every connection must roll
    // it back before reading, and a read-only one cannot write to do so.
    if (rc == SQLITE_READONLY_ROLLBACK)
        return fmt::format("database '{}' has a hot journal ('{}-journal': a writer stopped in the middle of a "
                           "transaction) that a read-only connection cannot roll back: open it once read-write "
                           "(any folio::Database without read_only) and SQLite rolls it back",
                           file, file);
    if (::access(file, W_OK) != 0)
        return fmt::format("database file '{}' is read-only for this user ({}): make it writable (chmod u+w, or "
                           "run as its owner); commands that only read still work",
                           file, msg);
    if (sqlite3_db_readonly(db, "main") == 1)
        return fmt::format("database '{}' was opened read-only ({}): open it without read_only to write", file,
                           msg);
    return fmt::format("database '{}' is read-only: {}", file, msg);
}

} // namespace

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
    case SQLITE_BUSY: {
        // SQLite's own text ("database is locked") would repeat the prefix
        // and name no file: say which file, and what held it.
        const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
        if (!file || !*file) throw OperationalError(fmt::format("database is locked: {}{}", msg, where), primary);
        if (rc == SQLITE_BUSY_SNAPSHOT)
            throw OperationalError(fmt::format("database is locked: another connection wrote '{}' after this "
                                               "transaction began reading (SQLite's BUSY_SNAPSHOT: run the "
                                               "transaction again){}",
                                               file, where),
                                   primary);
        throw OperationalError(fmt::format("database is locked: another connection holds '{}' (this one waited its "
                                           "busy timeout){}",
                                           file, where),
                               primary);
    }
    case SQLITE_LOCKED:
        throw OperationalError(fmt::format("database is locked: {}{}", msg, where), primary);
    case SQLITE_READONLY:
        throw OperationalError(read_only_message(db, rc, msg) + where, primary);
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
