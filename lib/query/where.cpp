// where.cpp: field-path resolution, joins and the lookups of filter().
#include "lib/query/where.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "folio/errors.hpp"
#include "folio/io/validate.hpp"
#include "lib/query/compiler.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

namespace {

constexpr std::array<const char*, 15> kLookups = {"exact", "iexact", "contains", "icontains", "startswith",
                                                  "istartswith", "endswith", "iendswith", "in", "gt",
                                                  "gte", "lt", "lte", "isnull", "range"};
constexpr std::array<const char*, 3> kTransforms = {"year", "month", "day"};

bool is_lookup(const std::string& w) {
    return std::any_of(kLookups.begin(), kLookups.end(), [&](const char* l) { return w == l; });
}
bool is_transform(const std::string& w) {
    return std::any_of(kTransforms.begin(), kTransforms.end(), [&](const char* l) { return w == l; });
}

// LIKE patterns escape their own wildcards so user text matches verbatim.
std::string like_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string join_path(const std::vector<std::string>& parts, std::size_t from = 0) {
    std::string out;
    for (std::size_t i = from; i < parts.size(); ++i) {
        if (!out.empty()) out += "__";
        out += parts[i];
    }
    return out;
}

[[noreturn]] void unknown_field(const ModelMeta& meta, const std::string& part, const std::string& lookup) {
    throw InvalidQuery(fmt::format("Cannot resolve keyword '{}' into field of model {} (in '{}'). Choices are: {}",
                                   part, meta.name, lookup, meta.choices()));
}

const char* field_type_name(FieldType t) {
    switch (t) {
    case FieldType::Integer: return "an integer";
    case FieldType::Real: return "a number";
    case FieldType::Text: return "text";
    case FieldType::Boolean: return "a boolean";
    case FieldType::Date: return "a date 'YYYY-MM-DD'";
    case FieldType::ForeignKey: return "an integer id";
    }
    return "a value";
}

// True when a leaf asks for a missing value (isnull=True, or exact NULL),
// judged by its last word: "tags__isnull", "tags__name", "tags__name__exact".
bool asks_for_null(const std::vector<std::string>& rest, const Q::Node& node) {
    if (node.list || node.values.empty()) return false;
    const Value& v = node.values.front();
    const std::string& last = rest.empty() ? std::string("exact") : rest.back();
    if (last == "isnull") return v.is_integer() && v.as_integer() != 0;
    return (last == "exact" || !is_lookup(last)) && v.is_null();
}

} // namespace

bool is_lookup_word(const std::string& word) { return is_lookup(word) || is_transform(word); }

std::string QueryBuilder::joins_sql() const {
    std::string out;
    for (const auto& j : joins_) out += j.sql;
    return out;
}

QueryBuilder::QueryBuilder(const ModelMeta& base, std::vector<Value>& params)
    : base_(base), base_alias_(base.table), params_(params) {}

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
        if (!f || f->type != FieldType::ForeignKey) unknown_field(*meta, part, join_path(fk_path));
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
            unknown_field(*meta, parts[i], path);
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

std::string QueryBuilder::where(const Q& q) { return q.matches_all() ? std::string() : compile(q, false); }

std::string QueryBuilder::compile(const Q& q, bool negated) {
    const Q::Node& n = q.node();
    switch (n.kind) {
    case Q::Kind::All: return "1";
    case Q::Kind::Leaf: return leaf(n, negated);
    case Q::Kind::Not: {
        // Appended piecewise: GCC 12 at -O3 warns falsely (-Wrestrict) on
        // "literal" + std::string&& (its bug 105329).
        std::string out = "NOT (";
        out += compile(n.children.at(0), !negated);
        out += ')';
        return out;
    }
    case Q::Kind::And:
    case Q::Kind::Or: {
        std::string out;
        for (const auto& c : n.children) {
            if (!out.empty()) out += n.kind == Q::Kind::And ? " AND " : " OR ";
            out += '(';
            out += compile(c, negated);
            out += ')';
        }
        return out;
    }
    }
    return "1";
}

