// query.hpp (internal): the SQL-neutral description of a QuerySet's request
// (Django's sql.Query): model, the resolved where-tree, ordering, slice,
// related loading and the columns asked for. QuerySets share it immutably;
// every chained call copies it and changes the copy.
//
// The where-tree is resolved when filter() is called (resolve.hpp), as
// Django's Query.build_filter does: each leaf holds the fields and relations
// its path names, the lookup, and the values already checked and converted
// to what is bound. The compiler only renders it, and a shape that was
// rendered once is not rendered again (compiled_cache.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "folio/model.hpp"
#include "folio/query.hpp"
#include "folio/value.hpp"

namespace folio::detail {

// How one lookup on one column is rendered; `params` are bound in order.
// Every choice that depends on the value (NULL, a year beyond 0001..9999, an
// empty or long list) is made at resolve time and shows in the form. The
// values are already in the form the Database's dialect binds them
// (Operations::date_value, array_param, text_lookup_params), so a resolved
// tree belongs to the dialect of the QuerySet's Database.
struct ColumnCond {
    enum class Form : std::uint8_t {
        Never,      // matches no row: x IN (), a year no date has
        IsNull,     // col IS NULL
        IsNotNull,  // col IS NOT NULL (also "a year every date has")
        Compare,    // expr <op> ?
        Between,    // expr BETWEEN ? AND ?  (range; a year as its first and last day)
        InList,     // expr IN (?, ...), one placeholder per param
        InArray,    // expr IN (the values of one array parameter: Operations::in_array_sql)
        Text,       // a text lookup (`text_lookup`): Operations::text_lookup_sql
    };
    enum class Op : std::uint8_t { Eq, Gt, Gte, Lt, Lte };
    enum class Transform : std::uint8_t { None, Year, Month, Day };  // a date's part

    Form form = Form::Never;
    Op op = Op::Eq;
    Transform transform = Transform::None;
    bool null_test = false;  // isnull, or exact None: exclude()'s NULL rule does not apply
    // Text: "iexact", "contains", ... (a name of static storage).
    std::string_view text_lookup;
    std::vector<Value> params;
};

// One resolved filter() leaf: a lookup on a column, or on a many-valued
// relation (rendered as a semi-join).
struct WhereLeaf {
    enum class Kind : std::uint8_t { Column, ManyToMany, ReverseManyToMany, ReverseForeignKey };
    Kind kind = Kind::Column;
    std::vector<std::string> fk_path;  // foreign keys from the base model to `meta`
    bool outer = false;                // fk_path goes through a nullable FK (LEFT JOINs)
    const ModelMeta* meta = nullptr;   // the model holding the column or the relation

    // Column: `field` of `meta` (an FK's own column for "author__id").
    const FieldMeta* field = nullptr;
    bool nullable = false;  // the column can be NULL (nullable field or LEFT JOIN)
    ColumnCond cond;        // also Column's lookup on the through table (see `through`)

    // Relations.
    const ManyToManyMeta* m2m = nullptr;     // (Reverse)ManyToMany
    const ModelMeta* related = nullptr;      // the model at the other end
    const FieldMeta* foreign_key = nullptr;  // ReverseForeignKey: the FK pointing at `meta`
    bool wants_missing = false;              // isnull=True / exact None: "has none, or has one that is"
    bool through = false;                    // `cond` is on the through table's column
    std::shared_ptr<const WhereLeaf> inner;  // the leaf on `related`, resolved against it

    // Calls f(value) for each value this leaf binds, in render order.
    template <class F>
    void each_value(F&& f) const {
        if (kind == Kind::Column || through) {
            for (const Value& v : cond.params) f(v);
        } else if (inner) {
            inner->each_value(f);
        }
    }
};

// The resolved form of a Q tree.
struct Where {
    Q::Kind kind = Q::Kind::All;
    std::shared_ptr<const WhereLeaf> leaf;  // Leaf
    std::vector<Where> children;            // And / Or / Not
    std::string shape;                      // what the SQL text depends on (not the bound values)

    bool matches_all() const noexcept { return kind == Q::Kind::All; }
    // Calls f(value) for each value the tree binds, in the order of its
    // placeholders (what the compiler binds).
    template <class F>
    void each_value(F&& f) const {
        if (leaf) leaf->each_value(f);
        for (const Where& c : children) c.each_value(f);
    }
};

// AND of two resolved trees, flattened as Q's operator& does.
Where where_and(const Where& a, const Where& b);

struct Query {
    const ModelMeta* model = nullptr;
    Where where;
    std::vector<std::string> order_by;    // "-created_at", "author__username"
    std::int64_t offset = 0;
    std::optional<std::int64_t> limit;    // rows after offset; nullopt = all
    bool sliced = false;
    bool reversed = false;                // last(): flip the ordering
    std::vector<std::string> select_related;  // FK paths: "author", "article__author"
    std::vector<std::string> prefetch;        // "tags", "articles__tags"
    std::vector<std::string> deferred;        // defer(): "content", "author__bio"
    std::vector<std::string> only;            // only(): "title", "author__username"
    bool has_only = false;
};

// Splits "a__b__c" into {"a", "b", "c"}; join_path() puts it back.
std::vector<std::string> split_path(const std::string& path);
std::string join_path(const std::vector<std::string>& parts);

} // namespace folio::detail
