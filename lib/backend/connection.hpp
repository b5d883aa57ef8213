// connection.hpp (internal): the narrow connection interface every backend
// implements, and the only one the code above it (folio::Database,
// Statement, StatementCache, SqlLog, Transaction) calls: prepare, bind,
// step/fetch, columns, reset, scripts, transaction state, a trace of what ran.
// SQLite implements it with its C API (lib/backend/sqlite/connection.*),
// PostgreSQL with libpq (lib/backend/postgresql/backend_connection.*). The
// SQL spellings live in the other half of the seam, operations.hpp.
//
// Why two abstract classes and not one: a statement is the hot object (the
// cache hands out one per run, the loaders read every column through it), so
// it is backend-specific and held by pointer; its calls are one indirect
// call each, next to the database's own work per call.
//
// Thread-safety: none, as folio::Database: one thread uses a Connection and
// its statements at a time. Errors: only folio::Error subclasses leave these
// calls, mapped by the backend (lib/backend/<name>/errors.*), naming the SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "folio/value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace folio::backend {

class Statement;

// Where a connection reports each statement it ran; folio's SQL log
// implements it. SQLite calls it from its trace hook (it sees triggers and SQL
// folio did not prepare); PostgreSQL has no such hook, so its statements time
// themselves from the first step to the end of the run.
class TraceSink {
public:
    virtual ~TraceSink() = default;
    // A run ended. `statement` is the handle that ran, or nullptr for SQL
    // this connection did not prepare through prepare(); `raw_sql` is then
    // its text (values expanded where the backend can). `rows`: rows returned
    // by a read-only statement, else rows changed; -1 when unknown. Never
    // throws (SQLite calls it from C frames): the SQL log keeps what its
    // listeners throw for the next Statement::step().
    virtual void statement_ran(const Statement* statement, std::string_view raw_sql, double seconds,
                               std::int64_t rows) = 0;
    // A trigger program started inside the running statement (SQLite's
    // "-- TRIGGER name"); a server's triggers are not seen by its client.
    virtual void trigger_started(std::string_view text) = 0;
};

// One prepared statement and its cursor. Parameters are 1-based, columns
// 0-based. Column values are valid until the next step() or reset().
class Statement {
public:
    virtual ~Statement() = default;

    // The SQL text as prepare() received it (folio's "?" placeholders).
    virtual std::string_view sql() const noexcept = 0;
    virtual int parameter_count() const noexcept = 0;

    // Binding throws the mapped folio::Error (bad index, a value the column
    // type cannot take). bind_text_static: the caller keeps `text` alive
    // until the run ends (reset or destruction); bulk inserts use it.
    virtual void bind(int index, const Value& value) = 0;
    virtual void bind_int(int index, std::int64_t value) = 0;
    virtual void bind_text_static(int index, std::string_view text) = 0;
    // Every parameter NULL again.
    virtual void clear_bindings() noexcept = 0;

    // Runs to the next row: true when one is current, false at the end.
    virtual bool step() = 0;
    // Ends the run (reporting it to the trace if it had not ended) and makes
    // the statement ready to run again; bindings are kept.
    virtual void reset() noexcept = 0;
    // Rows the last finished run changed (INSERT/UPDATE/DELETE).
    virtual std::int64_t changes() const = 0;

    virtual int column_count() const = 0;
    virtual std::string_view column_name(int i) const = 0;
    virtual bool column_is_null(int i) const = 0;
    virtual std::int64_t column_int(int i) const = 0;
    virtual double column_double(int i) const = 0;
    virtual std::string_view column_text(int i) const = 0;
    virtual Value column(int i) const = 0;
    // column(i) into `out`, reusing its text buffer (the loaders' hot path).
    virtual void read_column(int i, Value& out) const = 0;

    // The SQLite handle of this statement, for code that asked for the raw
    // C API; nullptr on every other backend.
    virtual sqlite3_stmt* sqlite_handle() const noexcept { return nullptr; }
};

class Connection {
public:
    virtual ~Connection() = default;

    // "sqlite", "postgresql": for messages only.
    virtual std::string_view vendor() const noexcept = 0;

    // Prepares `sql`, exactly one statement with "?" placeholders. Throws
    // the mapped folio::Error when the backend refuses it, and folio::Error
    // when `sql` holds no statement or several (nothing runs).
    virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;
    // A script cut into its statements, each one prepare() accepts, in
    // order (a trigger's or a function's body with inner semicolons stays in
    // its statement).
    virtual std::vector<std::string> split_script(std::string_view script) const = 0;
    // Whether a statement of this text is worth keeping prepared: false for
    // one whose plan the backend never re-checks against the schema (SQLite's
    // EXPLAIN).
    virtual bool keep_prepared(std::string_view sql) const noexcept = 0;
    // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE... : statements the SQL log
    // reports as transaction control, not as queries.
    virtual bool is_transaction_control(std::string_view sql) const noexcept = 0;

    // Inside BEGIN ... COMMIT (also a failed transaction waiting for its
    // ROLLBACK).
    virtual bool in_transaction() const = 0;
    // True when an error aborted the open transaction and the backend now
    // refuses everything but ROLLBACK (PostgreSQL); a COMMIT there would roll
    // back in silence.
    virtual bool transaction_failed() const = 0;
    // The id the last INSERT gave its row where the backend keeps one
    // (SQLite's rowid); 0 elsewhere (PostgreSQL uses RETURNING).
    virtual std::int64_t last_insert_id() const = 0;

    // Installs the trace sink (nullptr removes it: no cost at all then).
    virtual void set_trace(TraceSink* sink) = 0;

    // The raw SQLite connection for code that asked for it; nullptr elsewhere.
    virtual sqlite3* sqlite_handle() const noexcept { return nullptr; }
};

} // namespace folio::backend
