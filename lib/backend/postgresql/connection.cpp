// connection.cpp: opening a libpq connection, its session settings, and running SQL.
#include "lib/backend/postgresql/connection.hpp"

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/postgresql/statement.hpp"
#include "lib/sqlite_errors.hpp"

namespace folio::backend::postgresql {

namespace {

std::string or_empty(const char* s) { return s ? std::string(s) : std::string(); }

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

} // namespace

Connection::Connection(const std::string& conninfo, ConnectionOptions options) {
    // expand_dbname: the first value may be a whole conninfo or URI; the
    // application name is only a fallback the user's string can override.
    const char* const keywords[] = {"dbname", "fallback_application_name", nullptr};
    const char* const values[] = {conninfo.c_str(), "folio", nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_) throw OperationalError("cannot connect to PostgreSQL: out of memory in libpq");
    endpoint_ = {or_empty(PQhost(conn_)), or_empty(PQport(conn_)), or_empty(PQdb(conn_))};
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string reason = redact_password(one_line(PQerrorMessage(conn_)), conninfo);
        PQfinish(conn_);
        conn_ = nullptr;
        throw OperationalError(fmt::format("cannot connect to PostgreSQL {}: {}", endpoint_.describe(), reason));
    }
    // libpq prints the server's notices (NOTICE: relation exists, skipping)
    // on stderr by default; a library must not write there.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    prepared_ = std::make_unique<PreparedStatements>(*this, options.statement_cache_capacity);
    try {
        // The forms values.hpp reads: ISO dates and timestamps in UTC, bytea
        // as hex, text as UTF-8 whatever the server's default.
        execute_script("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET bytea_output = 'hex'; "
                       "SET client_encoding = 'UTF8'");
    } catch (...) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

Connection::~Connection() {
    // The server deallocates prepared statements and rolls back an open
    // transaction when the session ends.
    if (conn_) PQfinish(conn_);
}

Statement Connection::prepare(std::string_view sql) { return Statement(*this, sql); }

std::int64_t Connection::execute(std::string_view sql, std::span<const Value> args) {
    Statement st(*this, sql);
    st.bind_all(args);
    return st.execute();
}

Value Connection::scalar(std::string_view sql, std::initializer_list<Value> args) {
    Statement st(*this, sql);
    st.bind_all(std::span<const Value>(args.begin(), args.size()));
    Value v = st.step() ? st.column(0) : Value();
    st.reset();
    return v;
}

void Connection::execute_script(std::string_view sql) {
    make_idle();
    const std::string text(sql);
    // PQexec returns the last statement's result; an error stops the script
    // there and is that result.
    Result r(PQexec(conn_, text.c_str()));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) raise(r.get(), sql);
}

bool Connection::in_transaction() const {
    const PGTransactionStatusType s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || (s == PQTRANS_ACTIVE && streaming_);
}

bool Connection::transaction_failed() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

void Connection::make_idle() {
    if (streaming_) streaming_->buffer_rest();  // clears streaming_
}

void Connection::set_streaming(Statement* statement) { streaming_ = statement; }

void Connection::raise(const PGresult* result, std::string_view sql) const {
    raise_result(conn_, result, sql, endpoint_);
}

} // namespace folio::backend::postgresql
