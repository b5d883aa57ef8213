// statement.cpp: binding, stepping and reading a checked-out prepared
// statement, through the backend's handle (lib/backend/connection.hpp).
#include "folio/statement.hpp"

#include <chrono>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "folio/sql_log.hpp"
#include "lib/backend/connection.hpp"

namespace folio {

namespace {
// Times a call only while the SQL log listens (a failed statement is
// reported with the time of the call that failed).
class FailureClock {
public:
    explicit FailureClock(const SqlLog& log) {
        if (log.active()) start_ = std::chrono::steady_clock::now();
    }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_{};
};
} // namespace

// A statement the backend refuses to prepare (a missing table, a syntax
// error) never runs, so no trace reports it: the log hears of it here.
detail::CachedStatement* Statement::acquire(Database& db, HashedSql sql,
                                            std::optional<std::span<const Value>> args) {
    const FailureClock clock(db.log());
    try {
        return db.statement_cache().acquire(sql);
    } catch (const Error& e) {
        std::optional<std::vector<Value>> known;
        if (args) known.emplace(args->begin(), args->end());
        db.log().report_failure(sql.sql, std::move(known), clock.seconds(), e.what());
        throw;
    }
}

Statement::Statement(Database& db, std::string_view sql)
    : db_(&db), entry_(acquire(db, HashedSql(sql), std::nullopt)) {}

Statement::Statement(Database& db, HashedSql sql) : db_(&db), entry_(acquire(db, sql, std::nullopt)) {}

Statement::Statement(Database& db, std::string_view sql, std::span<const Value> args)
    : db_(&db), entry_(acquire(db, HashedSql(sql), args)) {
    try {
        bind_all(args);
    } catch (...) {
        // No destructor runs for a constructor that throws: check it back in.
        db_->statement_cache().release(entry_);
        throw;
    }
}

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
    // Arguments are kept only for the SQL log, and only while a listener needs them.
    auto& args = entry_->args;
    if (args.size() < static_cast<std::size_t>(index)) args.resize(index);
    args[index - 1] = value;
}

void Statement::bind(int index, const Value& value) {
    entry_->stmt->bind(index, value);
    if (db_->log().records_args()) record_arg(index, value);
    else entry_->args_missed = true;
}

void Statement::bind(int index, std::int64_t value) {
    entry_->stmt->bind_int(index, value);
    if (db_->log().records_args()) record_arg(index, Value(value));
    else entry_->args_missed = true;
}

void Statement::bind_text_static(int index, std::string_view text) {
    entry_->stmt->bind_text_static(index, text);
    if (db_->log().records_args()) record_arg(index, Value(text));
    else entry_->args_missed = true;
}

void Statement::bind_null(int index) { bind(index, Value()); }

void Statement::bind_all(std::span<const Value> values) {
    for (std::size_t i = 0; i < values.size(); ++i) bind(static_cast<int>(i + 1), values[i]);
}

bool Statement::step() {
    // A listener that threw while an earlier statement ended (the trace
    // reports a statement when it finishes, e.g. at the reset after a
    // scalar read) reports before this statement runs: a write must never
    // run and then throw another statement's error.
    db_->log().rethrow_listener_error();
    bool row = false;
    const FailureClock clock(db_->log());
    try {
        row = entry_->stmt->step();
    } catch (const Error& e) {
        // What a listener threw reports first, as it happened first.
        db_->log().rethrow_listener_error();
        // Neither backend reports a failed run to the trace: the log hears
        // of it here, with the arguments bound for it.
        db_->log().report_failure(*entry_->sql,
                                  entry_->args_missed ? std::nullopt : std::optional<std::vector<Value>>(entry_->args),
                                  clock.seconds(), e.what());
        throw;
    } catch (...) {
        db_->log().rethrow_listener_error();
        throw;
    }
    // A log listener that threw during this step (the trace may run inside
    // C frames, where nothing may unwind) reports here.
    db_->log().rethrow_listener_error();
    return row;
}

std::int64_t Statement::execute() {
    while (step()) {
    }
    return entry_->stmt->changes();
}

void Statement::reset() { entry_->stmt->reset(); }

int Statement::parameter_count() const noexcept { return entry_->stmt->parameter_count(); }
int Statement::column_count() const { return entry_->stmt->column_count(); }
std::string_view Statement::column_name(int i) const { return entry_->stmt->column_name(i); }
bool Statement::column_is_null(int i) const { return entry_->stmt->column_is_null(i); }
std::int64_t Statement::column_int(int i) const { return entry_->stmt->column_int(i); }
double Statement::column_double(int i) const { return entry_->stmt->column_double(i); }
std::string_view Statement::column_text(int i) const { return entry_->stmt->column_text(i); }
Value Statement::column(int i) const { return entry_->stmt->column(i); }
void Statement::read_column(int i, Value& out) const { entry_->stmt->read_column(i, out); }

std::string_view Statement::sql() const { return *entry_->sql; }
sqlite3_stmt* Statement::handle() const noexcept { return entry_->stmt->sqlite_handle(); }
backend::Statement* Statement::backend() const noexcept { return entry_->stmt; }

} // namespace folio