std::string QueryBuilder::leaf(const Q::Node& node, bool negated) {
    auto parts = split_path(node.lookup);
    const ModelMeta* meta = &base_;
    std::string alias = base_alias_;
    std::vector<std::string> fk_path;
    bool outer_joined = false;  // the path went through a nullable FK (a LEFT JOIN)
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const FieldMeta* f = meta->find_field(part);
        if (!f) {
            if (meta->find_many_to_many(part) || find_reverse(*meta, part)) {
                std::vector<std::string> rest(parts.begin() + static_cast<long>(i) + 1, parts.end());
                std::string outer_id = quote(alias) + "." + quote(meta->fields[0].column);
                return related_semijoin(outer_id, *meta, part, rest, node, outer_joined, negated);
            }
            unknown_field(*meta, part, node.lookup);
        }
        bool more = i + 1 < parts.size() && !is_lookup_word(parts[i + 1]);
        if (f->type == FieldType::ForeignKey && more) {
            const std::string& next = parts[i + 1];
            // author__id needs no join: the FK column holds it.
            if (next == "id" || next == "pk") {
                std::vector<std::string> rest(parts.begin() + static_cast<long>(i) + 2, parts.end());
                return lookup_sql(quote(alias) + "." + quote(f->column), *f, *meta, rest, node,
                                  f->nullable || outer_joined, negated);
            }
            outer_joined = outer_joined || f->nullable;
            fk_path.push_back(part);
            alias = join(fk_path);
            meta = &f->related();
            continue;
        }
        if (more)
            throw InvalidQuery(fmt::format("Unsupported lookup '{}' for field '{}.{}' (in '{}')", parts[i + 1],
                                           meta->name, f->name, node.lookup));
        std::vector<std::string> rest(parts.begin() + static_cast<long>(i) + 1, parts.end());
        return lookup_sql(quote(alias) + "." + quote(f->column), *f, *meta, rest, node, f->nullable || outer_joined,
                          negated);
    }
    throw InvalidQuery(fmt::format("Empty lookup on model {}", base_.name));
}

