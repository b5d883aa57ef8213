// where.cpp: rendering resolved filters: joins, columns, the lookups'
// SQL and the semi-joins of many-valued relations.
#include "lib/query/where.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "folio/errors.hpp"
#include "lib/query/resolve.hpp"

namespace folio::detail {

namespace {

const char* comparison_sql(ColumnCond::Op op) {
    switch (op) {
    case ColumnCond::Op::Eq: return " = ?";
    case ColumnCond::Op::Gt: return " > ?";
    case ColumnCond::Op::Gte: return " >= ?";
    case ColumnCond::Op::Lt: return " < ?";
    case ColumnCond::Op::Lte: return " <= ?";
    }
    return " = ?";
}

} // namespace

namespace {
std::string_view date_part(ColumnCond::Transform t) {
    return t == ColumnCond::Transform::Year ? "year" : t == ColumnCond::Transform::Month ? "month" : "day";
}
} // namespace

std::string condition_sql(const backend::Operations& ops, const std::string& col, const ColumnCond& c) {
    using Form = ColumnCond::Form;
    switch (c.form) {
    case Form::Never: return std::string(ops.false_sql());
    case Form::IsNull: return col + " IS NULL";
    case Form::IsNotNull: return col + " IS NOT NULL";
    default: break;
    }
    const std::string expr =
        c.transform == ColumnCond::Transform::None ? col : ops.date_extract_sql(date_part(c.transform), col);
    switch (c.form) {
    case Form::Compare: return expr + comparison_sql(c.op);
    case Form::Between: return fmt::format("{} BETWEEN ? AND ?", expr);
    case Form::InList: return expr + " IN (" + backend::Operations::placeholders(c.params.size()) + ")";
    case Form::InArray: return ops.in_array_sql(expr);
    case Form::Text: return ops.text_lookup_sql(c.text_lookup, expr);
    default: return std::string(ops.false_sql());
    }
}

std::string QueryBuilder::joins_sql() const {
    std::string out;
    for (const auto& j : joins_) out += j.sql;
    return out;
}

QueryBuilder::QueryBuilder(const backend::Operations& ops, const ModelMeta& base)
    : ops_(ops), base_(base), base_alias_(base.table) {}

std::string QueryBuilder::from_sql() const {
    std::string out = quote(base_.table);
    for (const auto& j : joins_) out += j.sql;
    return out;
}

std::string QueryBuilder::join(const std::vector<std::string>& fk_path) {
    const ModelMeta* meta = &base_;
    std::string alias = base_alias_;
    std::string path;
    bool outer = false;  // after a LEFT JOIN every join on the path is LEFT, or it would drop those rows again
    for (const auto& part : fk_path) {
        const FieldMeta* f = meta->find_field(part);
        if (!f || f->type != FieldType::ForeignKey) throw_unknown_field(*meta, part, join_path(fk_path));
        path += path.empty() ? part : "__" + part;
        const ModelMeta& target = f->related();
        outer = outer || f->nullable;
        auto it = std::find_if(joins_.begin(), joins_.end(), [&](const Join& j) { return j.path == path; });
        if (it == joins_.end()) {
            std::string a = path == base_alias_ ? path + "_j" : path;
            // A nullable FK must not drop rows without a target.
            std::string sql = fmt::format(" {} JOIN {} AS {} ON {}.{} = {}.{}", outer ? "LEFT" : "INNER",
                                          quote(target.table), quote(a), quote(a), quote(target.fields[0].column),
                                          quote(alias), quote(f->column));
            joins_.push_back({path, a, sql});
            alias = a;
        } else {
            alias = it->alias;
        }
        meta = &target;
    }
    return alias;
}

QueryBuilder::Column QueryBuilder::column(const std::string& path, const char* what) {
    auto parts = split_path(path);
    const ModelMeta* meta = &base_;
    std::vector<std::string> fk_path;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const FieldMeta* f = meta->find_field(parts[i]);
        if (!f) {
            if (meta->find_many_to_many(parts[i]) || find_reverse(*meta, parts[i]))
                throw InvalidQuery(fmt::format("Cannot use the many-valued relation '{}' of model {} in {} ('{}')",
                                               parts[i], meta->name, what, path));
            throw_unknown_field(*meta, parts[i], path);
        }
        if (i + 1 == parts.size()) {
            std::string alias = fk_path.empty() ? base_alias_ : join(fk_path);
            return {quote(alias) + "." + quote(f->column), f, meta};
        }
        if (f->type != FieldType::ForeignKey)
            throw InvalidQuery(fmt::format("Field '{}' of model {} is not a relation (in {} '{}')", parts[i],
                                           meta->name, what, path));
        fk_path.push_back(parts[i]);
        meta = &f->related();
    }
    throw InvalidQuery(fmt::format("Empty field name in {}", what));
}

