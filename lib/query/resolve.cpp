// resolve.cpp: field paths to fields, joins and relations; lookups and their
// values to the resolved conditions of query.hpp (filter() time).
#include "lib/query/resolve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "folio/errors.hpp"
#include "folio/io/validate.hpp"

namespace folio::detail {

namespace {

using Cond = ColumnCond;

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

std::vector<std::string> tail(const std::vector<std::string>& parts, std::size_t from) {
    return {parts.begin() + static_cast<long>(from), parts.end()};
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

// A lookup's operand as filter() received it.
struct Operand {
    const backend::Operations& ops;  // the dialect the values are converted for
    const std::string& lookup;       // the whole path, for messages
    const std::vector<Value>& values;
    bool list;
};

// True when a leaf asks for a missing value (isnull=True, or exact NULL),
// judged by its last word: "tags__isnull", "tags__name", "tags__name__exact".
bool asks_for_null(const std::vector<std::string>& rest, const Operand& in) {
    if (in.list || in.values.empty()) return false;
    const Value& v = in.values.front();
    const std::string& last = rest.empty() ? std::string("exact") : rest.back();
    if (last == "isnull") return v.is_integer() && v.as_integer() != 0;
    return (last == "exact" || !is_lookup(last)) && v.is_null();
}

const Value& checked(const FieldMeta& f, const ModelMeta& meta, const Value& v, bool integer_transform) {
    auto bad = [&](const char* expected) {
        throw InvalidQuery(fmt::format("Field '{}.{}' expected {}, got {} {}", meta.name, f.name, expected,
                                       v.type_name(), v.repr()));
    };
    if (integer_transform) {
        if (!v.is_integer()) bad("an integer");
        return v;
    }
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

// Django's YearLookup: a year is the range of its days, so the stored date
// is compared with bounds (the dialect's date values) and an index on the
// column serves the lookup. No bound is ever year+1 (9999 has none): "> 2012"
// is "> 2012-12-31". A Date holds years 0001..9999 only, so a year beyond
// them is decided without a bound (every date, or none).
Cond year_bounds(const backend::Operations& ops, Cond::Op op, std::int64_t y) {
    constexpr std::int64_t kFirst = 1, kLast = 9999;
    Cond c;
    // Only called with kFirst <= year <= kLast: the cast cannot narrow.
    auto day = [&](std::int64_t year, int month, int d) { return ops.date_value(static_cast<int>(year), month, d); };
    auto bound = [&](Cond::Op o, Value v) {
        c.form = Cond::Form::Compare;
        c.op = o;
        c.params.push_back(std::move(v));
        return c;
    };
    auto fixed = [&](Cond::Form form) {
        c.form = form;
        return c;
    };
    switch (op) {
    case Cond::Op::Eq:
        if (y < kFirst || y > kLast) return fixed(Cond::Form::Never);
        c.form = Cond::Form::Between;
        c.params.push_back(day(y, 1, 1));
        c.params.push_back(day(y, 12, 31));
        return c;
    case Cond::Op::Gt:
        return y >= kLast ? fixed(Cond::Form::Never) : y < kFirst ? fixed(Cond::Form::IsNotNull) : bound(op, day(y, 12, 31));
    case Cond::Op::Gte:
        return y > kLast ? fixed(Cond::Form::Never) : y <= kFirst ? fixed(Cond::Form::IsNotNull) : bound(op, day(y, 1, 1));
    case Cond::Op::Lt:
        return y <= kFirst ? fixed(Cond::Form::Never) : y > kLast ? fixed(Cond::Form::IsNotNull) : bound(op, day(y, 1, 1));
    case Cond::Op::Lte:
        return y < kFirst ? fixed(Cond::Form::Never) : y >= kLast ? fixed(Cond::Form::IsNotNull) : bound(op, day(y, 12, 31));
    }
    return c;
}

std::optional<Cond::Op> comparison(const std::string& lookup) {
    if (lookup == "exact") return Cond::Op::Eq;
    if (lookup == "gt") return Cond::Op::Gt;
    if (lookup == "gte") return Cond::Op::Gte;
    if (lookup == "lt") return Cond::Op::Lt;
    if (lookup == "lte") return Cond::Op::Lte;
    return std::nullopt;
}

// The condition of lookup `rest` ("", "lt", "year__gt", ...) on `f`.
Cond resolve_cond(const FieldMeta& f, const ModelMeta& meta, const std::vector<std::string>& rest, const Operand& in) {
    const backend::Operations& ops = in.ops;
    // Text must be UTF-8 whatever the lookup and the size of the list: SQLite
    // would compare the bytes, a JSON list would refuse them.
    for (const Value& v : in.values) {
        if (!v.is_text()) continue;
        const std::size_t bad = io::invalid_utf8_offset(v.as_text());
        if (bad != std::string_view::npos)
            throw ValidationError(fmt::format("{}.{}: a filter value ('{}') is not valid UTF-8 (byte {} of {})",
                                              meta.name, f.name, in.lookup, bad, v.as_text().size()));
    }
    std::string transform, lookup = "exact";
    std::size_t i = 0;
    if (i < rest.size() && is_transform(rest[i])) transform = rest[i++];
    if (i < rest.size() && is_lookup(rest[i])) lookup = rest[i++];
    if (i < rest.size() || (!transform.empty() && f.type != FieldType::Date))
        throw InvalidQuery(fmt::format("Unsupported lookup '{}' for field '{}.{}' (in '{}')",
                                       i < rest.size() ? rest[i] : transform, meta.name, f.name, in.lookup));
    const bool wants_list = lookup == "in" || lookup == "range";
    if (wants_list != in.list)
        throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' takes {}", lookup, meta.name, f.name,
                                       wants_list ? "a list of values" : "a single value"));
    if (lookup == "range" && in.values.size() != 2)
        throw InvalidQuery(fmt::format("Lookup 'range' on '{}.{}' takes exactly 2 values, got {}", meta.name,
                                       f.name, in.values.size()));
    const Value* one = in.list ? nullptr : &in.values.at(0);

    Cond c;
    c.null_test = lookup == "isnull" || (one && one->is_null());
    if (lookup == "isnull") {
        if (!one->is_integer())
            throw InvalidQuery(fmt::format("Lookup 'isnull' on '{}.{}' takes a boolean", meta.name, f.name));
        c.form = one->as_integer() ? Cond::Form::IsNull : Cond::Form::IsNotNull;
        return c;
    }
    if (one && one->is_null()) {
        if (lookup != "exact")
            throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' cannot take NULL", lookup, meta.name, f.name));
        c.form = Cond::Form::IsNull;
        return c;
    }
    const bool int_transform = !transform.empty();
    const std::optional<Cond::Op> op = comparison(lookup);
    if (transform == "year" && one && op) {
        return year_bounds(ops, *op, checked(f, meta, *one, true).as_integer());
    }
    c.transform = transform == "year"    ? Cond::Transform::Year
                  : transform == "month" ? Cond::Transform::Month
                  : transform == "day"   ? Cond::Transform::Day
                                         : Cond::Transform::None;
    if (op) {
        c.form = Cond::Form::Compare;
        c.op = *op;
        c.params.push_back(checked(f, meta, *one, int_transform));
        return c;
    }
    if (lookup == "range") {
        c.form = Cond::Form::Between;
        for (const Value& v : in.values) c.params.push_back(checked(f, meta, v, int_transform));
        return c;
    }
    if (lookup == "in") {
        if (in.values.empty()) {
            c.form = Cond::Form::Never;  // x IN () matches nothing; no SQL error
            return c;
        }
        for (const auto& v : in.values) checked(f, meta, v, int_transform);
        // Long lists travel as one array parameter (one bound value however
        // many, far below the bound-parameter limit).
        if (in.values.size() > ops.features().max_inline_in_list) {
            c.form = Cond::Form::InArray;
            c.params.push_back(ops.array_param(in.values));
        } else {
            c.form = Cond::Form::InList;
            c.params = in.values;
        }
        return c;
    }
    // Text lookups.
    if (!one->is_text() || int_transform)
        throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' takes text, got {} {}", lookup, meta.name, f.name,
                                       one->type_name(), one->repr()));
    // The dialect's spelling of the lookup binds these (LIKE patterns
    // escaped, lengths counted in characters).
    c.form = Cond::Form::Text;
    c.text_lookup = *std::find_if(kLookups.begin(), kLookups.end(), [&](const char* l) { return lookup == l; });
    c.params = ops.text_lookup_params(c.text_lookup, one->as_text());
    return c;
}