std::string QueryBuilder::related_semijoin(const std::string& outer_id, const ModelMeta& meta,
                                           const std::string& part, const std::vector<std::string>& rest,
                                           const Q::Node& node, bool outer_nullable, bool negated) {
    // The condition on the related model, compiled by a builder of its own
    // into the same parameter list (its text lands where its values go).
    // Returns its FROM (with joins) and its WHERE condition.
    auto related_where = [&](const ModelMeta& target) {
        std::vector<std::string> r = rest;
        if (r.empty() || is_lookup_word(r.front())) r.insert(r.begin(), "id");
        QueryBuilder sub(target, params_);
        Q::Node inner = node;
        inner.lookup = join_path(r);
        std::string cond = sub.leaf(inner, false);
        return std::pair(sub.from_sql(), std::move(cond));
    };
    auto on_target = [&](const ModelMeta& target) {
        auto [from, cond] = related_where(target);
        return fmt::format("SELECT {}.{} FROM {} WHERE {}", quote(target.table), quote(target.fields[0].column), from,
                           cond);
    };
    // The lookup is on the related row's primary key (or the relation
    // itself): the through table's column answers it without the target.
    const bool direct = rest.empty() || is_lookup_word(rest.front()) || rest.front() == "id" || rest.front() == "pk";
    auto after_pk = [&] {
        std::vector<std::string> r = rest;
        if (!r.empty() && (r.front() == "id" || r.front() == "pk")) r.erase(r.begin());
        return r;
    };
    // Django answers "tags__isnull=True" (and "tags__name=None") through a
    // LEFT JOIN: rows with no related row at all match, as do rows with a
    // related row whose value is NULL. A semi-join alone only says "has a
    // related row that...", so such a leaf is "has none, or has one that is".
    const bool wants_missing = asks_for_null(rest, node);
    std::string any;   // outer_id IN (every related key): "has a related row"
    std::string some;  // outer_id IN (related keys matching the leaf)
    if (const ManyToManyMeta* m2m = meta.find_many_to_many(part)) {
        const ModelMeta& target = m2m->target();
        std::string through = quote(m2m->through_table);
        any = fmt::format("{} IN (SELECT {}.{} FROM {})", outer_id, through, quote(m2m->source_column), through);
        if (direct && !wants_missing) {
            std::string cond = lookup_cond(through + "." + quote(m2m->target_column), target.fields[0], target,
                                           after_pk(), node);
            some = fmt::format("{} IN (SELECT {}.{} FROM {} WHERE {})", outer_id, through, quote(m2m->source_column),
                               through, cond);
        } else if (!direct) {
            some = fmt::format("{} IN (SELECT {}.{} FROM {} WHERE {}.{} IN ({}))", outer_id, through,
                               quote(m2m->source_column), through, through, quote(m2m->target_column),
                               on_target(target));
        }
    } else if (const std::optional<ReverseRelation> rev = find_reverse(meta, part); rev && rev->many_to_many) {
        const ManyToManyMeta& m2m = *rev->many_to_many;
        std::string through = quote(m2m.through_table);
        any = fmt::format("{} IN (SELECT {}.{} FROM {})", outer_id, through, quote(m2m.target_column), through);
        if (direct && !wants_missing) {
            std::string cond = lookup_cond(through + "." + quote(m2m.source_column), rev->source->fields[0],
                                           *rev->source, after_pk(), node);
            some = fmt::format("{} IN (SELECT {}.{} FROM {} WHERE {})", outer_id, through, quote(m2m.target_column),
                               through, cond);
        } else if (!direct) {
            some = fmt::format("{} IN (SELECT {}.{} FROM {} WHERE {}.{} IN ({}))", outer_id, through,
                               quote(m2m.target_column), through, through, quote(m2m.source_column),
                               on_target(*rev->source));
        }
    } else {
        // Reverse foreign key: rows of the source model pointing at ours. A
        // nullable key's NULLs are kept out of the IN list, where one NULL
        // would turn every non-match into NULL (and NOT IN into no rows).
        const ModelMeta& source = *rev->source;
        const std::string key = quote(source.table) + "." + quote(rev->foreign_key->column);
        const std::string not_null = rev->foreign_key->nullable ? " AND " + key + " IS NOT NULL" : std::string();
        any = fmt::format("{} IN (SELECT {} FROM {}{})", outer_id, key, quote(source.table),
                          not_null.empty() ? std::string() : " WHERE " + key + " IS NOT NULL");
        if (!(direct && wants_missing)) {
            auto [from, cond] = related_where(source);
            some = fmt::format("{} IN (SELECT {} FROM {} WHERE {}{})", outer_id, key, from, cond, not_null);
        }
    }
    if (!wants_missing) {
        // A missing outer row (through a LEFT JOIN) has no related rows:
        // under NOT it must count as "false", not NULL.
        if (negated && outer_nullable) return "(" + some + " AND " + outer_id + " IS NOT NULL)";
        return some;
    }
    // On the primary key (never NULL) only "has none" is left.
    std::string none = outer_nullable ? "(" + outer_id + " IS NULL OR NOT (" + any + "))" : "NOT (" + any + ")";
    if (some.empty()) return none;
    return "(" + none + " OR " + some + ")";
}

Value QueryBuilder::bind_checked(const FieldMeta& f, const ModelMeta& meta, const Value& v, bool integer_transform) {
    auto bad = [&](const char* expected) -> Value {
        throw InvalidQuery(fmt::format("Field '{}.{}' expected {}, got {} {}", meta.name, f.name, expected,
                                       v.type_name(), v.repr()));
    };
    if (integer_transform) return v.is_integer() ? v : bad("an integer");
    switch (f.type) {
    case FieldType::Integer:
    case FieldType::ForeignKey:
    case FieldType::Boolean:
        if (!v.is_integer()) bad(field_type_name(f.type));
        break;
    case FieldType::Real:
        if (!v.is_integer() && !v.is_real()) bad(field_type_name(f.type));
        break;
    case FieldType::Text:
        if (!v.is_text()) bad(field_type_name(f.type));
        break;
    case FieldType::Date:
        if (!v.is_text() || !io::is_valid_date(v.as_text())) bad(field_type_name(f.type));
        break;
    }
    return v;
}

