// operations.hpp (internal): SQLite's spellings behind the dialect seam
// (lib/backend/operations.hpp), after Django's backends/sqlite3/operations.py.
#pragma once

#include <string_view>

#include "lib/backend/operations.hpp"

struct sqlite3;

namespace folio::backend::sqlite {

// Not final: a test dialect derives from it to check that the compiler asks
// for every spelling (test/query/compiler_dialect_test.cpp).
class Operations : public backend::Operations {
public:
    // `db`: the connection whose limits and messages this object reads; it
    // outlives the object (both belong to one Database). `busy_timeout_ms`:
    // the timeout the connection was given, put back after a step that
    // must not wait (the journal switch of exclusive_load).
    Operations(sqlite3* db, int busy_timeout_ms);

    const Features& features() const noexcept override { return features_; }
    std::string_view vendor() const noexcept override { return "sqlite"; }
    int max_query_params() const noexcept override;

    std::string quote_name(std::string_view identifier) const override;
    Value date_value(int year, int month, int day) const override;

    std::string limit_offset_sql(bool with_offset) const override;
    Value no_limit() const override { return Value(std::int64_t{-1}); }
    std::string fixed_limit_sql(std::int64_t n) const override;
    std::string_view false_sql() const override { return "0"; }
    std::string_view true_sql() const override { return "1"; }
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
    Checked checked_integer_sql(const std::string& expr) const override;

    // The write lock at BEGIN; the other verbs, savepoints and the index DDL
    // are the standard spelling of backend::Operations (operations.cpp).
    std::string_view begin_sql() const override { return "BEGIN IMMEDIATE"; }

    void prepare_connection(Database& db, bool file, bool read_only) const override;
    int schema_version(Database& db) const override;
    void lock_schema(Database&) const override {}
    void lock_table_for_writes(Database&, std::string_view) const override {}
    void record_migration(Database& db, const Migration& m, int version) const override;
    std::unique_ptr<ScopedTuning> bulk_load_tuning(Database& db, std::int64_t kib) const override;
    std::unique_ptr<ScopedTuning> exclusive_load(Database& db) const override;

    std::vector<PlanStep> explain_query_plan(Database& db, std::string_view sql) const override;
    std::string_view explain_command() const noexcept override { return "EXPLAIN QUERY PLAN"; }
    PlanReading read_plan(const std::vector<PlanStep>& plan) const override;  // plan_reading.cpp

    const std::vector<Migration>& blog_migrations() const override;
    std::string_view index_exists_sql() const override;
    std::string_view index_leading_with_sql() const override;
    std::string_view tables_with_schema_version_sql() const override;
    std::int64_t count_rows(Database& db, std::string_view table) const override;

private:
    void throw_error(int code, std::string_view context) const override;

    sqlite3* db_;
    int busy_timeout_ms_;
    Features features_{.numbers_bulk_inserts = true};
};

// SQLite's statement kinds, read from the text's first keyword by the
// statement cache and the SQL log (SQLite-connection code: they hold the
// sqlite3 handle these spellings belong to).
// BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE.
bool is_transaction_control(std::string_view sql);
// EXPLAIN ...: a program SQLite never re-checks against the schema, so the
// statement cache must not keep it.
bool is_explain(std::string_view sql);

// The blog's migrations in SQLite's DDL (blog_migrations.cpp).
const std::vector<Migration>& blog_migrations();

} // namespace folio::backend::sqlite