std::shared_ptr<const WhereLeaf> resolve_leaf(const ModelMeta& base, const Operand& in);

// A leaf whose path reaches the many-valued relation `part` of leaf->meta;
// `rest` is what follows it.
void resolve_related(WhereLeaf& leaf, const std::string& part, const std::vector<std::string>& rest,
                     const Operand& in) {
    const ModelMeta& meta = *leaf.meta;
    // The condition on the related model, resolved against it as a leaf of
    // its own: "tags__name" is "name" on Tag, "tags" alone is "id" on Tag.
    auto on_related = [&](const ModelMeta& target) {
        std::vector<std::string> r = rest;
        if (r.empty() || is_lookup_word(r.front())) r.insert(r.begin(), "id");
        const std::string lookup = join_path(r);
        return resolve_leaf(target, Operand{in.ops, lookup, in.values, in.list});
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
    // related row whose value is NULL. The renderer says "has none, or has
    // one that is"; "has none" alone when the lookup is on the key.
    leaf.wants_missing = asks_for_null(rest, in);
    if (const ManyToManyMeta* m2m = meta.find_many_to_many(part)) {
        leaf.kind = WhereLeaf::Kind::ManyToMany;
        leaf.m2m = m2m;
        leaf.related = &m2m->target();
    } else {
        const std::optional<ReverseRelation> rev = find_reverse(meta, part);
        leaf.related = rev->source;
        leaf.m2m = rev->many_to_many;
        leaf.foreign_key = rev->foreign_key;
        leaf.kind = rev->many_to_many ? WhereLeaf::Kind::ReverseManyToMany : WhereLeaf::Kind::ReverseForeignKey;
    }
    if (leaf.kind == WhereLeaf::Kind::ReverseForeignKey) {
        if (!(direct && leaf.wants_missing)) leaf.inner = on_related(*leaf.related);
        return;
    }
    if (direct && !leaf.wants_missing) {
        leaf.through = true;
        leaf.cond = resolve_cond(leaf.related->fields[0], *leaf.related, after_pk(), in);
    } else if (!direct) {
        leaf.inner = on_related(*leaf.related);
    }
}

std::shared_ptr<const WhereLeaf> resolve_leaf(const ModelMeta& base, const Operand& in) {
    const std::vector<std::string> parts = split_path(in.lookup);
    auto leaf = std::make_shared<WhereLeaf>();
    leaf->meta = &base;
    auto on_column = [&](const FieldMeta& f, std::size_t rest_from) {
        leaf->field = &f;
        leaf->nullable = f.nullable || leaf->outer;
        leaf->cond = resolve_cond(f, *leaf->meta, tail(parts, rest_from), in);
        return leaf;
    };
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const FieldMeta* f = leaf->meta->find_field(part);
        if (!f) {
            if (leaf->meta->find_many_to_many(part) || find_reverse(*leaf->meta, part)) {
                resolve_related(*leaf, part, tail(parts, i + 1), in);
                return leaf;
            }
            throw_unknown_field(*leaf->meta, part, in.lookup);
        }
        const bool more = i + 1 < parts.size() && !is_lookup_word(parts[i + 1]);
        if (f->type == FieldType::ForeignKey && more) {
            // author__id needs no join: the FK column holds it.
            if (parts[i + 1] == "id" || parts[i + 1] == "pk") return on_column(*f, i + 2);
            leaf->outer = leaf->outer || f->nullable;
            leaf->fk_path.push_back(part);
            leaf->meta = &f->related();
            continue;
        }
        if (more)
            throw InvalidQuery(fmt::format("Unsupported lookup '{}' for field '{}.{}' (in '{}')", parts[i + 1],
                                           leaf->meta->name, f->name, in.lookup));
        return on_column(*f, i + 1);
    }
    throw InvalidQuery(fmt::format("Empty lookup on model {}", base.name));
}

