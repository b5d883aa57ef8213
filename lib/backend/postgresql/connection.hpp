// connection.hpp (internal): folio::backend::postgresql::Connection, one libpq
// connection with its named prepared statements.
//
// The PostgreSQL counterpart of folio::Database's connection part, written
// against libpq directly. What it owns: the PGconn (opened from any libpq
// conninfo "host=... dbname=..." or postgresql:// URI), the session settings
// folio's value forms rely on (DateStyle ISO, TimeZone UTC, bytea hex,
// client_encoding UTF8), the named prepared statements (PreparedStatements,
// the statement cache), and which Statement, if any, is still streaming its
// rows (libpq runs one command at a time per connection: a second command
// first has that Statement read the rest of its rows into memory, so nested
// use works as on SQLite, where several cursors run on one connection).
//
// Thread-safety: none, as folio::Database: one thread uses a Connection at a
// time; open one per thread. Errors: only folio::Error subclasses leave it
// (errors.hpp has the mapping); no message ever holds the password.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "folio/value.hpp"
#include "lib/backend/postgresql/errors.hpp"
#include "lib/backend/postgresql/prepared_statements.hpp"

namespace folio::backend::postgresql {

class Statement;

struct ConnectionOptions {
    std::size_t statement_cache_capacity = 256;  // named prepared statements kept per connection
};

class Connection {
public:
    // Opens `conninfo`: a libpq key=value string, a postgresql:// (or
    // postgres://) URI, or a bare database name; libpq's environment
    // variables (PGHOST, PGPASSWORD, ~/.pgpass...) fill what it leaves out.
    // Throws OperationalError naming host, port and database (never the
    // password) when the server is unreachable, refuses the credentials or
    // has no such database, and for a conninfo libpq cannot parse.
    explicit Connection(const std::string& conninfo, ConnectionOptions options = {});
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // A statement for `sql` (one statement, $1..$n placeholders), prepared
    // once per connection and reused (statement_cache()). Throws the mapped
    // folio::Error when the server cannot prepare it.
    Statement prepare(std::string_view sql);
    // Runs `sql` with `args` bound to $1..$n to completion; returns the rows
    // it changed (or returned, for a SELECT), from the command tag.
    std::int64_t execute(std::string_view sql, std::span<const Value> args = {});
    std::int64_t execute(std::string_view sql, std::initializer_list<Value> args) {
        return execute(sql, std::span<const Value>(args.begin(), args.size()));
    }
    // The first column of the first row, or NULL when there is no row.
    Value scalar(std::string_view sql, std::initializer_list<Value> args = {});
    // Runs a script of several statements through the simple-query protocol
    // (no parameters, nothing prepared): migrations, PL/pgSQL bodies, the
    // transaction verbs. Within a transaction the whole script is in it.
    void execute_script(std::string_view sql);

    // True inside BEGIN ... COMMIT, also when an error has aborted the
    // transaction and only ROLLBACK is accepted (transaction_failed()).
    bool in_transaction() const;
    bool transaction_failed() const;
    // Used by Transaction to name nested savepoints, as on SQLite.
    int& savepoint_depth() noexcept { return savepoint_depth_; }

    // The most parameters one statement may have (the protocol's Int16 count).
    static constexpr int parameter_limit() noexcept { return 65535; }
    PreparedStatements& statement_cache() noexcept { return *prepared_; }
    const Endpoint& endpoint() const noexcept { return endpoint_; }
    // The server process serving this connection (pg_backend_pid()).
    int backend_pid() const { return PQbackendPID(conn_); }
    PGconn* handle() const noexcept { return conn_; }

    // For Statement, PreparedStatements and Operations, before sending a
    // command: when a Statement is still streaming rows on this connection
    // (libpq cannot run a second command before the first one's rows are
    // read), that Statement reads the rest of its rows into client memory
    // (Statement::buffer_rest) and keeps handing them out one by one. This is
    // what lets a loop over iterator() run other queries (a prefetch per
    // chunk, a lazy load) as on SQLite; only such a loop gives up streaming,
    // for the rows left when the second command came.
    void make_idle();
    // True while a Statement streams rows that the server is still sending.
    bool streaming() const noexcept { return streaming_ != nullptr; }
    void set_streaming(Statement* statement);
    [[noreturn]] void raise(const PGresult* result, std::string_view sql) const;

private:
    PGconn* conn_ = nullptr;
    Endpoint endpoint_;
    std::unique_ptr<PreparedStatements> prepared_;
    Statement* streaming_ = nullptr;
    int savepoint_depth_ = 0;
};

} // namespace folio::backend::postgresql
