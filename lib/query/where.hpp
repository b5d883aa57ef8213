// where.hpp (internal): resolving field paths and compiling filter trees.
//
// A QueryBuilder compiles one statement's FROM/JOIN and WHERE parts. Paths
// through foreign keys become JOINs (one per path, reused); paths through
// many-valued relations (many-to-many, reverse foreign keys) become
// `id IN (SELECT ...)` semi-joins, which never duplicate rows (no DISTINCT
// needed) and keep their meaning under OR and NOT.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "folio/model.hpp"
#include "folio/query.hpp"
#include "folio/value.hpp"

namespace folio::detail {

class QueryBuilder {
public:
    QueryBuilder(const ModelMeta& base, std::vector<Value>& params);

    // The WHERE condition for `q` without the keyword; "" when q matches all.
    std::string where(const Q& q);

    struct Column {
        std::string sql;  // "author"."username"
        const FieldMeta* field = nullptr;
        const ModelMeta* meta = nullptr;
    };
    // A column reached through foreign keys only ("author__username");
    // many-valued relations are refused with InvalidQuery (`what` names the use).
    Column column(const std::string& path, const char* what);
    // The alias of the join that follows the FK path `path` ("author",
    // "article__author"), adding the JOIN if needed.
    std::string join(const std::vector<std::string>& fk_path);

    const std::string& base_alias() const noexcept { return base_alias_; }
    const ModelMeta& base() const noexcept { return base_; }
    std::string from_sql() const;  // "article" plus every JOIN
    std::string joins_sql() const;  // every JOIN, without the base table
    bool has_joins() const noexcept { return !joins_.empty(); }

private:
    struct Join {
        std::string path;
        std::string alias;
        std::string sql;
    };
    // `negated`: under an odd number of NOTs. There a comparison with a NULL
    // column must count as false before the NOT (Django's exclude() keeps
    // rows whose column is NULL), so such leaves add "AND col IS NOT NULL".
    std::string compile(const Q& q, bool negated);
    std::string leaf(const Q::Node& node, bool negated);
    // `nullable`: the column can hold NULL (its field is nullable, or it is
    // reached through a LEFT JOIN).
    std::string lookup_sql(const std::string& col, const FieldMeta& field, const ModelMeta& meta,
                           const std::vector<std::string>& rest, const Q::Node& node, bool nullable, bool negated);
    // The SQL of the lookup itself (lookup_sql adds exclude()'s NULL rule).
    std::string lookup_cond(const std::string& col, const FieldMeta& field, const ModelMeta& meta,
                            const std::vector<std::string>& rest, const Q::Node& node);
    std::string year_bounds_sql(const std::string& col, const std::string& lookup, std::int64_t year);
    // `outer_nullable`: outer_id comes through a LEFT JOIN and may be NULL.
    std::string related_semijoin(const std::string& outer_id, const ModelMeta& meta, const std::string& part,
                                 const std::vector<std::string>& rest, const Q::Node& node, bool outer_nullable,
                                 bool negated);
    Value bind_checked(const FieldMeta& field, const ModelMeta& meta, const Value& v, bool integer_transform);

    const ModelMeta& base_;
    std::string base_alias_;
    std::vector<Value>& params_;
    std::vector<Join> joins_;
};

// True for lookup names (exact, in, lt, ...) and transforms (year, month, day).
bool is_lookup_word(const std::string& word);

} // namespace folio::detail
