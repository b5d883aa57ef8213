// connection.cpp: SQLite's C API behind the connection interface: opening,
// preparing one statement at a time, binding, stepping, reading columns,
// splitting scripts with SQLite's own parser, and the trace hook.
#include "lib/backend/sqlite/connection.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/sqlite/errors.hpp"
#include "lib/backend/sqlite/operations.hpp"

namespace folio::backend::sqlite {

namespace {
// True when `sql` goes on after the statement SQLite prepared (it ends at
// `tail`) with anything but blanks, semicolons and comments.
bool has_more_statements(sqlite3* db, std::string_view sql, const char* tail) {
    if (tail == nullptr) return false;
    std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
    const std::size_t start = rest.find_first_not_of(" \t\r\n;");
    if (start == std::string_view::npos) return false;
    rest.remove_prefix(start);
    // Something is left: SQLite's parser tells a comment from a statement
    // (a statement it cannot prepare counts as one too).
    sqlite3_stmt* next = nullptr;
    const int rc = sqlite3_prepare_v2(db, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
    const bool more = rc != SQLITE_OK || next != nullptr;
    sqlite3_finalize(next);
    return more;
}
} // namespace

// ---- Statement ---------------------------------------------------------------

Statement::Statement(Connection& connection, sqlite3_stmt* stmt, std::string sql)
    : connection_(connection), stmt_(stmt), sql_(std::move(sql)) {}

Statement::~Statement() {
    connection_.forget(stmt_);
    sqlite3_finalize(stmt_);
}

int Statement::parameter_count() const noexcept { return sqlite3_bind_parameter_count(stmt_); }

void Statement::bind(int index, const Value& value) {
    int rc = SQLITE_OK;
    switch (value.storage().index()) {
    case 0: rc = sqlite3_bind_null(stmt_, index); break;
    case 1: rc = sqlite3_bind_int64(stmt_, index, std::get<1>(value.storage())); break;
    case 2: rc = sqlite3_bind_double(stmt_, index, std::get<2>(value.storage())); break;
    default: {
        const std::string& t = std::get<3>(value.storage());
        rc = sqlite3_bind_text64(stmt_, index, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    }
    if (rc != SQLITE_OK) connection_.raise(rc, sql_);
}

void Statement::bind_int(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) connection_.raise(rc, sql_);
}

void Statement::bind_text_static(int index, std::string_view text) {
    int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK) connection_.raise(rc, sql_);
}

void Statement::clear_bindings() noexcept { sqlite3_clear_bindings(stmt_); }

bool Statement::step() {
    const bool tracing = connection_.tracing();
    if (tracing) connection_.hold_profile(stmt_);
    int rc = sqlite3_step(stmt_);
    if (tracing) connection_.release_profile(rc == SQLITE_DONE);
    if (rc == SQLITE_ROW) {
        ++rows_;
        return true;
    }
    if (rc == SQLITE_DONE) return false;
    // sqlite3_reset returns the same code; the message is on the connection.
    connection_.raise(rc, sql_);
}

void Statement::reset() noexcept {
    // SQLite reports a run that had not ended to the trace hook here, which
    // still reads rows_.
    sqlite3_reset(stmt_);
    rows_ = 0;
}

std::int64_t Statement::changes() const { return sqlite3_changes64(sqlite3_db_handle(stmt_)); }

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

std::string_view Statement::column_name(int i) const {
    const char* name = sqlite3_column_name(stmt_, i);
    return name ? std::string_view(name) : std::string_view();
}

bool Statement::column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
std::int64_t Statement::column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
double Statement::column_double(int i) const { return sqlite3_column_double(stmt_, i); }

std::string_view Statement::column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
}

Value Statement::column(int i) const {
    switch (sqlite3_column_type(stmt_, i)) {
    case SQLITE_NULL: return Value();
    case SQLITE_INTEGER: return Value(column_int(i));
    case SQLITE_FLOAT: return Value(column_double(i));
    default: return Value(std::string(column_text(i)));
    }
}

void Statement::read_column(int i, Value& out) const {
    // One column call, then the value's own accessors: each sqlite3_column_*
    // call checks the statement and the connection's malloc state again (the
    // loaders' hot path reads every column of every row). The value is
    // "unprotected" (no mutex of its own): this connection is opened
    // NOMUTEX and used by one thread at a time (database.hpp), so nothing
    // else touches it while it is read here.
    sqlite3_value* v = sqlite3_column_value(stmt_, i);
    switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: out = Value(); break;
    case SQLITE_INTEGER: out = Value(static_cast<std::int64_t>(sqlite3_value_int64(v))); break;
    case SQLITE_FLOAT: out = Value(sqlite3_value_double(v)); break;
    default: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
        const int n = sqlite3_value_bytes(v);
        out.assign_text(p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view());
        break;
    }
    }
}

// ---- Connection ---------------------------------------------------------------

