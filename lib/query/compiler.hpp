// compiler.hpp (internal): turns queries into SQL text and bound values
// (Django's SQLCompiler), with where.hpp for the WHERE tree: the SQL of every
// QuerySet and of every model write.
//
// The compiler keeps the SQL *structure* (SELECT ... FROM ... JOIN ... WHERE
// ... ORDER BY, semi-joins, multi-row VALUES) and asks the Operations of the
// Database the statement runs on (lib/backend/operations.hpp, as Django's
// compiler asks connection.ops) for every spelling a dialect chooses:
// identifier quoting, LIMIT/OFFSET and "no limit", date-part extraction,
// text lookups and their LIKE escaping, array parameters for long IN lists,
// RETURNING, ON CONFLICT DO NOTHING, the random ordering, the F() overflow
// guard, true and false. Parameter markers are folio's own "?"
// (Operations::placeholders). The test sql_spelling fails on a dialect
// clause written in lib/query/; outside lib/query/ and lib/backend/ no SQL
// text is written at all.
//
// Every function here takes the Operations first; it is only read while the
// call runs. The rendered text belongs to that dialect: the compiled-query
// cache keys on it (compiled_cache.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "folio/model.hpp"
#include "folio/query.hpp"
#include "folio/statement.hpp"
#include "folio/value.hpp"
#include "lib/backend/operations.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

struct Compiled {
    std::string sql;
    std::vector<Value> params;
};

// How the columns of a SELECT map onto objects: slot 0 is the row's own
// object, each further slot an object select_related fills from the same row.
struct Slot {
    int parent = -1;                  // index of the slot holding the FK; -1 for slot 0
    std::size_t fk_field = 0;         // the parent's FK field
    const ModelMeta* meta = nullptr;
    std::vector<std::size_t> fields;  // loaded fields, in column order
    std::uint64_t deferred_mask = 0;  // fields not loaded
};

struct CompiledSelect : Compiled {
    std::vector<Slot> slots;
    // std::hash of `sql`, set by the compiled-query cache so that each run
    // finds its prepared statement without hashing the text again (0: not
    // set, hashed when asked).
    std::size_t sql_hash = 0;
    HashedSql hashed_sql() const { return sql_hash ? HashedSql(sql, sql_hash) : HashedSql(sql); }
    // The cache entry this statement last ran on, and that cache's epoch
    // then: prepare_query() checks it out again (StatementCache::reacquire)
    // without looking the text up. Only prepare_query() touches these, on the
    // thread whose compiled-query cache holds this entry (the cache is per
    // thread), so they need no lock.
    mutable const StatementCache* last_cache = nullptr;
    mutable std::uint64_t last_epoch = 0;
    mutable CachedStatement* last_entry = nullptr;
};

// The fields of `meta` loaded under only()/defer() for the relation at
// `prefix` ("" for the model itself, "author__" for a select_related slot,
// "tags__" for a prefetch). `keep` fields are always loaded (FKs that
// select_related follows).
std::vector<std::size_t> loaded_fields(const Query& q, const ModelMeta& meta, const std::string& prefix,
                                       const std::vector<std::size_t>& keep = {});

// Rendering a Query: SQL text only (and the slots of a SELECT). Every one
// binds the same values, in this order: the where-tree's (Where::each_value),
// then, when sliced, the LIMIT and, when not 0, the OFFSET (bind_query).
using Ops = backend::Operations;
CompiledSelect render_select(const Ops& ops, const Query& q);
std::string render_count(const Ops& ops, const Query& q);
std::string render_exists(const Ops& ops, const Query& q);
std::string render_pk_select(const Ops& ops, const Query& q);

// Binds what a rendered Query binds, from 1; returns the count bound.
int bind_query(const Ops& ops, Statement& st, const Query& q);
// The statement for `sql` (a rendering of `q`) checked out of db's cache with
// q's values bound. While the SQL log listens, the values are handed to the
// checkout (Database::prepare(sql, args)), so a statement that does not
// prepare is logged with them; otherwise the hashed SQL is checked out and
// the values bound from the where-tree, allocating nothing; the statement
// `cs` last ran on is checked out again when the cache still holds it idle.
Statement prepare_query(Database& db, const Ops& ops, const CompiledSelect& cs, const Query& q);
// The same values, copied (for the SQL of sql(), explain() and messages).
std::vector<Value> query_params(const Ops& ops, const Query& q);

