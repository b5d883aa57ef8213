// operations.hpp (internal): the dialect seam. One Operations object per
// Database holds every choice of SQL spelling a backend makes, and a Features
// struct what the code above may ask of it: Django's DatabaseOperations,
// DatabaseFeatures and the DDL half of its SchemaEditor, in one small class
// per backend (lib/backend/sqlite/ today; lib/backend/postgresql/ next).
//
// Who asks it: the query compiler (lib/query/) keeps the SQL *structure*
// (SELECT ... FROM ... WHERE ...) and asks this object for every spelling that
// differs between dialects; transactions, migrations, EXPLAIN, the doctor, the
// importer's cache tuning and the connection's set-up ask it for whole
// statements. Nothing else in lib/, include/ or demo/ writes SQL text; the
// test `sql_spelling` (tools/check_sql_spelling.sh) keeps it so.
//
// Parameters: folio's SQL marks each bound value with "?" (as Django's code
// writes "%s" whatever the backend); a backend whose server numbers its
// parameters ($1, $2 on PostgreSQL) rewrites them when it prepares.
//
// Thread-safety: immutable after construction, except what it runs through the
// Database passed in, which follows the Database's own rule (one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "folio/explain.hpp"
#include "folio/migrations.hpp"
#include "folio/model_meta.hpp"
#include "folio/value.hpp"

namespace folio {
class Database;
struct DatabaseOptions;
}

namespace folio::backend {

// The standard SQL both dialects share (SQL's transaction verbs and
// savepoints), spelled once here (operations.cpp): the defaults of
// Operations' transaction functions, and what PostgreSQL's connection-level
// Transaction (lib/backend/postgresql/transaction.cpp, which runs below any
// Database and so below any Operations object: its migrator's) runs.
namespace standard_sql {
std::string_view begin();
std::string_view commit();
std::string_view rollback();
std::string savepoint(std::string_view name);
std::string release_savepoint(std::string_view name);
std::string rollback_to_savepoint(std::string_view name);
} // namespace standard_sql

// What a backend can do; the code above branches on these, never on a name.
struct Features {
    // INSERT ... RETURNING: save() and bulk_create() read ids and stored
    // defaults back from the INSERT itself instead of a second statement.
    bool can_return_rows_from_insert = true;
    // A bulk insert inside the backend's outermost transaction may number
    // its rows itself, from the table's largest key + 1, and so skip
    // RETURNING: the id the database would pick (SQLite's rowid rule: one
    // more than the largest, while that is below 2^63-1) and nobody else
    // can insert meanwhile (BEGIN IMMEDIATE holds the write lock). False
    // where ids come from a sequence other sessions share (PostgreSQL).
    bool numbers_bulk_inserts = false;
    // INSERT ... ON CONFLICT DO NOTHING (many-to-many add, get-or-create of tags).
    bool supports_ignore_conflicts = true;
    // An IN list longer than this travels as one array parameter
    // (in_array_sql), so its size never meets max_query_params.
    std::size_t max_inline_in_list = 256;
};

// A setting changed for the length of one bulk import, put back by the
// destructor (which never throws).
class ScopedTuning {
public:
    virtual ~ScopedTuning() = default;
};

// A plan as the query doctor reads it (Operations::read_plan()).
struct PlanReading {
    // A table read row by row in full (not through an index lookup).
    struct Scan {
        std::string table;
        int block = 0;          // the query block the scan feeds: a Sort of the same block sorts its rows
        bool by_index = false;  // read in an index's order (SQLite's "SCAN t USING INDEX i")
        bool filtered = false;  // rows are tested as they are read (a WHERE an index could serve)
        std::string line;       // the plan's own words, for the finding
    };
    // A sort of every row a query block produced, served by no index
    // (a sort of the leading terms' groups, which an index already
    // orders, is not one).
    struct Sort {
        int block = 0;
        std::string line;
    };
    std::vector<Scan> scans;
    std::vector<Sort> sorts;
};

class Operations {
public:
    virtual ~Operations() = default;

