// statement.cpp: binding, sending in single-row mode, and reading rows one at a time.
#include "lib/backend/postgresql/statement.hpp"

#include <charconv>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/postgresql/connection.hpp"
#include "lib/sqlite_errors.hpp"

namespace folio::backend::postgresql {

Statement::Statement(Connection& connection, std::string_view sql)
    : connection_(&connection), prepared_(&connection.statement_cache().acquire(sql)) {
    parameters_.resize(prepared_->parameter_types.size());
}

Statement::~Statement() { release(); }

void Statement::release() noexcept {
    if (!prepared_) return;
    finish();
    connection_->statement_cache().release(*prepared_);
    prepared_ = nullptr;
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_), prepared_(other.prepared_), parameters_(std::move(other.parameters_)),
      state_(other.state_), row_(std::move(other.row_)), pending_(std::move(other.pending_)),
      rows_read_(other.rows_read_), rows_affected_(other.rows_affected_) {
    other.prepared_ = nullptr;
    if (state_ == State::Streaming) connection_->set_streaming(this);
}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        release();
        connection_ = other.connection_;
        prepared_ = other.prepared_;
        parameters_ = std::move(other.parameters_);
        state_ = other.state_;
        row_ = std::move(other.row_);
        pending_ = std::move(other.pending_);
        rows_read_ = other.rows_read_;
        rows_affected_ = other.rows_affected_;
        other.prepared_ = nullptr;
        if (state_ == State::Streaming) connection_->set_streaming(this);
    }
    return *this;
}

void Statement::bind(int index, const Value& value) {
    if (state_ != State::Ready)
        throw Error(fmt::format("cannot bind ${} while the statement runs; reset() it first (statement: {})", index,
                                detail::shorten_sql(sql())));
    if (index < 1 || index > parameter_count())
        throw InvalidQuery(fmt::format("parameter ${} does not exist: the statement has {} (statement: {})", index,
                                       parameter_count(), detail::shorten_sql(sql())));
    const auto i = static_cast<std::size_t>(index - 1);
    encode_parameter(value, prepared_->parameter_types[i], index, sql(), parameters_[i]);
}

void Statement::bind_all(std::span<const Value> values) {
    for (std::size_t i = 0; i < values.size(); ++i) bind(static_cast<int>(i + 1), values[i]);
}

void Statement::clear_bindings() noexcept {
    for (WireParameter& p : parameters_) p = WireParameter{};
}

void Statement::send() {
    connection_->make_idle();
    const std::size_t n = parameters_.size();
    std::vector<const char*> values(n);
    std::vector<int> lengths(n), formats(n);
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = parameters_[i].null ? nullptr : parameters_[i].bytes.c_str();
        lengths[i] = static_cast<int>(parameters_[i].bytes.size());
        formats[i] = parameters_[i].format;
    }
    PGconn* conn = connection_->handle();
    if (!PQsendQueryPrepared(conn, prepared_->name.c_str(), static_cast<int>(n), values.data(), lengths.data(),
                             formats.data(), 0)) {
        state_ = State::Done;
        connection_->raise(nullptr, sql());
    }
    // Must follow the send at once; it only fails if that did not happen.
    PQsetSingleRowMode(conn);
    state_ = State::Streaming;
    connection_->set_streaming(this);
}

Statement::Result Statement::next_result() {
    if (state_ != State::Buffered) return Result(PQgetResult(connection_->handle()));
    if (pending_.empty()) return nullptr;
    Result r = std::move(pending_.front());
    pending_.pop_front();
    return r;
}

void Statement::buffer_rest() {
    if (state_ != State::Streaming) return;
    // Until PQgetResult returns null: the rows, then the end (or an error).
    while (PGresult* r = PQgetResult(connection_->handle())) pending_.emplace_back(r);
    state_ = State::Buffered;
    connection_->set_streaming(nullptr);
}

bool Statement::step() {
    if (state_ == State::Ready) send();
    row_.reset();
    if (state_ == State::Done) return false;
    Result r = next_result();
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_SINGLE_TUPLE) {
        row_ = std::move(r);
        ++rows_read_;
        return true;
    }
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        const char* tuples = PQcmdTuples(r.get());
        std::int64_t n = 0;
        std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), n);
        rows_affected_ = n;
        finish();
        return false;
    }
    // An error: libpq still has the end of the run to deliver; read it so
    // the connection is usable (or known lost) before raising.
    finish();
    connection_->raise(r.get(), sql());
}

void Statement::finish() noexcept {
    row_.reset();
    pending_.clear();
    if (state_ != State::Streaming) {
        if (state_ == State::Ready) return;
        state_ = State::Done;
        return;
    }
    // Until PQgetResult returns null: the remaining rows (discarded) and the
    // final status. A lost connection also ends with null.
    while (PGresult* r = PQgetResult(connection_->handle())) PQclear(r);
    state_ = State::Done;
    connection_->set_streaming(nullptr);
}

std::int64_t Statement::execute() {
    while (step()) {
    }
    return rows_affected_;
}

void Statement::reset() {
    finish();
    state_ = State::Ready;
    rows_read_ = 0;
    rows_affected_ = 0;
}

int Statement::column_count() const { return row_ ? PQnfields(row_.get()) : 0; }
bool Statement::column_is_null(int i) const { return PQgetisnull(row_.get(), 0, i) != 0; }

std::string_view Statement::column_text(int i) const {
    if (!row_ || PQgetisnull(row_.get(), 0, i)) return {};
    return {PQgetvalue(row_.get(), 0, i), static_cast<std::size_t>(PQgetlength(row_.get(), 0, i))};
}

Value Statement::column(int i) const {
    if (!row_ || i < 0 || i >= PQnfields(row_.get()))
        throw InvalidQuery(fmt::format("column {} does not exist in the current row (statement: {})", i,
                                       detail::shorten_sql(sql())));
    if (PQgetisnull(row_.get(), 0, i)) return Value();
    return decode_column(column_text(i), PQftype(row_.get(), i));
}

std::string_view Statement::column_name(int i) const {
    const char* name = row_ ? PQfname(row_.get(), i) : nullptr;
    return name ? std::string_view(name) : std::string_view();
}

Oid Statement::column_type(int i) const { return row_ ? PQftype(row_.get(), i) : 0; }

int Statement::parameter_count() const noexcept { return static_cast<int>(prepared_->parameter_types.size()); }
int Statement::rows_held() const {
    int held = row_ ? PQntuples(row_.get()) : 0;
    for (const Result& r : pending_) held += PQntuples(r.get());  // the run's end holds none
    return held;
}
std::string_view Statement::sql() const noexcept { return *prepared_->sql; }

} // namespace folio::backend::postgresql
