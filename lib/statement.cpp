// statement.cpp: binding, stepping and reading a checked-out prepared statement.
#include "folio/statement.hpp"

#include <sqlite3.h>

#include "folio/database.hpp"
#include "folio/sql_log.hpp"

namespace folio {

Statement::Statement(Database& db, std::string_view sql)
    : db_(&db), entry_(db.statement_cache().acquire(sql)) {}

Statement::~Statement() {
    if (entry_) db_->statement_cache().release(entry_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), entry_(other.entry_) {
    other.entry_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        if (entry_) db_->statement_cache().release(entry_);
        db_ = other.db_;
        entry_ = other.entry_;
        other.entry_ = nullptr;
    }
    return *this;
}

void Statement::record_arg(int index, const Value& value) {
    // Arguments are kept only for the SQL log, and only while it listens.
    auto& args = entry_->args;
    if (args.size() < static_cast<std::size_t>(index)) args.resize(index);
    args[index - 1] = value;
}

void Statement::bind(int index, const Value& value) {
    sqlite3_stmt* s = entry_->stmt;
    int rc = SQLITE_OK;
    switch (value.storage().index()) {
    case 0: rc = sqlite3_bind_null(s, index); break;
    case 1: rc = sqlite3_bind_int64(s, index, std::get<1>(value.storage())); break;
    case 2: rc = sqlite3_bind_double(s, index, std::get<2>(value.storage())); break;
    default: {
        const std::string& t = std::get<3>(value.storage());
        rc = sqlite3_bind_text64(s, index, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    }
    if (rc != SQLITE_OK) db_->raise(rc, sql());
    if (db_->log().active()) record_arg(index, value);
}

void Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(entry_->stmt, index, value);
    if (rc != SQLITE_OK) db_->raise(rc, sql());
    if (db_->log().active()) record_arg(index, Value(value));
}

void Statement::bind_text_static(int index, std::string_view text) {
    int rc = sqlite3_bind_text64(entry_->stmt, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->raise(rc, sql());
    if (db_->log().active()) record_arg(index, Value(text));
}

void Statement::bind_null(int index) { bind(index, Value()); }

void Statement::bind_all(std::span<const Value> values) {
    for (std::size_t i = 0; i < values.size(); ++i) bind(static_cast<int>(i + 1), values[i]);
}

bool Statement::step() {
    SqlLog& log = db_->log();
    const bool logging = log.active();
    if (logging) log.hold_profile(entry_->stmt);
    int rc = sqlite3_step(entry_->stmt);
    if (logging) log.release_profile(rc != SQLITE_ROW);
    // A log listener that threw during this step (caught in the trace
    // callback, which SQLite calls from C) reports here.
    log.rethrow_listener_error();
    if (rc == SQLITE_ROW) {
        ++entry_->rows;
        return true;
    }
    if (rc == SQLITE_DONE) return false;
    // sqlite3_reset returns the same code; the message is on the connection.
    db_->raise(rc, sql());
}

std::int64_t Statement::execute() {
    while (step()) {
    }
    return sqlite3_changes64(db_->handle());
}

void Statement::reset() {
    sqlite3_reset(entry_->stmt);
    entry_->rows = 0;
}

int Statement::column_count() const { return sqlite3_column_count(entry_->stmt); }
bool Statement::column_is_null(int i) const { return sqlite3_column_type(entry_->stmt, i) == SQLITE_NULL; }
std::int64_t Statement::column_int(int i) const { return sqlite3_column_int64(entry_->stmt, i); }
double Statement::column_double(int i) const { return sqlite3_column_double(entry_->stmt, i); }

std::string_view Statement::column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(entry_->stmt, i));
    int n = sqlite3_column_bytes(entry_->stmt, i);
    return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
}

Value Statement::column(int i) const {
    switch (sqlite3_column_type(entry_->stmt, i)) {
    case SQLITE_NULL: return Value();
    case SQLITE_INTEGER: return Value(column_int(i));
    case SQLITE_FLOAT: return Value(column_double(i));
    default: return Value(std::string(column_text(i)));
    }
}

std::string_view Statement::sql() const { return *entry_->sql; }
sqlite3_stmt* Statement::handle() const noexcept { return entry_->stmt; }

} // namespace folio
