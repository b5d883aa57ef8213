// connection.hpp (internal): SQLite behind the narrow connection interface
// (lib/backend/connection.hpp), with its C API: the only place where folio's
// core calls sqlite3_prepare/bind/step/column/reset and sqlite3_trace_v2.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/backend/connection.hpp"

namespace SQLite { class Database; }

namespace folio::backend::sqlite {

class Connection;

class Statement final : public backend::Statement {
public:
    // Takes ownership of `stmt`, prepared on `connection` from `sql`.
    Statement(Connection& connection, sqlite3_stmt* stmt, std::string sql);
    ~Statement() override;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    std::string_view sql() const noexcept override { return sql_; }
    int parameter_count() const noexcept override;
    void bind(int index, const Value& value) override;
    void bind_int(int index, std::int64_t value) override;
    void bind_text_static(int index, std::string_view text) override;
    void clear_bindings() noexcept override;
    bool step() override;
    void reset() noexcept override;
    std::int64_t changes() const override;
    int column_count() const override;
    std::string_view column_name(int i) const override;
    bool column_is_null(int i) const override;
    std::int64_t column_int(int i) const override;
    double column_double(int i) const override;
    std::string_view column_text(int i) const override;
    Value column(int i) const override;
    void read_column(int i, Value& out) const override;
    sqlite3_stmt* sqlite_handle() const noexcept override { return stmt_; }

    // Rows stepped in the current run (the trace's count for a SELECT).
    std::int64_t rows() const noexcept { return rows_; }

private:
    Connection& connection_;
    sqlite3_stmt* stmt_;
    std::string sql_;
    std::int64_t rows_ = 0;
};

class Connection final : public backend::Connection {
public:
    // Opens `filename` (a path, ":memory:", or a "file:" URI when `flags`
    // has SQLITE_OPEN_URI) with SQLite's open `flags` and busy timeout.
    // Throws OperationalError naming `path` when it cannot be opened.
    Connection(const std::string& path, const std::string& filename, int flags, int busy_timeout_ms);
    ~Connection() override;

    std::string_view vendor() const noexcept override { return "sqlite"; }
    std::unique_ptr<backend::Statement> prepare(std::string_view sql) override;
    std::vector<std::string> split_script(std::string_view script) const override;
    bool keep_prepared(std::string_view sql) const noexcept override;
    bool is_transaction_control(std::string_view sql) const noexcept override;
    bool in_transaction() const override;
    bool transaction_failed() const override { return false; }
    std::int64_t last_insert_id() const override;
    void set_trace(TraceSink* sink) override;
    sqlite3* sqlite_handle() const noexcept override { return db_; }

    SQLite::Database& sqlitecpp() noexcept { return *database_; }
    // Statement bookkeeping, so the trace can tell folio's handles from raw ones.
    void forget(sqlite3_stmt* stmt) noexcept { statements_.erase(stmt); }
    // Statement::step() brackets sqlite3_step() with these while a sink
    // listens. A step that meets a schema changed by another connection
    // (SQLITE_SCHEMA) is re-prepared and re-run inside that one sqlite3_step()
    // call, and SQLite reports a profile event for the aborted run too: the
    // statement's event is held until the step returns. A step that returned
    // a row has not finished the statement, so what it holds is an aborted run
    // and is dropped (`finished` false), as is the run of a step that failed
    // (folio::Statement reports that one, with its error, as PostgreSQL's
    // failed runs are); otherwise the last run is reported, and the log
    // counts it once.
    bool tracing() const noexcept { return sink_ != nullptr; }
    void hold_profile(sqlite3_stmt* stmt) noexcept { held_ = stmt; }
    void release_profile(bool finished);
    [[noreturn]] void raise(int rc, std::string_view context) const;

private:
    static int trace_callback(unsigned type, void* ctx, void* p, void* x);
    void on_start(const void* stmt);
    void on_profile(sqlite3_stmt* stmt, std::int64_t nanoseconds);

    std::unique_ptr<SQLite::Database> database_;
    sqlite3* db_ = nullptr;
    TraceSink* sink_ = nullptr;
    // The held profile event of the statement stepping now (see hold_profile).
    struct Pending {
        const backend::Statement* statement = nullptr;
        std::string raw_sql;
        double seconds = 0;
        std::int64_t rows = -1;
    };
    sqlite3_stmt* held_ = nullptr;
    std::optional<Pending> pending_;
    std::unordered_map<sqlite3_stmt*, Statement*> statements_;
    // When each statement running now began (its SQLITE_TRACE_STMT event);
    // several run at once while a cursor is open.
    std::vector<std::pair<const void*, std::chrono::steady_clock::time_point>> started_;
};

} // namespace folio::backend::sqlite