    virtual const Features& features() const noexcept = 0;
    // "sqlite", "postgresql" (text of static storage: a literal): for
    // messages, and the compiled-query cache's key (lib/query/
    // compiled_cache.hpp): every Operations of one vendor spells every query
    // alike, so Databases of one vendor share rendered SQL and Databases of
    // two vendors never do. Never for branching.
    virtual std::string_view vendor() const noexcept = 0;
    // The most bound parameters one statement may hold now; bulk operations
    // size their batches below it (on SQLite a setting of the connection,
    // sqlite3_limit, which may change while it is open).
    virtual int max_query_params() const noexcept = 0;

    // ---- names and values ------------------------------------------------
    // `identifier` quoted as a name ("article"), whatever it holds.
    virtual std::string quote_name(std::string_view identifier) const = 0;
    // `n` parameter markers separated by ", " ("?, ?, ?"): folio's own
    // marker, the same on every backend (see "Parameters" above).
    static std::string placeholders(std::size_t n) {
        std::string out;
        out.reserve(n * 3);
        for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
        return out;
    }
    // A date column's value for year/month/day (the bounds of year ranges).
    virtual Value date_value(int year, int month, int day) const = 0;

    // ---- clauses the compiler asks for --------------------------------------
    // " LIMIT ?" or " LIMIT ? OFFSET ?" (bound in that order); no_limit() is
    // the value bound for LIMIT when a slice has none (slice(5, nullopt)).
    virtual std::string limit_offset_sql(bool with_offset) const = 0;
    virtual Value no_limit() const = 0;
    // " LIMIT n" for a count the code fixes itself (exists(): 1), written
    // into the text rather than bound.
    virtual std::string fixed_limit_sql(std::int64_t n) const = 0;
    // A condition no row meets (x IN () and a year no date has) and one
    // every row meets (an empty AND): "0" and "1" on SQLite, where a WHERE
    // takes any integer; FALSE and TRUE where it takes a boolean only.
    virtual std::string_view false_sql() const = 0;
    virtual std::string_view true_sql() const = 0;
    // The expression ordering rows at random (order_by("?")).
    virtual std::string_view random_function_sql() const = 0;
    // The integer year/month/day (`part`) of the date expression `expr`.
    virtual std::string date_extract_sql(std::string_view part, std::string_view expr) const = 0;
    // A text lookup (iexact, contains, icontains, startswith, istartswith,
    // endswith, iendswith) of `expr`, as Django's `operators` and
    // `pattern_ops` spell them: text_lookup_sql() renders the condition,
    // text_lookup_params() gives the values it binds, in order, for `value`
    // (LIKE patterns escaped there: %, _ and the escape character match
    // themselves). The i-forms fold case, the others compare exactly. Both
    // throw InvalidQuery for another lookup name.
    virtual std::string text_lookup_sql(std::string_view lookup, std::string_view expr) const = 0;
    virtual std::vector<Value> text_lookup_params(std::string_view lookup, const std::string& value) const = 0;
    // "expr IN (<one array parameter>)": a list of any length in one bound
    // value (json_each on SQLite, = ANY on PostgreSQL); array_param() builds
    // the value to bind. Throws ValidationError when a value cannot travel so.
    virtual std::string in_array_sql(std::string_view expr) const = 0;
    virtual Value array_param(const std::vector<Value>& values) const = 0;
    // A SELECT of rows whose values travel as array parameters, one per
    // column on PostgreSQL ("SELECT * FROM unnest(?::bigint[], ?::text[])"),
    // one JSON array of rows on SQLite ("SELECT value ->> 0, value ->> 1
    // FROM json_each(?) WHERE true"): what a multi-row INSERT of many rows
    // selects from (INSERT INTO t (a, b) <this> [ON CONFLICT ...]), so its
    // text, and the memory SQLite's parser spends on it (a few hundred bytes
    // per "(?, ?)" row of a VALUES list), stay the same whatever the number
    // of rows. `types` are the columns' types, in order (at least one).
    // rows_from_arrays_params() builds the values to bind for `columns`
    // (each one column's values, all of the same length, at least one row);
    // for one column that is {array_param(column)}.
    // Both throw ValidationError for a value that cannot travel so (text
    // that is not UTF-8).
    virtual std::string rows_from_arrays_sql(const std::vector<FieldType>& types) const = 0;
    virtual std::vector<Value> rows_from_arrays_params(const std::vector<std::vector<Value>>& columns) const = 0;
    // " RETURNING a, b" for quoted column names (features().can_return_rows_from_insert).
    virtual std::string returning_sql(const std::vector<std::string>& quoted_columns) const = 0;
    // An INSERT ... RETURNING (`insert`, "?" placeholders) of rows that carry
    // their primary keys, spelled so that rows inserted later without one do
    // not collide with them, still one statement; `params` are bound after
    // the INSERT's own. Unchanged here: SQLite's rowid continues past the
    // largest id by itself. `quoted_table` and `quoted_pk` as quote_name gives
    // them, `pk_column` bare.
    struct InsertWithKeys {
        std::string sql;
        std::vector<Value> params;
    };
    virtual InsertWithKeys insert_with_keys_sql(std::string insert, std::string_view /*quoted_table*/,
                                                std::string_view /*pk_column*/, std::string_view /*quoted_pk*/) const {
        return {std::move(insert), {}};
    }
    // " ON CONFLICT (a, b) DO NOTHING" (features().supports_ignore_conflicts).
    virtual std::string ignore_conflicts_sql(const std::vector<std::string>& quoted_columns) const = 0;
    // The value of an integer column set to `expr`, raising "integer overflow"
    // when the result does not fit in 64 bits (SQLite would store a REAL).
    // `expr` appears `uses` times in the result: its parameters are bound that
    // many times.
    struct Checked {
        std::string sql;
        int uses = 1;
    };
    virtual Checked checked_integer_sql(const std::string& expr) const = 0;