// Rendered and with their values: for callers off the hot path.
CompiledSelect compile_select(const Ops& ops, const Query& q);
Compiled compile_pk_select(const Ops& ops, const Query& q);
Compiled compile_update(const Ops& ops, const Query& q, const std::vector<Assign>& assignments);
Compiled compile_values(const Ops& ops, const Query& q, const std::vector<std::string>& paths);

// Single-model statements.
std::string insert_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields, std::size_t rows);
// The dialect's RETURNING clause for the columns `fields` an INSERT reads back.
std::string returning_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields);
// insert_sql + returning_sql for rows that carry their primary keys (fields
// holds 0), in the backend's spelling that keeps later automatic keys clear
// of them (Operations::insert_with_keys_sql); bind `params` after the rows' values.
Compiled insert_with_keys_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                              std::size_t rows, const std::vector<std::size_t>& returned);
std::string update_row_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields);
// SELECT max(pk) FROM table: where a bulk insert numbers its rows from
// (features().numbers_bulk_inserts); NULL on an empty table.
std::string max_pk_sql(const Ops& ops, const ModelMeta& meta);
std::string select_by_pk_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields);
// DELETE FROM table WHERE column IN (?, ...) with `n` placeholders.
std::string delete_in_sql(const Ops& ops, const std::string& table, const std::string& column, std::size_t n);
// DELETE FROM table WHERE column IN (one array parameter: Operations::in_array_sql,
// its value from array_param()), so a mass delete is one statement whatever its size.
std::string delete_in_array_sql(const Ops& ops, const std::string& table, const std::string& column);
// INSERT of `rows` values of the UNIQUE `field`, skipping those present
// (the dialect's ON CONFLICT DO NOTHING).
std::string insert_ignore_unique_sql(const Ops& ops, const ModelMeta& meta, std::size_t field, std::size_t rows);
// SELECT `fields` FROM table WHERE `in_field` IN (n placeholders).
std::string select_where_in_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                                std::size_t in_field, std::size_t n);

// Whether `n` values (or rows) of one statement travel as array parameters
// (Operations::in_array_sql, rows_from_arrays_sql) rather than one
// placeholder each: past features().max_inline_in_list. A statement's text
// then stays the same whatever n, so it is prepared once, and SQLite's
// parser no longer spends memory per value (a 100,000-row VALUES list took
// over 100 MB to prepare).
bool as_arrays(const Ops& ops, std::size_t n);
// insert_ignore_unique_sql and select_where_in_sql with the values in one
// array parameter (Operations::rows_from_arrays_params / array_param).
std::string insert_ignore_unique_from_array_sql(const Ops& ops, const ModelMeta& meta, std::size_t field);
std::string select_where_in_array_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                                      std::size_t in_field);

// Many-to-many link statements.
std::string m2m_link_sql(const Ops& ops, const ManyToManyMeta& rel, std::size_t pairs);
// m2m_link_sql with the pairs as arrays (rows_from_arrays_params of the
// source ids, then the target ids).
std::string m2m_link_from_arrays_sql(const Ops& ops, const ManyToManyMeta& rel);
std::string m2m_unlink_sql(const Ops& ops, const ManyToManyMeta& rel, std::size_t targets);
std::string m2m_clear_sql(const Ops& ops, const ManyToManyMeta& rel);
std::string m2m_unlink_others_sql(const Ops& ops, const ManyToManyMeta& rel, std::size_t keep);
// SELECT through.<from>, target columns FROM target JOIN through ... WHERE
// through.<from> IN (n placeholders). `forward` = from the source side.
std::string m2m_prefetch_sql(const Ops& ops, const ManyToManyMeta& rel, bool forward, const ModelMeta& target,
                             const std::vector<std::size_t>& fields, std::size_t n);

} // namespace folio::detail
