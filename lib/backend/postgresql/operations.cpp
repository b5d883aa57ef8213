// operations.cpp: PostgreSQL's spellings ($n numbering happens when the
// backend prepares), LIKE with backslash escapes, = ANY(array), RETURNING,
// ON CONFLICT, transaction verbs, the folio_migrations table under an
// advisory lock, EXPLAIN of a generic plan, DDL.
#include "lib/backend/postgresql/operations.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "lib/backend/postgresql/connection.hpp"
#include "lib/backend/postgresql/migrations.hpp"
#include "lib/backend/postgresql/sql_scan.hpp"
#include "lib/backend/postgresql/statement.hpp"
#include "lib/backend/sql_text.hpp"

namespace folio::backend::postgresql {

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

bool folds_case(std::string_view lookup) {
    return lookup == "iexact" || lookup == "icontains" || lookup == "istartswith" || lookup == "iendswith";
}

void check_text_lookup(std::string_view lookup) {
    if (!folds_case(lookup) && lookup != "contains" && lookup != "startswith" && lookup != "endswith")
        throw InvalidQuery(fmt::format("Unsupported text lookup '{}'", lookup));
}

// LIKE's wildcards and PostgreSQL's default escape character, escaped.
std::string like_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// One element of an array literal: "..." with " and \ escaped; NULL bare.
std::string array_element(const Value& v) {
    if (v.is_null()) return "NULL";
    const std::string text = v.is_text() ? v.as_text() : v.is_integer() ? std::to_string(v.as_integer())
                                                                        : fmt::format("{}", v.as_real());
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// Created under the lock, in the current schema (search_path), like the
// blog's tables; the same table postgresql::Migrator keeps.
constexpr std::string_view create_version_table =
    R"sql(CREATE TABLE IF NOT EXISTS "folio_migrations" ("name" text PRIMARY KEY, "applied_at" timestamptz NOT NULL DEFAULT now()))sql";

} // namespace

Operations::Operations(Connection& connection) : connection_(connection) {}

std::string Operations::quote_name(std::string_view identifier) const {
    std::string out = "\"";
    for (char c : identifier) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

Value Operations::date_value(int year, int month, int day) const {
    return Value(fmt::format("{:04}-{:02}-{:02}", year, month, day));
}

std::string Operations::limit_offset_sql(bool with_offset) const {
    return with_offset ? " LIMIT ? OFFSET ?" : " LIMIT ?";
}

std::string Operations::date_extract_sql(std::string_view part, std::string_view expr) const {
    const char* field = part == "year" ? "YEAR" : part == "month" ? "MONTH" : "DAY";
    return fmt::format("EXTRACT({} FROM {})::integer", field, expr);
}

std::string Operations::text_lookup_sql(std::string_view lookup, std::string_view expr) const {
    check_text_lookup(lookup);
    // ILIKE folds case by the database's collation, non-ASCII letters
    // included; LIKE is exact. Both escape with a backslash by default.
    if (folds_case(lookup)) return fmt::format("{}::text ILIKE ?", expr);
    return fmt::format("{}::text LIKE ?", expr);
}

std::vector<Value> Operations::text_lookup_params(std::string_view lookup, const std::string& value) const {
    check_text_lookup(lookup);
    std::string pat = like_escape(value);
    const bool any_start = lookup == "contains" || lookup == "icontains" || lookup == "endswith" || lookup == "iendswith";
    const bool any_end = lookup == "contains" || lookup == "icontains" || lookup == "startswith" || lookup == "istartswith";
    if (any_start) pat = "%" + pat;
    if (any_end) pat += "%";
    return {Value(std::move(pat))};
}

// The server infers the array's element type from `expr`.
std::string Operations::in_array_sql(std::string_view expr) const { return fmt::format("{} = ANY(?)", expr); }

Value Operations::array_param(const std::vector<Value>& values) const {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + array_element(values[i]);
    return Value(out + "}");
}

// unnest() of several arrays yields their elements side by side, row by
// row; the casts type the array parameters, which folio sends as text.
std::string Operations::rows_from_arrays_sql(const std::vector<FieldType>& types) const {
    std::string args;
    for (FieldType t : types) {
        std::string_view name = "text";
        switch (t) {
            case FieldType::Integer:
            case FieldType::ForeignKey: name = "bigint"; break;
            case FieldType::Real: name = "double precision"; break;
            case FieldType::Boolean: name = "boolean"; break;
            case FieldType::Date: name = "date"; break;
            case FieldType::Text: break;
        }
        args += fmt::format("{}?::{}[]", args.empty() ? "" : ", ", name);
    }
    return fmt::format("SELECT * FROM unnest({})", args);
}

std::vector<Value> Operations::rows_from_arrays_params(const std::vector<std::vector<Value>>& columns) const {
    std::vector<Value> out;
    out.reserve(columns.size());
    for (const auto& column : columns) out.push_back(array_param(column));
    return out;
}

std::string Operations::returning_sql(const std::vector<std::string>& quoted_columns) const {
    return " RETURNING " + joined(quoted_columns);
}

// An identity sequence does not follow explicit ids (Django leaves that to
// sqlsequencereset), so a later insert without an id would collide with them.
// The same statement moves the sequence past the ids it inserted, never back:
// setval to the larger of the largest id inserted and the sequence's last
// value, computed once over the inserted rows (an uncorrelated subquery, one
// extra column after the RETURNING ones, which readers ignore). The table and
// column names are bound values, never spliced; setval needs UPDATE on the
// sequence. The rows keep the order of the INSERT's RETURNING.
Operations::InsertWithKeys Operations::insert_with_keys_sql(std::string insert, std::string_view quoted_table,
                                                           std::string_view pk_column,
                                                           std::string_view quoted_pk) const {
    std::string sql = fmt::format(
        R"(WITH "folio_inserted" AS ({0}) SELECT "folio_inserted".*, (SELECT setval(pg_get_serial_sequence(?, ?)::regclass, )"
        R"(GREATEST(max({1}), pg_sequence_last_value(pg_get_serial_sequence(?, ?)::regclass))) FROM "folio_inserted"))"
        R"( FROM "folio_inserted")",
        insert, quoted_pk);
    const Value table{std::string(quoted_table)}, column{std::string(pk_column)};
    return {std::move(sql), {table, column, table, column}};
}

std::string Operations::ignore_conflicts_sql(const std::vector<std::string>& quoted_columns) const {
    return fmt::format(" ON CONFLICT ({}) DO NOTHING", joined(quoted_columns));
}

// bigint arithmetic raises "bigint out of range" (SQLSTATE 22003, DataError)
// by itself.
Operations::Checked Operations::checked_integer_sql(const std::string& expr) const { return {expr, 1}; }

// The session settings are the connection's (postgresql::Connection); a
// read-only Database makes every transaction READ ONLY.
void Operations::prepare_connection(Database& db, bool, bool read_only) const {
    if (read_only) db.execute("SET default_transaction_read_only = on");
    else db.scalar("SELECT 1");
}

int Operations::schema_version(Database& db) const {
    // to_regclass follows search_path and gives NULL, not an error, when the
    // table does not exist yet.
    if (db.scalar(R"sql(SELECT to_regclass('"folio_migrations"') IS NOT NULL)sql").as_integer() == 0) return 0;
    return static_cast<int>(db.scalar(R"sql(SELECT count(*) FROM "folio_migrations")sql").as_integer());
}

void Operations::lock_schema(Database& db) const {
    // One lock per schema, held to the end of the migration's transaction.
    db.scalar("SELECT pg_advisory_xact_lock(1718578281, hashtext(current_schema()))");
    db.execute(create_version_table);
}

void Operations::lock_table_for_writes(Database& db, std::string_view table) const {
    // SHARE ROW EXCLUSIVE conflicts with itself and with the ROW EXCLUSIVE
    // lock of INSERT/UPDATE/DELETE, not with SELECT's ACCESS SHARE.
    db.execute(fmt::format("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", quote_name(table)));
}

void Operations::record_migration(Database& db, const Migration& m, int) const {
    db.execute(R"sql(INSERT INTO "folio_migrations" ("name") VALUES (?))sql", {Value(m.name)});
}

std::vector<PlanStep> Operations::explain_query_plan(Database&, std::string_view sql) const {
    // The plan for any parameter values (a generic plan): prepared under a
    // name of its own, explained with NULLs while plan_cache_mode forces the
    // generic plan, so the NULLs are not folded into it. PostgreSQL 16 has
    // EXPLAIN (GENERIC_PLAN) for this.
    const std::string numbered = number_placeholders(sql);
    if (split_statements(numbered).size() != 1)
        throw InvalidQuery(fmt::format("EXPLAIN takes one statement; text follows it in '{}'", detail::shorten_sql(sql)));
    connection_.make_idle();
    PGconn* conn = connection_.handle();
    auto run = [&](const std::string& text) {
        PGresult* r = PQexec(conn, text.c_str());
        const ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            struct Clear {
                PGresult* r;
                ~Clear() { PQclear(r); }
            } clear{r};
            connection_.raise(r, sql);
        }
        return r;
    };
    PGresult* prepared = PQprepare(conn, "folio_explain", numbered.c_str(), 0, nullptr);
    const bool ok = prepared && PQresultStatus(prepared) == PGRES_COMMAND_OK;
    if (!ok) {
        struct Clear {
            PGresult* r;
            ~Clear() { PQclear(r); }
        } clear{prepared};
        connection_.raise(prepared, sql);
    }
    PQclear(prepared);
    std::vector<PlanStep> plan;
    try {
        PGresult* described = PQdescribePrepared(conn, "folio_explain");
        const int params = described ? PQnparams(described) : 0;
        PQclear(described);
        std::string args;
        for (int i = 0; i < params; ++i) args += i ? ", NULL" : "NULL";
        PQclear(run("SET plan_cache_mode = force_generic_plan"));
        PGresult* r = run(params ? fmt::format("EXPLAIN EXECUTE folio_explain({})", args) : "EXPLAIN EXECUTE folio_explain");
        // EXPLAIN's tree is in its indentation: a node's line starts with
        // "->" (but the root's), the node's properties ("Filter: ...") are
        // indented under it. A step's parent is the nearest node above it
        // that is indented less.
        std::vector<std::pair<std::size_t, int>> nodes;  // indentation, id: the open path from the root
        for (int i = 0; i < PQntuples(r); ++i) {
            std::string_view line = PQgetvalue(r, i, 0);
            const std::size_t indent = std::min(line.find_first_not_of(' '), line.size());
            const bool node = i == 0 || line.substr(indent).starts_with("->");
            const std::size_t start = line.find_first_not_of(" ->");
            while (!nodes.empty() && nodes.back().first >= indent) nodes.pop_back();
            PlanStep step;
            step.id = i + 1;
            step.parent = nodes.empty() ? 0 : nodes.back().second;
            step.detail = std::string(line.substr(start == std::string_view::npos ? line.size() : start));
            if (node) nodes.emplace_back(indent, step.id);
            plan.push_back(std::move(step));
        }
        PQclear(r);
    } catch (...) {
        PQclear(PQexec(conn, "RESET plan_cache_mode; DEALLOCATE folio_explain"));
        throw;
    }
    PQclear(run("RESET plan_cache_mode; DEALLOCATE folio_explain"));
    return plan;
}

const std::vector<Migration>& Operations::blog_migrations() const { return postgresql_migrations(); }

std::string_view Operations::index_exists_sql() const {
    return "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?";
}

std::string_view Operations::index_leading_with_sql() const {
    // indkey[0]: the index's first column (0 for an expression).
    return "SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
           "WHERE i.indrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) "
           "AND a.attname = ? LIMIT 1";
}

std::string_view Operations::tables_with_schema_version_sql() const {
    // folio_migrations is the schema version this backend keeps
    // (schema_version(): its number of rows, 0 without the table). A
    // statement cannot name a table that may not exist, so the count is read
    // through query_to_xml's dynamic SQL, only when to_regclass (which
    // follows search_path, as the migrator does) finds the table: CASE does
    // not evaluate the volatile branch otherwise.
    return "SELECT tablename, CASE WHEN to_regclass('\"folio_migrations\"') IS NULL THEN 0 ELSE "
           "(xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM \"folio_migrations\"', false, true, "
           "'')))[1]::text::bigint END "
           "FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
           "AND tablename <> 'folio_migrations' ORDER BY tablename";
}

std::int64_t Operations::count_rows(Database&, std::string_view table) const {
    const std::string sql = "SELECT COUNT(*) FROM " + quote_name(table);
    if (!connection_.handle() || connection_.transaction_failed()) return -1;
    // A statement still streams its rows: a diagnostic does not make it
    // buffer them (Connection::make_idle), it answers "unknown".
    if (connection_.streaming()) return -1;
    PGresult* r = PQexec(connection_.handle(), sql.c_str());
    std::int64_t n = -1;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) n = std::stoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

void Operations::throw_error(int code, std::string_view context) const {
    // PostgreSQL's failures are mapped where libpq reports them (errors.hpp);
    // a bare code only says something failed.
    throw Error(fmt::format("PostgreSQL call failed (code {}){}{}", code, context.empty() ? "" : ": ",
                            detail::shorten_sql(context)));
}

} // namespace folio::backend::postgresql
