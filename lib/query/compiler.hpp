// compiler.hpp (internal): turns queries into SQL text and bound values
// (Django's SQLCompiler), with where.hpp for the WHERE tree: the SQL of every
// QuerySet and of every model write. Outside lib/query/, every statement is
// spelled by the Database's dialect object (lib/backend/operations.hpp:
// transactions, migrations, EXPLAIN, the doctor, pragmas, errors), and the
// test sql_spelling keeps it so. Not yet true here: the spelling helpers
// below (quote, placeholders, date_part_sql, like_sql, json_list_sql,
// limit_offset_sql, json_array, RETURNING, ON CONFLICT, RANDOM(), the F()
// overflow guard, and resolve.cpp's LIKE patterns) still spell SQLite's
// dialect themselves; Operations has the same spellings, and routing them
// through it (the Query carrying its Database's Operations, the compiled
// cache keyed by dialect) is what a second dialect needs next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "folio/model.hpp"
#include "folio/query.hpp"
#include "folio/statement.hpp"
#include "folio/value.hpp"
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
};

// The fields of `meta` loaded under only()/defer() for the relation at
// `prefix` ("" for the model itself, "author__" for a select_related slot,
// "tags__" for a prefetch). `keep` fields are always loaded (FKs that
// select_related follows).
std::vector<std::size_t> loaded_fields(const Query& q, const ModelMeta& meta, const std::string& prefix,
                                       const std::vector<std::size_t>& keep = {});

// Rendering a Query: SQL text only (and the slots of a SELECT). Every one
// binds the same values, in this order: the where-tree's (Where::collect),
// then, when sliced, the LIMIT and, when not 0, the OFFSET (bind_query).
CompiledSelect render_select(const Query& q);
std::string render_count(const Query& q);
std::string render_exists(const Query& q);
std::string render_pk_select(const Query& q);

// Binds what a rendered Query binds, from 1; returns the count bound.
int bind_query(Statement& st, const Query& q);
// The same values, copied (for the SQL of sql(), explain() and messages).
std::vector<Value> query_params(const Query& q);

// Rendered and with their values: for callers off the hot path.
CompiledSelect compile_select(const Query& q);
Compiled compile_pk_select(const Query& q);
Compiled compile_update(const Query& q, const std::vector<Assign>& assignments);
Compiled compile_values(const Query& q, const std::vector<std::string>& paths);

// Spellings the renderers share (one function per choice, so a second
// dialect changes them in one place).
std::string quote(const std::string& identifier);
// "?, ?, ?": n placeholders.
std::string placeholders(std::size_t n);
// An integer part of a 'YYYY-MM-DD' date column.
std::string date_part_sql(ColumnCond::Transform part, const std::string& col);
// `expr` LIKE a bound pattern whose wildcards are escaped with '\'.
std::string like_sql(const std::string& expr);
// "(SELECT value FROM json_each(?))": the values of one bound JSON array
// (json_array()), for lists longer than kMaxInlineList.
std::string json_list_sql();
inline constexpr std::size_t kMaxInlineList = 256;
// " LIMIT ?" or " LIMIT ? OFFSET ?"; a missing limit is bound as -1 (none).
std::string limit_offset_sql(bool with_offset);

// Single-model statements.
std::string insert_sql(const ModelMeta& meta, const std::vector<std::size_t>& fields, std::size_t rows);
// " RETURNING "id", ...": the columns `fields` an INSERT reads back.
std::string returning_sql(const ModelMeta& meta, const std::vector<std::size_t>& fields);
std::string update_row_sql(const ModelMeta& meta, const std::vector<std::size_t>& fields);
std::string select_by_pk_sql(const ModelMeta& meta, const std::vector<std::size_t>& fields);
// DELETE FROM table WHERE column IN (?, ...) with `n` placeholders.
std::string delete_in_sql(const std::string& table, const std::string& column, std::size_t n);
// DELETE FROM table WHERE column IN (SELECT value FROM json_each(?)): one
// bound JSON array, so a mass delete is one statement whatever its size.
std::string delete_in_json_sql(const std::string& table, const std::string& column);
std::string insert_ignore_unique_sql(const ModelMeta& meta, std::size_t field, std::size_t rows);
// SELECT `fields` FROM table WHERE `in_field` IN (n placeholders).
std::string select_where_in_sql(const ModelMeta& meta, const std::vector<std::size_t>& fields, std::size_t in_field,
                                std::size_t n);

// Many-to-many link statements.
std::string m2m_link_sql(const ManyToManyMeta& rel, std::size_t pairs);
std::string m2m_unlink_sql(const ManyToManyMeta& rel, std::size_t targets);
std::string m2m_clear_sql(const ManyToManyMeta& rel);
std::string m2m_unlink_others_sql(const ManyToManyMeta& rel, std::size_t keep);
// SELECT through.<from>, target columns FROM target JOIN through ... WHERE
// through.<from> IN (n placeholders). `forward` = from the source side.
std::string m2m_prefetch_sql(const ManyToManyMeta& rel, bool forward, const ModelMeta& target,
                             const std::vector<std::size_t>& fields, std::size_t n);

// A JSON array of the values, for json_each(?) lists.
std::string json_array(const std::vector<Value>& values);

} // namespace folio::detail
