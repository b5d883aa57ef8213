// statement.hpp (internal): folio::backend::postgresql::Statement, one run of
// a named prepared statement, its rows streamed.
//
// The counterpart of folio::Statement: bind (1-based, from folio::Value),
// step() row by row, execute(), reset(), column access. The first step()
// sends the statement (PQsendQueryPrepared) in libpq's single-row mode, so
// each step holds one row in memory however large the result: the client
// never buffers a whole result (rows_held() is 0 or 1). While its rows are
// being read the server can run nothing else on the connection (libpq's
// rule): a second command sent meanwhile first has this statement read its
// remaining rows into memory (buffer_rest()), which it then hands out one by
// one as before; the rows_held() of such a run is what it buffered. Resetting
// or destroying it mid-stream reads and discards the remaining rows
// (cancelling instead would abort an enclosing transaction); bound the query
// (LIMIT) when only a few rows are wanted.
//
// Move-only; belongs to the thread that uses its Connection, which must
// outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "folio/value.hpp"
#include "lib/backend/postgresql/values.hpp"

namespace folio::backend::postgresql {

class Connection;
struct PreparedStatement;

class Statement {
public:
    // Prepares `sql` through the connection's statement cache (a hit costs no
    // round trip). Throws the mapped folio::Error when the server refuses it.
    Statement(Connection& connection, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binds parameter $index (1-based). Unbound parameters are NULL, as in
    // SQLite. Throws InvalidQuery for an index the statement does not have,
    // DataError for text holding a NUL byte bound to a non-bytea parameter,
    // and folio::Error once the statement has started (reset() first).
    void bind(int index, const Value& value);
    // Binds values to $1..$n in order.
    void bind_all(std::span<const Value> values);
    // Every parameter NULL again (only between runs, as bind()).
    void clear_bindings() noexcept;

    // The first call sends the statement; each call makes the next row
    // current. Returns false when the rows are done. Errors throw the mapped
    // folio::Error subclass naming the SQL (errors.hpp); the statement is
    // then done.
    bool step();
    // Runs to the end and returns the rows changed (INSERT/UPDATE/DELETE,
    // from the command tag; for a SELECT the rows returned).
    std::int64_t execute();
    // Makes the statement ready to run again (bindings kept, as SQLite's
    // sqlite3_reset keeps them); discards unread rows.
    void reset();

    int column_count() const;
    bool column_is_null(int i) const;
    // The server's text for column i of the current row (bytea as \x hex);
    // valid until the next step/reset.
    std::string_view column_text(int i) const;
    // Column i of the current row as a folio::Value (types: values.hpp).
    Value column(int i) const;
    std::string_view column_name(int i) const;
    Oid column_type(int i) const;

    int parameter_count() const noexcept;
    // Rows the client holds in memory for this statement right now: 1 while
    // a row is current, else 0 (single-row mode; the test of flat memory),
    // plus the rows buffer_rest() read ahead.
    int rows_held() const;
    // For Connection::make_idle: reads what the server still sends for this
    // run (its rows, its end or its error) into memory, so the connection is
    // free for another command; step() then hands the rows out, and raises
    // the error when it reaches it. Throws only std::bad_alloc.
    void buffer_rest();
    // Reads and drops what is left of the run (frees the connection); the
    // counts of the run (rows_read, rows_affected) stay until reset().
    void finish() noexcept;
    std::int64_t rows_read() const noexcept { return rows_read_; }
    // The rows the finished run changed (or returned), from its command tag.
    std::int64_t rows_affected() const noexcept { return rows_affected_; }
    // True from the first step() until the run is done or reset.
    bool running() const noexcept { return state_ == State::Streaming || state_ == State::Buffered; }
    std::string_view sql() const noexcept;

private:
    // Buffered: the server is done, the run's results wait in pending_.
    enum class State { Ready, Streaming, Buffered, Done };
    struct ResultDeleter {
        void operator()(PGresult* r) const noexcept { PQclear(r); }
    };
    using Result = std::unique_ptr<PGresult, ResultDeleter>;

    void send();
    Result next_result();
    void release() noexcept;

    Connection* connection_ = nullptr;
    PreparedStatement* prepared_ = nullptr;
    std::vector<WireParameter> parameters_;
    State state_ = State::Ready;
    Result row_;  // the current single-row result
    std::deque<Result> pending_;  // what buffer_rest() read ahead, in order
    std::int64_t rows_read_ = 0;
    std::int64_t rows_affected_ = 0;
};

} // namespace folio::backend::postgresql
