// database.hpp: folio::Database, one connection (a SQLite file or
// ":memory:", or a PostgreSQL server) with its statement cache, SQL log and
// the dialect of its backend.
//
// Thread-safety: a Database is used by one thread at a time, like the SQLite
// connection or libpq PGconn it wraps (folio opens SQLite in its multi-thread
// mode, without the connection mutex). Open one Database per thread; several
// Database objects on the same file work side by side under WAL, with the
// busy timeout absorbing writer contention.
//
// Lifetime: everything that refers to a Database (Statement, Transaction,
// QuerySet, model instances loaded or saved through it, QueryCapture,
// Migrator, Doctor) must be destroyed, or no longer used, before it; the
// Database does not track them. Errors: every function that talks to the
// database throws folio::Error subclasses (errors.hpp) mapped from the
// backend's codes (SQLite result codes, PostgreSQL SQLSTATEs); nothing else
// leaves them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "folio/sql_log.hpp"
#include "folio/statement.hpp"
#include "folio/statement_cache.hpp"
#include "folio/value.hpp"

struct sqlite3;

namespace folio {

namespace backend {
class Connection;
class Operations;
} // namespace backend

class Doctor;

struct DatabaseOptions {
    // Idle prepared statements kept per connection (statement_cache.hpp);
    // the least recently used is finalized beyond it.
    std::size_t statement_cache_capacity = 256;
    // SQLite: how long a statement waits for another connection's lock
    // (sqlite3_busy_timeout) before it fails with OperationalError
    // ("database is locked"). Ignored on PostgreSQL, whose locks wait.
    std::chrono::milliseconds busy_timeout{10000};
    // Open for reading only: SQLITE_OPEN_READONLY, or every PostgreSQL
    // transaction READ ONLY. A write then throws OperationalError.
    bool read_only = false;
    bool create = true;  // create the file when missing (ignored when read_only)
    // With read_only: SQLite's immutable=1 (no locks, no -shm file), for a
    // WAL database in a directory this process cannot write, where a plain
    // read-only open fails. Only sound while nobody writes the file, which
    // holds when its -wal file is absent and no one can create it. Refused
    // (OperationalError) while the file has a non-empty rollback journal
    // (PATH-journal: a writer mid-transaction, or one that stopped there),
    // which SQLite would ignore.
    bool immutable = false;
};

// True when `target` names a PostgreSQL server rather than a SQLite file:
// a "postgresql://" or "postgres://" URI, or a libpq keyword conninfo whose
// first word is a connection keyword followed by "=" ("host=db dbname=blog",
// "dbname=blog"). A file whose name looks so is opened as "./host=x".
bool is_postgresql_address(std::string_view target) noexcept;

class Database {
public:
    // Opens `path`: a PostgreSQL server when is_postgresql_address(path)
    // (any libpq conninfo; libpq's PG* variables fill what it leaves out),
    // else a SQLite file or ":memory:".
    //
    // PostgreSQL: the statement cache holds named prepared statements, the
    // SQL log is timed by folio; path() is the conninfo with its password
    // replaced by "***". Throws OperationalError naming host, port and
    // database (never the password) when the server cannot be reached, or
    // refuses the credentials or the database, and when folio was built
    // without libpq. With read_only, every transaction is READ ONLY.
    //
    // SQLite: sets foreign_keys=ON; for files
    // also journal_mode=WAL and synchronous=NORMAL (the backend's
    // prepare_connection, lib/backend/sqlite/operations.cpp). Throws OperationalError
    // naming the path when the file cannot be opened or is not a database,
    // and saying that the directory must be writable when WAL cannot be
    // turned on for that reason (SQLite keeps PATH-wal and PATH-shm there).
    explicit Database(const std::string& path, DatabaseOptions options = {});
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // A checked-out statement for `sql` (one statement), from the cache.
    // Throws folio::Error subclasses when SQLite cannot prepare it, and
    // folio::Error when `sql` holds several statements (nothing runs).
    Statement prepare(std::string_view sql) { return Statement(*this, sql); }
    // prepare(), then binds `args` to parameters 1..n; a statement that does
    // not prepare is reported to the SQL log with them (see Statement).
    Statement prepare(std::string_view sql, std::span<const Value> args) { return Statement(*this, sql, args); }
    // Runs `sql` (one statement, as prepare()) to completion with `args`
    // bound; returns the rows changed (sqlite3_changes(), or the count of
    // PostgreSQL's command tag; 0 for DDL). For several, use
    // execute_script(). Throws as prepare() and step() do: IntegrityError on a
    // constraint, OperationalError on a lock or a read-only database, ...
    std::int64_t execute(std::string_view sql, std::span<const Value> args = {});
    std::int64_t execute(std::string_view sql, std::initializer_list<Value> args) {
        return execute(sql, std::span<const Value>(args.begin(), args.size()));
    }
    // Runs a script of several statements (migrations) in order, each
    // through the cache, without arguments. Not atomic by itself: a failure
    // stops at the failing statement (the error names it) with the earlier
    // ones done, so run it inside a Transaction to get all or nothing.
    void execute_script(std::string_view sql);
    // The first column of the first row, or NULL when there is no row.
    // Throws as execute() does.
    Value scalar(std::string_view sql, std::initializer_list<Value> args = {});

    // The rowid SQLite gave the last INSERT; 0 on PostgreSQL (folio reads ids
    // from RETURNING there).
    std::int64_t last_insert_rowid() const;
    // sqlite3_limit(SQLITE_LIMIT_VARIABLE_NUMBER): the most bound parameters
    // one statement may have. Bulk operations size their batches below it.
    int variable_limit() const;
    bool in_transaction() const;

    // The connection's statement cache and SQL log; they live as long as
    // the Database.
    StatementCache& statement_cache() noexcept { return *cache_; }
    SqlLog& log() noexcept { return *log_; }
    // What the Database was opened on (a PostgreSQL conninfo with its
    // password replaced by "***"); valid as long as the Database.
    const std::string& path() const noexcept { return path_; }

    // The raw SQLite handle, for code that needs the C API directly; nullptr
    // when this Database is on another backend.
    sqlite3* handle() const noexcept { return handle_; }
    // The backend's connection (lib/backend/connection.hpp, internal to folio).
    backend::Connection& connection() noexcept { return *connection_; }

    // Translates a failed SQLite call into the matching folio::Error and
    // throws it. `context` (the SQL, usually) goes into the message.
    [[noreturn]] void raise(int rc, std::string_view context) const;

    // The dialect seam (lib/backend/operations.hpp, internal to folio): every
    // SQL spelling of this connection's backend. Lives as long as the Database.
    const backend::Operations& operations() const noexcept { return *ops_; }

    // Used by Transaction to name nested savepoints.
    int& savepoint_depth() noexcept { return savepoint_depth_; }

    // The query doctor watching this connection (doctor.hpp), or nullptr:
    // the one branch the core's doctor hooks take while it is off.
    Doctor* doctor() const noexcept { return doctor_; }

private:
    void open_postgresql(const DatabaseOptions& options);
    friend class Doctor;
    Doctor* doctor_ = nullptr;
    std::string path_;
    std::unique_ptr<backend::Connection> connection_;
    sqlite3* handle_ = nullptr;
    std::unique_ptr<backend::Operations> ops_;
    std::unique_ptr<StatementCache> cache_;
    std::unique_ptr<SqlLog> log_;
    int savepoint_depth_ = 0;
};

} // namespace folio