std::string QueryBuilder::lookup_sql(const std::string& col, const FieldMeta& f, const ModelMeta& meta,
                                     const std::vector<std::string>& rest, const Q::Node& node, bool nullable,
                                     bool negated) {
    std::string cond = lookup_cond(col, f, meta, rest, node);
    const bool null_test = (!rest.empty() && rest.back() == "isnull") || (!node.list && node.values.at(0).is_null());
    if (!negated || !nullable || null_test) return cond;
    // Django's exclude(): a NULL column makes the comparison false, and
    // NOT false keeps the row; SQL's NOT NULL would drop it.
    return "(" + cond + " AND " + col + " IS NOT NULL)";
}

std::string QueryBuilder::year_bounds_sql(const std::string& col, const std::string& lookup, std::int64_t y) {
    // Django's YearLookup: a year is the range of its days, so the stored
    // 'YYYY-MM-DD' text is compared with bounds and an index on the column
    // serves the lookup. No bound is ever year+1 (9999 has none): "> 2012" is
    // "> '2012-12-31'". A Date holds years 0001..9999 only, so a year beyond
    // them is decided without a bound ("1" for any date, "0" for none).
    constexpr std::int64_t kFirst = 1, kLast = 9999;
    auto bound = [&](std::int64_t year, const char* day) {
        params_.push_back(fmt::format("{:04}-{}", year, day));
        return std::string("?");
    };
    const std::string any_date = col + " IS NOT NULL";
    if (lookup == "exact") {
        if (y < kFirst || y > kLast) return "0";
        std::string first = bound(y, "01-01");
        return fmt::format("{} BETWEEN {} AND {}", col, first, bound(y, "12-31"));
    }
    if (lookup == "gt") return y >= kLast ? "0" : y < kFirst ? any_date : col + " > " + bound(y, "12-31");
    if (lookup == "gte") return y > kLast ? "0" : y <= kFirst ? any_date : col + " >= " + bound(y, "01-01");
    if (lookup == "lt") return y <= kFirst ? "0" : y > kLast ? any_date : col + " < " + bound(y, "01-01");
    return y < kFirst ? "0" : y >= kLast ? any_date : col + " <= " + bound(y, "12-31");  // lte
}