// What the SQL text of a leaf depends on besides its path: the forms chosen
// for its values, never the values themselves.
void leaf_shape(const WhereLeaf& leaf, std::string& out) {
    out += static_cast<char>('a' + static_cast<int>(leaf.kind));
    out += leaf.wants_missing ? 'm' : '-';
    out += leaf.through ? 't' : '-';
    out += static_cast<char>('A' + static_cast<int>(leaf.cond.form));
    out += static_cast<char>('0' + static_cast<int>(leaf.cond.op));
    out += static_cast<char>('0' + static_cast<int>(leaf.cond.transform));
    out += leaf.cond.null_test ? 'n' : '-';
    if (leaf.cond.form == Cond::Form::Text) out += leaf.cond.text_lookup;  // each text lookup its own spelling
    out += std::to_string(leaf.cond.params.size());
    if (leaf.inner) {
        out += '(';
        leaf_shape(*leaf.inner, out);
        out += ')';
    }
}

Where resolve_node(const backend::Operations& ops, const ModelMeta& model, const Q& q) {
    const Q::Node& n = q.node();
    Where w;
    w.kind = n.kind;
    switch (n.kind) {
    case Q::Kind::All: break;
    case Q::Kind::Leaf:
        w.leaf = resolve_leaf(model, Operand{ops, n.lookup, n.values, n.list});
        // The path, length-prefixed so no name can pass for punctuation.
        w.shape.reserve(n.lookup.size() + 24);
        w.shape += 'L';
        w.shape += std::to_string(n.lookup.size());
        w.shape += ':';
        w.shape += n.lookup;
        w.shape += '#';
        leaf_shape(*w.leaf, w.shape);
        break;
    case Q::Kind::Not:
    case Q::Kind::And:
    case Q::Kind::Or:
        w.shape = n.kind == Q::Kind::Not ? "!(" : n.kind == Q::Kind::And ? "&(" : "|(";
        for (const Q& c : n.children) {
            w.children.push_back(resolve_node(ops, model, c));
            w.shape += w.children.back().shape;
            w.shape += ',';
        }
        w.shape += ')';
        break;
    }
    return w;
}

} // namespace

