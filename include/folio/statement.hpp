// statement.hpp: folio::Statement, a checked-out prepared statement.
//
// A Statement borrows a handle from the Database's StatementCache and gives it
// back when it goes out of scope (reset, bindings cleared), so the same SQL is
// never prepared twice while it is cached. It is move-only, like the cursor it
// stands for, and belongs to the thread that uses its Database.
//
// Lifetime: a Statement must be destroyed before its Database. Column values
// read as views (column_text, column_name) stay valid until the next step(),
// reset() or the Statement's end. Errors: folio::Error subclasses
// (errors.hpp), each naming the SQL; a moved-from Statement may only be
// destroyed or assigned to.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "folio/statement_cache.hpp"
#include "folio/value.hpp"

struct sqlite3_stmt;

namespace folio::backend { class Statement; }

namespace folio {

class Database;
namespace detail { struct CachedStatement; }

class Statement {
public:
    // Checks out `sql` (exactly one statement; `?` placeholders, numbered
    // from 1) from db's cache, preparing it on a miss. Throws
    // OperationalError when the backend cannot prepare it (a syntax error,
    // an unknown table or column: SQLITE_ERROR, PostgreSQL's SQLSTATE class
    // 42), the message carrying the backend's reason and the SQL, and
    // folio::Error when `sql` holds more than one statement.
    Statement(Database& db, std::string_view sql);
    // The same, with the text's hash computed once by the caller
    // (statement_cache.hpp's HashedSql): the cache hashes nothing.
    Statement(Database& db, HashedSql sql);
    // The same, then binds `args` to parameters 1..n in order (bind_all).
    // While the SQL log listens, a statement the backend refuses to prepare
    // is reported with these arguments (LoggedStatement::args), as one that
    // fails when it runs is: a query panel then shows what it was asked.
    // `args` is read during the call only.
    Statement(Database& db, std::string_view sql, std::span<const Value> args);
    // Adopts `entry`, already checked out of db.statement_cache() (by
    // StatementCache::reacquire()) and owned by no other Statement; it goes
    // back to that cache as any other. Nothing is bound. Never throws.
    Statement(Database& db, detail::CachedStatement* entry) noexcept : db_(&db), entry_(entry) {}
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binds parameter `index` (1-based; an index outside
    // 1..parameter_count() throws folio::Error). Text is copied by the backend unless the
    // _static form is used, in which case the caller keeps it alive until
    // the statement is reset or destroyed (bulk inserts use it).
    void bind(int index, const Value& value);
    void bind(int index, std::int64_t value);
    void bind_text_static(int index, std::string_view text);
    void bind_null(int index);
    // Binds values to parameters 1..n in order.
    void bind_all(std::span<const Value> values);

    // Runs one step: true when a row is ready, false when done. Errors throw
    // the matching folio::Error subclass, naming the SQL; while the SQL log
    // listens, the failed statement is reported to it first (with its
    // arguments and the error: LoggedStatement::error), as is one whose
    // prepare the constructor's throw reports.
    bool step();
    // Steps to the end and returns the rows changed (sqlite3_changes, or
    // PostgreSQL's command tag).
    std::int64_t execute();
    // Makes the statement ready to run again with new bindings.
    void reset();

    // Columns are numbered from 0; read them only while step() has returned
    // true. On SQLite the types are the stored ones (column_int of TEXT
    // converts as sqlite3_column_int64 does); column() gives the Value as
    // stored (Integer, Real, Text, Blob or Null).
    int parameter_count() const noexcept;
    int column_count() const;
    std::string_view column_name(int i) const;
    bool column_is_null(int i) const;
    std::int64_t column_int(int i) const;
    double column_double(int i) const;
    std::string_view column_text(int i) const;  // valid until the next step/reset
    Value column(int i) const;
    // column(i) into `out`, reusing its text buffer (the loaders' hot path).
    void read_column(int i, Value& out) const;

    std::string_view sql() const;
    // The SQLite handle, for code that needs the raw C API; nullptr when the
    // Database is on another backend.
    sqlite3_stmt* handle() const noexcept;
    // The backend's statement (lib/backend/connection.hpp, internal).
    backend::Statement* backend() const noexcept;
    // The cache's entry checked out for this Statement (for
    // StatementCache::reacquire() later); nullptr when moved from.
    detail::CachedStatement* cache_entry() const noexcept { return entry_; }

private:
    // `args`: the values the caller will bind, when it gave them (reported
    // with a statement that does not prepare); nullopt when it binds later.
    static detail::CachedStatement* acquire(Database& db, HashedSql sql,
                                            std::optional<std::span<const Value>> args);
    void record_arg(int index, const Value& value);
    Database* db_;
    detail::CachedStatement* entry_;
};

} // namespace folio