std::string QueryBuilder::lookup_cond(const std::string& col, const FieldMeta& f, const ModelMeta& meta,
                                      const std::vector<std::string>& rest, const Q::Node& node) {
    // Text must be UTF-8 whatever the lookup and the size of the list: SQLite
    // would compare the bytes, a JSON list would refuse them.
    for (const Value& v : node.values) {
        if (!v.is_text()) continue;
        const std::size_t bad = io::invalid_utf8_offset(v.as_text());
        if (bad != std::string_view::npos)
            throw ValidationError(fmt::format("{}.{}: a filter value ('{}') is not valid UTF-8 (byte {} of {})",
                                              meta.name, f.name, node.lookup, bad, v.as_text().size()));
    }
    std::string transform, lookup = "exact";
    std::size_t i = 0;
    if (i < rest.size() && is_transform(rest[i])) transform = rest[i++];
    if (i < rest.size() && is_lookup(rest[i])) lookup = rest[i++];
    if (i < rest.size() || (!transform.empty() && f.type != FieldType::Date))
        throw InvalidQuery(fmt::format("Unsupported lookup '{}' for field '{}.{}' (in '{}')",
                                       i < rest.size() ? rest[i] : transform, meta.name, f.name, node.lookup));
    const bool wants_list = lookup == "in" || lookup == "range";
    if (wants_list != node.list)
        throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' takes {}", lookup, meta.name, f.name,
                                       wants_list ? "a list of values" : "a single value"));
    if (lookup == "range" && node.values.size() != 2)
        throw InvalidQuery(fmt::format("Lookup 'range' on '{}.{}' takes exactly 2 values, got {}", meta.name,
                                       f.name, node.values.size()));
    const Value* one = node.list ? nullptr : &node.values.at(0);

    if (lookup == "isnull") {
        if (!one->is_integer()) throw InvalidQuery(fmt::format("Lookup 'isnull' on '{}.{}' takes a boolean", meta.name, f.name));
        return col + (one->as_integer() ? " IS NULL" : " IS NOT NULL");
    }
    if (one && one->is_null()) {
        if (lookup != "exact") throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' cannot take NULL", lookup, meta.name, f.name));
        return col + " IS NULL";
    }

    std::string expr = col;
    bool int_transform = !transform.empty();
    if (transform == "year" && one && (lookup == "exact" || lookup == "gt" || lookup == "gte" || lookup == "lt" ||
                                       lookup == "lte")) {
        return year_bounds_sql(col, lookup, bind_checked(f, meta, *one, true).as_integer());
    }
    if (!transform.empty()) {
        const char* fmtc = transform == "year" ? "%Y" : transform == "month" ? "%m" : "%d";
        expr = fmt::format("CAST(strftime('{}', {}) AS INTEGER)", fmtc, col);
    }

    auto bind = [&](const Value& v) {
        params_.push_back(bind_checked(f, meta, v, int_transform));
        return std::string("?");
    };
    auto text_of = [&](const Value& v) -> const std::string& {
        if (!v.is_text() || int_transform)
            throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' takes text, got {} {}", lookup, meta.name,
                                           f.name, v.type_name(), v.repr()));
        return v.as_text();
    };

    if (lookup == "exact") return expr + " = " + bind(*one);
    if (lookup == "gt") return expr + " > " + bind(*one);
    if (lookup == "gte") return expr + " >= " + bind(*one);
    if (lookup == "lt") return expr + " < " + bind(*one);
    if (lookup == "lte") return expr + " <= " + bind(*one);
    if (lookup == "range") {
        std::string a = bind(node.values[0]);
        std::string b = bind(node.values[1]);
        return fmt::format("{} BETWEEN {} AND {}", expr, a, b);
    }
    if (lookup == "in") {
        if (node.values.empty()) return "0";  // x IN () matches nothing; no SQL error
        for (const auto& v : node.values) bind_checked(f, meta, v, int_transform);
        // Long lists travel as one JSON array: one bound variable however
        // many values, far below SQLite's variable limit.
        if (node.values.size() > 256) {
            params_.push_back(json_array(node.values));
            return expr + " IN (SELECT value FROM json_each(?))";
        }
        std::string out = expr + " IN (";
        for (std::size_t k = 0; k < node.values.size(); ++k) {
            out += k ? ", ?" : "?";
            params_.push_back(node.values[k]);
        }
        return out + ")";
    }
    // Text lookups.
    const std::string& s = text_of(*one);
    if (lookup == "iexact") {
        params_.push_back(like_escape(s));
        return expr + " LIKE ? ESCAPE '\\'";
    }
    if (lookup == "icontains" || lookup == "istartswith" || lookup == "iendswith") {
        std::string pat = like_escape(s);
        if (lookup != "istartswith") pat = "%" + pat;
        if (lookup != "iendswith") pat += "%";
        params_.push_back(pat);
        return expr + " LIKE ? ESCAPE '\\'";
    }
    // Case-sensitive forms: SQLite's LIKE ignores ASCII case, so compare exactly.
    if (lookup == "contains") {
        params_.push_back(s);
        return "instr(" + expr + ", ?) > 0";
    }
    params_.push_back(static_cast<std::int64_t>(io::utf8_length(s)));
    params_.push_back(s);
    if (lookup == "startswith") return "substr(" + expr + ", 1, ?) = ?";
    // endswith: the last n characters. Not substr(x, -n), which for n = 0 is
    // the whole string (endswith "" must match every row, as in Django).
    return "substr(" + expr + ", length(" + expr + ") - ? + 1) = ?";
}

} // namespace folio::detail