bool is_lookup_word(const std::string& word) { return is_lookup(word) || is_transform(word); }

void throw_unknown_field(const ModelMeta& meta, const std::string& part, const std::string& path) {
    throw InvalidQuery(fmt::format("Cannot resolve keyword '{}' into field of model {} (in '{}'). Choices are: {}",
                                   part, meta.name, path, meta.choices()));
}

Where resolve_where(const backend::Operations& ops, const ModelMeta& model, const Q& q) {
    return resolve_node(ops, model, q);
}

void WhereLeaf::collect(std::vector<const Value*>& out) const {
    if (kind == Kind::Column || through) {
        for (const Value& v : cond.params) out.push_back(&v);
    } else if (inner) {
        inner->collect(out);
    }
}

void Where::collect(std::vector<const Value*>& out) const {
    if (leaf) leaf->collect(out);
    for (const Where& c : children) c.collect(out);
}

Where where_and(const Where& a, const Where& b) {
    if (a.matches_all()) return b;
    if (b.matches_all()) return a;
    Where out;
    out.kind = Q::Kind::And;
    out.shape = "&(";
    for (const Where* side : {&a, &b}) {
        if (side->kind == Q::Kind::And) {
            for (const Where& c : side->children) out.children.push_back(c);
        } else {
            out.children.push_back(*side);
        }
    }
    for (const Where& c : out.children) {
        out.shape += c.shape;
        out.shape += ',';
    }
    out.shape += ')';
    return out;
}

} // namespace folio::detail