    // ---- transactions --------------------------------------------------------
    // The outermost transaction; it takes the write lock at once where the
    // dialect can (SQLite overrides it: BEGIN IMMEDIATE), so writers queue in
    // the busy handler instead of failing on lock upgrade. These default to
    // the standard spelling (standard_sql below); a dialect overrides only
    // what it spells otherwise, as Django's BaseDatabaseOperations.
    virtual std::string_view begin_sql() const { return standard_sql::begin(); }
    virtual std::string_view commit_sql() const { return standard_sql::commit(); }
    virtual std::string_view rollback_sql() const { return standard_sql::rollback(); }
    virtual std::string savepoint_sql(std::string_view name) const { return standard_sql::savepoint(name); }
    virtual std::string release_savepoint_sql(std::string_view name) const {
        return standard_sql::release_savepoint(name);
    }
    virtual std::string rollback_to_savepoint_sql(std::string_view name) const {
        return standard_sql::rollback_to_savepoint(name);
    }

    // ---- the connection --------------------------------------------------------
    // Runs once after opening: foreign keys on, and for a writable file the
    // journal mode and sync level; then checks the file is a database. Throws
    // folio::Error subclasses (the Database wraps them with its path).
    virtual void prepare_connection(Database& db, bool file, bool read_only) const = 0;
    // The schema version: how many migrations are applied (SQLite keeps the
    // number in PRAGMA user_version; a server keeps rows in a table).
    virtual int schema_version(Database& db) const = 0;
    // Inside a migration's transaction, before the version is read again:
    // makes concurrent migrators wait (SQLite's BEGIN IMMEDIATE already holds
    // the write lock: nothing; a server takes an advisory lock).
    virtual void lock_schema(Database& db) const = 0;
    // Inside a transaction that checks rows of `table` and then inserts (the
    // authors import's "username already in the database"): makes concurrent
    // writers of `table` wait until this transaction ends, so the check stays
    // true until the insert. SQLite: nothing (BEGIN IMMEDIATE already holds
    // the database's write lock). A server under READ COMMITTED: a table
    // lock that readers pass and writers wait for.
    virtual void lock_table_for_writes(Database& db, std::string_view table) const = 0;
    // Records that `m`, the `version`-th migration, is applied; inside its
    // transaction, after its script.
    virtual void record_migration(Database& db, const Migration& m, int version) const = 0;
    // The settings of one bulk import, put back when the result is destroyed:
    // a bigger page cache (`kib` KiB unless it already has more) and, on
    // SQLite, temporary storage in memory; nullptr when the backend has
    // nothing to tune.
    virtual std::unique_ptr<ScopedTuning> bulk_load_tuning(Database& db, std::int64_t kib) const = 0;
    // The journal of folio::ExclusiveLoad, put back when the result is
    // destroyed. Called outside a transaction. SQLite file: the rollback
    // journal (a bulk load into new pages writes them once, where WAL writes
    // them twice) with synchronous=FULL; OperationalError when another
    // connection has the file open. nullptr where there is nothing to change
    // (a server, an in-memory database, a file already in a rollback mode).
    virtual std::unique_ptr<ScopedTuning> exclusive_load(Database& db) const = 0;

