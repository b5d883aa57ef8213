// where.hpp (internal): rendering resolved where-trees, joins and columns.
//
// A QueryBuilder renders one statement's FROM/JOIN and WHERE parts from a
// resolved where-tree (resolve.hpp); it checks nothing the resolver checked
// and binds nothing: a tree's values are bound in the order of its
// placeholders by Where::each_value(). Paths through foreign keys become JOINs
// (one per path, reused); paths through many-valued relations (many-to-many,
// reverse foreign keys) become `id IN (SELECT ...)` semi-joins, which never
// duplicate rows (no DISTINCT needed) and keep their meaning under OR and NOT.
// Every spelling a dialect chooses (identifier quoting, date parts, text
// lookups, array parameters, true/false) comes from the Operations given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "folio/model.hpp"
#include "lib/backend/operations.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

class QueryBuilder {
public:
    // `ops` and `base` outlive the builder.
    QueryBuilder(const backend::Operations& ops, const ModelMeta& base);

    const backend::Operations& ops() const noexcept { return ops_; }
    // `identifier` quoted in the builder's dialect.
    std::string quote(std::string_view identifier) const { return ops_.quote_name(identifier); }

    // The WHERE condition of `w` without the keyword; "" when w matches all.
    std::string where(const Where& w);

    struct Column {
        std::string sql;  // "author"."username"
        const FieldMeta* field = nullptr;
        const ModelMeta* meta = nullptr;
    };
    // A column reached through foreign keys only ("author__username"), for
    // order_by() and values_list(); many-valued relations are refused with
    // InvalidQuery (`what` names the use).
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
    std::string render(const Where& w, bool negated);
    std::string leaf(const WhereLeaf& leaf, bool negated);
    std::string related(const WhereLeaf& leaf, const std::string& outer_id, bool negated);

    const backend::Operations& ops_;
    const ModelMeta& base_;
    std::string base_alias_;
    std::vector<Join> joins_;
};

// The SQL of one column condition on `col` (a quoted column), in `ops`' dialect.
std::string condition_sql(const backend::Operations& ops, const std::string& col, const ColumnCond& cond);

} // namespace folio::detail