Connection::Connection(const std::string& path, const std::string& filename, int flags, int busy_timeout_ms) {
    // SQLite "opens" a directory and fails later, as "unable to open database
    // file" or, at the first write, "disk I/O error": name the cause instead.
    std::error_code ec;
    if (!path.empty() && path != ":memory:" && std::filesystem::is_directory(path, ec))
        throw OperationalError(fmt::format("cannot open database '{}': it is a directory, not a database file", path),
                               SQLITE_CANTOPEN);
    try {
        database_ = std::make_unique<SQLite::Database>(filename, flags, busy_timeout_ms);
    } catch (const SQLite::Exception& e) {
        throw OperationalError(fmt::format("cannot open database '{}': {}", path, e.what()), e.getErrorCode());
    }
    db_ = database_->getHandle();
    sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
    if (sink_) sqlite3_trace_v2(db_, 0, nullptr, nullptr);
}

std::unique_ptr<backend::Statement> Connection::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        raise(rc, sql);
    }
    if (stmt == nullptr) throw Error(fmt::format("no SQL statement in: \"{}\"", sql));
    if (has_more_statements(db_, sql, tail)) {
        sqlite3_finalize(stmt);
        throw Error(fmt::format("Several SQL statements in one prepare (only one is run; use "
                                "Database::execute_script for a script): \"{}\"",
                                sql));
    }
    auto statement = std::make_unique<Statement>(*this, stmt, std::string(sql));
    statements_.emplace(stmt, statement.get());
    return statement;
}

std::vector<std::string> Connection::split_script(std::string_view script) const {
    // Cut on statement boundaries with SQLite's own parser (sqlite3_complete)
    // so that triggers with inner semicolons stay whole.
    std::vector<std::string> out;
    std::string current;
    for (char c : script) {
        current += c;
        if (c == ';' && sqlite3_complete(current.c_str())) out.push_back(std::exchange(current, {}));
    }
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(std::move(current));
    return out;
}

// An EXPLAIN program never checks the schema cookie, so a kept one would
// describe a plan from before a schema change (a dropped index).
bool Connection::keep_prepared(std::string_view sql) const noexcept { return !is_explain(sql); }

bool Connection::is_transaction_control(std::string_view sql) const noexcept {
    return sqlite::is_transaction_control(sql);
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

void Connection::raise(int rc, std::string_view context) const { raise_error(db_, rc, context); }

void Connection::set_trace(TraceSink* sink) {
    if (sink == sink_) return;
    sink_ = sink;
    started_.clear();
    held_ = nullptr;
    pending_.reset();
    if (sink)
        sqlite3_trace_v2(db_, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, &Connection::trace_callback, this);
    else
        sqlite3_trace_v2(db_, 0, nullptr, nullptr);
}

int Connection::trace_callback(unsigned type, void* ctx, void* p, void* x) {
    auto* self = static_cast<Connection*>(ctx);
    if (type == SQLITE_TRACE_PROFILE) {
        self->on_profile(static_cast<sqlite3_stmt*>(p), *static_cast<sqlite3_int64*>(x));
    } else if (type == SQLITE_TRACE_STMT) {
        // X is the SQL text for a top-level statement (reported at its end by
        // the PROFILE event, timed from here), or a "-- TRIGGER name"
        // comment when a trigger program starts (reported now).
        const char* text = static_cast<const char*>(x);
        if (text && text[0] == '-' && text[1] == '-') self->sink_->trigger_started(text);
        else self->on_start(p);
    }
    return 0;
}

void Connection::on_start(const void* stmt) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& [s, at] : started_)
        if (s == stmt) {
            at = now;
            return;
        }
    started_.emplace_back(stmt, now);
}

void Connection::on_profile(sqlite3_stmt* stmt, std::int64_t nanoseconds) {
    // SQLite's nanoseconds are whole milliseconds (its VFS clock): use the
    // steady clock from the statement's start when we saw it.
    double seconds = static_cast<double>(nanoseconds) / 1e9;
    const auto end = std::chrono::steady_clock::now();
    for (auto it = started_.begin(); it != started_.end(); ++it)
        if (it->first == stmt) {
            seconds = std::chrono::duration<double>(end - it->second).count();
            started_.erase(it);
            break;
        }
    const bool read_only = sqlite3_stmt_readonly(stmt) != 0;
    if (auto it = statements_.find(stmt); it != statements_.end()) {
        const std::int64_t rows = read_only ? it->second->rows() : sqlite3_changes64(db_);
        if (stmt == held_) pending_ = Pending{it->second, {}, seconds, rows};  // a later run replaces it
        else sink_->statement_ran(it->second, {}, seconds, rows);
        return;
    }
    // Not prepared by folio: the user's raw SQL. SQLite can expand the bound
    // values into the text, which is the best we can show.
    char* expanded = sqlite3_expanded_sql(stmt);
    const std::string text = expanded ? expanded : sqlite3_sql(stmt);
    sqlite3_free(expanded);
    sink_->statement_ran(nullptr, text, seconds, read_only ? -1 : sqlite3_changes64(db_));
}

void Connection::release_profile(bool finished) {
    held_ = nullptr;
    if (!pending_) return;
    Pending p = std::move(*pending_);
    pending_.reset();
    // The sink never throws: the SQL log keeps a listener's exception for
    // Statement::step().
    if (finished && sink_) sink_->statement_ran(p.statement, p.raw_sql, p.seconds, p.rows);
}

} // namespace folio::backend::sqlite
