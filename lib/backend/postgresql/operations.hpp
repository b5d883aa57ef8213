// operations.hpp (internal): PostgreSQL's spellings behind the dialect seam
// (lib/backend/operations.hpp), after Django's backends/postgresql/operations.py.
#pragma once

#include <string>

#include "lib/backend/operations.hpp"

namespace folio::backend::postgresql {

class Connection;

class Operations final : public backend::Operations {
public:
    // `connection`: the libpq connection of the same Database, which outlives
    // this object (count_rows and EXPLAIN run on it outside the cache).
    explicit Operations(Connection& connection);

    const Features& features() const noexcept override { return features_; }
    std::string_view vendor() const noexcept override { return "postgresql"; }
    // The protocol's Int16 parameter count.
    int max_query_params() const noexcept override { return 65535; }

    std::string quote_name(std::string_view identifier) const override;
    Value date_value(int year, int month, int day) const override;

    std::string limit_offset_sql(bool with_offset) const override;
    // LIMIT NULL is LIMIT ALL on PostgreSQL.
    Value no_limit() const override { return Value(); }
    std::string fixed_limit_sql(std::int64_t n) const override { return " LIMIT " + std::to_string(n); }
    // A WHERE takes a boolean only here.
    std::string_view false_sql() const override { return "FALSE"; }
    std::string_view true_sql() const override { return "TRUE"; }
    std::string_view random_function_sql() const override { return "RANDOM()"; }
    std::string date_extract_sql(std::string_view part, std::string_view expr) const override;
    std::string text_lookup_sql(std::string_view lookup, std::string_view expr) const override;
    std::vector<Value> text_lookup_params(std::string_view lookup, const std::string& value) const override;
    std::string in_array_sql(std::string_view expr) const override;
    Value array_param(const std::vector<Value>& values) const override;
    std::string rows_from_arrays_sql(const std::vector<FieldType>& types) const override;
    std::vector<Value> rows_from_arrays_params(const std::vector<std::vector<Value>>& columns) const override;
    std::string returning_sql(const std::vector<std::string>& quoted_columns) const override;
    std::string ignore_conflicts_sql(const std::vector<std::string>& quoted_columns) const override;
    InsertWithKeys insert_with_keys_sql(std::string insert, std::string_view quoted_table, std::string_view pk_column,
                                        std::string_view quoted_pk) const override;
    Checked checked_integer_sql(const std::string& expr) const override;
    // The transaction verbs, savepoints and index DDL are the standard
    // spelling of backend::Operations (lib/backend/operations.cpp).

    void prepare_connection(Database& db, bool file, bool read_only) const override;
    int schema_version(Database& db) const override;
    void lock_schema(Database& db) const override;
    void lock_table_for_writes(Database& db, std::string_view table) const override;
    void record_migration(Database& db, const Migration& m, int version) const override;
    std::unique_ptr<ScopedTuning> bulk_load_tuning(Database&, std::int64_t) const override { return nullptr; }
    // A server has its own write-ahead log and no mode for one client's load.
    std::unique_ptr<ScopedTuning> exclusive_load(Database&) const override { return nullptr; }

    std::vector<PlanStep> explain_query_plan(Database& db, std::string_view sql) const override;
    std::string_view explain_command() const noexcept override { return "EXPLAIN"; }
    PlanReading read_plan(const std::vector<PlanStep>& plan) const override;  // plan_reading.cpp

    const std::vector<Migration>& blog_migrations() const override;
    std::string_view index_exists_sql() const override;
    std::string_view index_leading_with_sql() const override;
    std::string_view tables_with_schema_version_sql() const override;
    std::int64_t count_rows(Database& db, std::string_view table) const override;

private:
    void throw_error(int code, std::string_view context) const override;

    Connection& connection_;
    Features features_;
};

} // namespace folio::backend::postgresql