std::string QueryBuilder::where(const Where& w) { return w.matches_all() ? std::string() : render(w, false); }

std::string QueryBuilder::render(const Where& w, bool negated) {
    switch (w.kind) {
    case Q::Kind::All: return std::string(ops_.true_sql());
    case Q::Kind::Leaf: return leaf(*w.leaf, negated);
    case Q::Kind::Not: {
        // Appended piecewise: GCC 12 at -O3 warns falsely (-Wrestrict) on
        // "literal" + std::string&& (its bug 105329).
        std::string out = "NOT (";
        out += render(w.children.at(0), !negated);
        out += ')';
        return out;
    }
    case Q::Kind::And:
    case Q::Kind::Or: {
        std::string out;
        for (const auto& c : w.children) {
            if (!out.empty()) out += w.kind == Q::Kind::And ? " AND " : " OR ";
            out += '(';
            out += render(c, negated);
            out += ')';
        }
        return out;
    }
    }
    return std::string(ops_.true_sql());
}

std::string QueryBuilder::leaf(const WhereLeaf& l, bool negated) {
    const std::string alias = l.fk_path.empty() ? base_alias_ : join(l.fk_path);
    if (l.kind != WhereLeaf::Kind::Column)
        return related(l, quote(alias) + "." + quote(l.meta->fields[0].column), negated);
    const std::string col = quote(alias) + "." + quote(l.field->column);
    std::string cond = condition_sql(ops_, col, l.cond);
    if (!negated || !l.nullable || l.cond.null_test) return cond;
    // Django's exclude(): a NULL column makes the comparison false, and
    // NOT false keeps the row; SQL's NOT NULL would drop it.
    return "(" + cond + " AND " + col + " IS NOT NULL)";
}

std::string QueryBuilder::related(const WhereLeaf& l, const std::string& outer_id, bool negated) {
    // The condition on the related model, rendered by a builder of its own.
    auto on_related = [&]() {
        QueryBuilder sub(ops_, *l.related);
        std::string cond = sub.leaf(*l.inner, false);
        return std::pair(sub.from_sql(), std::move(cond));
    };
    std::string any;   // outer_id IN (every related key): "has a related row"
    std::string some;  // outer_id IN (related keys matching the leaf)
    if (l.kind == WhereLeaf::Kind::ReverseForeignKey) {
        // Rows of the source model pointing at ours. A nullable key's NULLs
        // are kept out of the IN list, where one NULL would turn every
        // non-match into NULL (and NOT IN into no rows).
        const std::string key = quote(l.related->table) + "." + quote(l.foreign_key->column);
        const std::string not_null = l.foreign_key->nullable ? " AND " + key + " IS NOT NULL" : std::string();
        any = fmt::format("{} IN (SELECT {} FROM {}{})", outer_id, key, quote(l.related->table),
                          not_null.empty() ? std::string() : " WHERE " + key + " IS NOT NULL");
        if (l.inner) {
            auto [from, cond] = on_related();
            some = fmt::format("{} IN (SELECT {} FROM {} WHERE {}{})", outer_id, key, from, cond, not_null);
        }
    } else {
        // Through a link table; `own` holds our ids, `other` the related ones.
        const bool forward = l.kind == WhereLeaf::Kind::ManyToMany;
        const std::string through = quote(l.m2m->through_table);
        const std::string own = through + "." + quote(forward ? l.m2m->source_column : l.m2m->target_column);
        const std::string other = through + "." + quote(forward ? l.m2m->target_column : l.m2m->source_column);
        any = fmt::format("{} IN (SELECT {} FROM {})", outer_id, own, through);
        if (l.through) {
            some = fmt::format("{} IN (SELECT {} FROM {} WHERE {})", outer_id, own, through,
                               condition_sql(ops_, other, l.cond));
        } else if (l.inner) {
            auto [from, cond] = on_related();
            some = fmt::format("{} IN (SELECT {} FROM {} WHERE {} IN (SELECT {}.{} FROM {} WHERE {}))", outer_id,
                               own, through, other, quote(l.related->table), quote(l.related->fields[0].column), from,
                               cond);
        }
    }
    if (!l.wants_missing) {
        // A missing outer row (through a LEFT JOIN) has no related rows:
        // under NOT it must count as "false", not NULL.
        if (negated && l.outer) return "(" + some + " AND " + outer_id + " IS NOT NULL)";
        return some;
    }
    // On the primary key (never NULL) only "has none" is left.
    std::string none = l.outer ? "(" + outer_id + " IS NULL OR NOT (" + any + "))" : "NOT (" + any + ")";
    if (some.empty()) return none;
    return "(" + none + " OR " + some + ")";
}

} // namespace folio::detail
