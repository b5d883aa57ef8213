// backend.hpp (internal): PostgreSQL behind the narrow connection interface
// (lib/backend/connection.hpp), over the libpq classes of this folder: a
// backend statement is a postgresql::Statement (a named prepared statement,
// its rows streamed in single-row mode) on SQL whose "?" are numbered $1..$n;
// the trace is folio's own clock, from a run's first step to its end, since
// libpq has no trace hook.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "lib/backend/connection.hpp"
#include "lib/backend/postgresql/connection.hpp"
#include "lib/backend/postgresql/statement.hpp"

namespace folio::backend::postgresql {

class BackendConnection;

class BackendStatement final : public backend::Statement {
public:
    BackendStatement(BackendConnection& connection, std::string_view sql);
    ~BackendStatement() override;

    std::string_view sql() const noexcept override { return sql_; }
    int parameter_count() const noexcept override { return statement_.parameter_count(); }
    void bind(int index, const Value& value) override { statement_.bind(index, value); }
    void bind_int(int index, std::int64_t value) override { statement_.bind(index, Value(value)); }
    void bind_text_static(int index, std::string_view text) override { statement_.bind(index, Value(text)); }
    void clear_bindings() noexcept override { statement_.clear_bindings(); }
    bool step() override;
    void reset() noexcept override;
    std::int64_t changes() const override { return statement_.rows_affected(); }
    int column_count() const override { return statement_.column_count(); }
    std::string_view column_name(int i) const override { return statement_.column_name(i); }
    bool column_is_null(int i) const override { return statement_.column_is_null(i); }
    std::int64_t column_int(int i) const override;
    double column_double(int i) const override;
    std::string_view column_text(int i) const override { return statement_.column_text(i); }
    Value column(int i) const override { return statement_.column(i); }
    void read_column(int i, Value& out) const override { out = statement_.column(i); }

private:
    void report() noexcept;

    BackendConnection& connection_;
    std::string sql_;  // folio's text, with "?"
    postgresql::Statement statement_;
    std::chrono::steady_clock::time_point started_;
    bool timing_ = false;  // a run started and was not reported yet
};

class BackendConnection final : public backend::Connection {
public:
    // Opens `conninfo` (see postgresql::Connection).
    BackendConnection(const std::string& conninfo, std::size_t statement_cache_capacity);

    std::string_view vendor() const noexcept override { return "postgresql"; }
    std::unique_ptr<backend::Statement> prepare(std::string_view sql) override;
    std::vector<std::string> split_script(std::string_view script) const override;
    bool keep_prepared(std::string_view) const noexcept override { return true; }
    bool is_transaction_control(std::string_view sql) const noexcept override;
    bool in_transaction() const override { return connection_.in_transaction(); }
    bool transaction_failed() const override { return connection_.transaction_failed(); }
    std::int64_t last_insert_id() const override { return 0; }
    void set_trace(TraceSink* sink) override { sink_ = sink; }

    TraceSink* sink() const noexcept { return sink_; }
    postgresql::Connection& libpq() noexcept { return connection_; }

private:
    postgresql::Connection connection_;
    TraceSink* sink_ = nullptr;
};

} // namespace folio::backend::postgresql