    // ---- EXPLAIN ---------------------------------------------------------------
    // The plan of one SELECT, prepared and never run; see explain.hpp. The
    // caller has checked `sql` is a SELECT and muted the SQL log.
    virtual std::vector<PlanStep> explain_query_plan(Database& db, std::string_view sql) const = 0;
    // That command's name ("EXPLAIN QUERY PLAN", "EXPLAIN"), for titles.
    virtual std::string_view explain_command() const noexcept = 0;
    // What the doctor's plan rules need from that plan, read from this
    // backend's words (SQLite's "SCAN t" / "USE TEMP B-TREE FOR ORDER BY",
    // PostgreSQL's "Seq Scan on t" / "Sort"); the rules and their text stay
    // in lib/doctor.cpp.
    virtual PlanReading read_plan(const std::vector<PlanStep>& plan) const = 0;

    // ---- schema (DDL) --------------------------------------------------------------
    // The blog's migrations, spelled in this dialect (sqlmigrate prints them).
    virtual const std::vector<Migration>& blog_migrations() const = 0;
    // The script sqlmigrate prints for one migration: its SQL between the
    // standard BEGIN; and COMMIT; (as Django's sqlmigrate prints it).
    virtual std::string migration_script(const Migration& m) const;
    // Standard DDL, with the names quoted by quote_name().
    virtual std::string create_index_sql(std::string_view index, std::string_view table,
                                         std::string_view column) const;
    virtual std::string drop_index_sql(std::string_view index) const;
    // One row when an index named ? (bound) exists.
    virtual std::string_view index_exists_sql() const = 0;
    // One row when an index of table ? leads with column ? (both bound, in
    // that order), the primary key included: the query doctor asks before it
    // suggests an index for a sort (a planner that sorts although such an
    // index exists needs no second one).
    virtual std::string_view index_leading_with_sql() const = 0;
    // One row per table of the database the connection works in (SQLite:
    // its main file; a server: the current schema), column 0 the table's
    // name, column 1 the recorded schema version (as schema_version() reads
    // it; 0 when none is recorded), sorted by name; the backend's own tables
    // (SQLite's sqlite_*, folio's schema-version table on a server) are left
    // out. Read by foreign_tables() (blog.hpp): is this database folio's?
    virtual std::string_view tables_with_schema_version_sql() const = 0;
    // The number of rows of `table` (a name from model metadata), or -1 when
    // it cannot be read; runs outside the statement cache (the doctor's
    // question, which must not change the cache's counters).
    virtual std::int64_t count_rows(Database& db, std::string_view table) const = 0;

    // ---- errors ------------------------------------------------------------------------
    // Throws the folio::Error subclass a failed call's `code` maps to (see the
    // backend's errors.hpp), with the server's message and `context`, usually
    // the SQL.
    [[noreturn]] void raise(int code, std::string_view context) const {
        throw_error(code, context);
        std::abort();  // throw_error() always throws
    }

protected:
    // raise()'s backend half; never returns normally.
    virtual void throw_error(int code, std::string_view context) const = 0;
};

} // namespace folio::backend
