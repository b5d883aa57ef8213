// backend.cpp: PostgreSQL's statements and connection behind the connection
// interface, timed by folio for the SQL log.
#include "lib/backend/postgresql/backend.hpp"

#include <cctype>

#include "lib/backend/postgresql/sql_scan.hpp"

namespace folio::backend::postgresql {

BackendStatement::BackendStatement(BackendConnection& connection, std::string_view sql)
    : connection_(connection), sql_(sql), statement_(connection.libpq(), number_placeholders(sql)) {}

BackendStatement::~BackendStatement() { reset(); }

bool BackendStatement::step() {
    if (!statement_.running() && !timing_ && connection_.sink()) {
        started_ = std::chrono::steady_clock::now();
        timing_ = true;
    }
    bool row = false;
    try {
        row = statement_.step();
    } catch (...) {
        timing_ = false;  // folio::Statement reports a failed run, with its error (as on SQLite)
        throw;
    }
    if (!row) report();
    return row;
}

void BackendStatement::reset() noexcept {
    // Reading the rest of the run ends it; it is reported with the rows it
    // had (a scalar() reads one row and resets), then made ready again.
    statement_.finish();
    report();
    statement_.reset();
}

void BackendStatement::report() noexcept {
    if (!timing_) return;
    timing_ = false;
    if (TraceSink* sink = connection_.sink()) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        sink->statement_ran(this, {}, seconds, statement_.rows_affected() ? statement_.rows_affected()
                                                                          : statement_.rows_read());
    }
}

std::int64_t BackendStatement::column_int(int i) const {
    const Value v = statement_.column(i);
    return v.is_integer() ? v.as_integer() : v.is_real() ? static_cast<std::int64_t>(v.as_real()) : 0;
}

double BackendStatement::column_double(int i) const {
    const Value v = statement_.column(i);
    return v.is_real() ? v.as_real() : v.is_integer() ? static_cast<double>(v.as_integer()) : 0.0;
}

BackendConnection::BackendConnection(const std::string& conninfo, std::size_t statement_cache_capacity)
    : connection_(conninfo, ConnectionOptions{.statement_cache_capacity = statement_cache_capacity}) {}

std::unique_ptr<backend::Statement> BackendConnection::prepare(std::string_view sql) {
    return std::make_unique<BackendStatement>(*this, sql);
}

std::vector<std::string> BackendConnection::split_script(std::string_view script) const {
    return split_statements(script);
}

bool BackendConnection::is_transaction_control(std::string_view sql) const noexcept {
    std::size_t i = 0;
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    std::string word;
    while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])) && word.size() < 12)
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
    return word == "BEGIN" || word == "START" || word == "COMMIT" || word == "END" || word == "ROLLBACK" ||
           word == "ABORT" || word == "SAVEPOINT" || word == "RELEASE";
}

} // namespace folio::backend::postgresql
