// resolve.cpp: field paths to fields, joins and relations; lookups and their
// values to the resolved conditions of query.hpp (filter() time).
#include "lib/query/resolve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
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
    std::span<const Value> values;
    bool list;
    const std::vector<Value>* stored = nullptr;  // `values` when they are a vector (a Q's), else nullptr
};

// True when a leaf asks for a missing value (isnull=True, or exact NULL),
// judged by its last word: "tags__isnull", "tags__name", "tags__name__exact".
bool asks_for_null(std::span<const std::string> rest, const Operand& in) {
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
// `c` comes as resolve_cond() started it (its storage for values reused).
Cond year_bounds(const backend::Operations& ops, Cond::Op op, std::int64_t y, Cond c) {
    constexpr std::int64_t kFirst = 1, kLast = 9999;
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

std::optional<Cond::Op> comparison(std::string_view lookup) {
    if (lookup == "exact") return Cond::Op::Eq;
    if (lookup == "gt") return Cond::Op::Gt;
    if (lookup == "gte") return Cond::Op::Gte;
    if (lookup == "lt") return Cond::Op::Lt;
    if (lookup == "lte") return Cond::Op::Lte;
    return std::nullopt;
}

// The words after a column, parsed: its transform ("year", or none) and
// lookup ("exact" when none), both names of static storage, and the first
// word no lookup of the field takes (raised by resolve_cond, after the
// value's own checks).
struct LookupWords {
    std::string_view transform;
    std::string_view lookup = "exact";
    std::string unsupported;
};

template <std::size_t N>
std::string_view known(const std::array<const char*, N>& names, const std::string& word) {
    for (const char* n : names)
        if (word == n) return n;
    return {};
}

LookupWords parse_words(const FieldMeta& f, std::span<const std::string> rest) {
    LookupWords w;
    std::size_t i = 0;
    if (i < rest.size()) {
        w.transform = known(kTransforms, rest[i]);
        if (!w.transform.empty()) ++i;
    }
    if (i < rest.size()) {
        const std::string_view l = known(kLookups, rest[i]);
        if (!l.empty()) {
            w.lookup = l;
            ++i;
        }
    }
    if (i < rest.size()) w.unsupported = rest[i];
    else if (!w.transform.empty() && f.type != FieldType::Date) w.unsupported = w.transform;
    return w;
}

// The condition of the lookup `words` ("", "lt", "year__gt", ...) on `f`;
// its values go into `storage` (emptied, its capacity reused).
Cond resolve_cond(const FieldMeta& f, const ModelMeta& meta, const LookupWords& words, const Operand& in,
                  std::vector<Value>&& storage) {
    const backend::Operations& ops = in.ops;
    // Text must be UTF-8 whatever the lookup and the size of the list: SQLite
    // would compare the bytes, a JSON list would refuse them.
    for (const Value& v : in.values) {
        if (!v.is_text()) continue;
        const std::size_t bad = io::invalid_utf8_offset(v.as_text());
        if (bad != std::string_view::npos)
            throw ValidationError(fmt::format("{}.{}: a filter value ('{}') is not valid UTF-8 (byte {} of {})",
                                              meta.name, f.name, in.lookup, bad, v.as_text().size()));
        // No stored text holds U+0000 (validate_field refuses it), PostgreSQL
        // refuses it in a parameter and SQLite's json_each would cut a long
        // list's value there and match its prefix.
        if (const std::size_t nul = v.as_text().find('\0'); nul != std::string_view::npos)
            throw ValidationError(fmt::format("{}.{}: a filter value ('{}') holds a null character (U+0000, byte "
                                              "{} of {})",
                                              meta.name, f.name, in.lookup, nul, v.as_text().size()));
    }
    if (!words.unsupported.empty())
        throw InvalidQuery(fmt::format("Unsupported lookup '{}' for field '{}.{}' (in '{}')", words.unsupported,
                                       meta.name, f.name, in.lookup));
    const std::string_view transform = words.transform, lookup = words.lookup;
    const bool wants_list = lookup == "in" || lookup == "range";
    if (wants_list != in.list)
        throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' takes {}", lookup, meta.name, f.name,
                                       wants_list ? "a list of values" : "a single value"));
    if (lookup == "range" && in.values.size() != 2)
        throw InvalidQuery(fmt::format("Lookup 'range' on '{}.{}' takes exactly 2 values, got {}", meta.name,
                                       f.name, in.values.size()));
    if (!in.list && in.values.size() != 1)
        throw InvalidQuery(fmt::format("Lookup '{}' on '{}.{}' takes a single value", lookup, meta.name, f.name));
    const Value* one = in.list ? nullptr : &in.values.front();

    Cond c;
    c.params = std::move(storage);
    c.params.clear();
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
        return year_bounds(ops, *op, checked(f, meta, *one, true).as_integer(), std::move(c));
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
            c.params.push_back(ops.array_param(in.stored ? *in.stored : std::vector<Value>(in.values.begin(), in.values.end())));
        } else {
            c.form = Cond::Form::InList;
            c.params.assign(in.values.begin(), in.values.end());
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
    c.text_lookup = lookup;
    c.params = ops.text_lookup_params(c.text_lookup, one->as_text());
    return c;
}

// What a lookup path names on a model, whatever the value: the foreign keys
// walked to the model holding the column or many-valued relation it ends
// on, and the words after that (the lookup, or the path on the related
// model). Metadata never changes once declared, so a walk that succeeded
// once is memoised (walk()); one that failed is not, and raises again.
struct PathWalk {
    std::vector<std::string> fk_path;
    bool outer = false;                 // fk_path goes through a nullable FK
    const ModelMeta* meta = nullptr;    // the model holding the column or relation
    const FieldMeta* field = nullptr;   // the column; nullptr when `relation` is set
    std::string relation;               // the many-valued relation named
    std::vector<std::string> rest;      // the words after the column or relation
    LookupWords words;                  // `rest` parsed, for a column
    std::string shape;                  // the path in a where-tree's shape: "L<size>:<path>#"
};

const PathWalk& walk(const ModelMeta& base, const std::string& lookup, PathWalk& unkept);
std::shared_ptr<const WhereLeaf> resolve_leaf(const PathWalk& path, const Operand& in);

// A leaf whose path reaches the many-valued relation `part` of leaf->meta;
// `rest` is what follows it.
void resolve_related(WhereLeaf& leaf, const std::string& part, std::span<const std::string> rest,
                     const Operand& in) {
    const ModelMeta& meta = *leaf.meta;
    // The condition on the related model, resolved against it as a leaf of
    // its own: "tags__name" is "name" on Tag, "tags" alone is "id" on Tag.
    auto on_related = [&](const ModelMeta& target) {
        std::vector<std::string> r(rest.begin(), rest.end());
        if (r.empty() || is_lookup_word(r.front())) r.insert(r.begin(), "id");
        const std::string lookup = join_path(r);
        PathWalk unkept;
        return resolve_leaf(walk(target, lookup, unkept), Operand{in.ops, lookup, in.values, in.list, in.stored});
    };
    // The lookup is on the related row's primary key (or the relation
    // itself): the through table's column answers it without the target.
    const bool direct = rest.empty() || is_lookup_word(rest.front()) || rest.front() == "id" || rest.front() == "pk";
    auto after_pk = [&] {
        return !rest.empty() && (rest.front() == "id" || rest.front() == "pk") ? rest.subspan(1) : rest;
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
        leaf.cond = resolve_cond(leaf.related->fields[0], *leaf.related, parse_words(leaf.related->fields[0], after_pk()), in,
                                 std::move(leaf.cond.params));
    } else if (!direct) {
        leaf.inner = on_related(*leaf.related);
    }
}

PathWalk walk_path(const ModelMeta& base, const std::string& lookup) {
    std::vector<std::string> parts = split_path(lookup);
    PathWalk w;
    w.meta = &base;
    auto ends = [&](std::size_t at) {
        w.rest.assign(std::make_move_iterator(parts.begin() + static_cast<long>(at)), std::make_move_iterator(parts.end()));
        return w;
    };
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const FieldMeta* f = w.meta->find_field(part);
        if (!f) {
            if (w.meta->find_many_to_many(part) || find_reverse(*w.meta, part)) {
                w.relation = part;
                return ends(i + 1);
            }
            throw_unknown_field(*w.meta, part, lookup);
        }
        const bool more = i + 1 < parts.size() && !is_lookup_word(parts[i + 1]);
        if (f->type == FieldType::ForeignKey && more) {
            // author__id needs no join: the FK column holds it.
            if (parts[i + 1] == "id" || parts[i + 1] == "pk") {
                w.field = f;
                return ends(i + 2);
            }
            w.outer = w.outer || f->nullable;
            w.fk_path.push_back(part);
            w.meta = &f->related();
            continue;
        }
        if (more)
            throw InvalidQuery(fmt::format("Unsupported lookup '{}' for field '{}.{}' (in '{}')", parts[i + 1],
                                           w.meta->name, f->name, lookup));
        w.field = f;
        return ends(i + 1);
    }
    throw InvalidQuery(fmt::format("Empty lookup on model {}", base.name));
}

// The walk of `lookup` on `base`, memoised per thread (as the compiled-query
// cache, no lock: each thread resolves its own filters). Entries are never
// removed, so the reference stays valid for the thread's life, also while a
// nested walk adds entries; past kMemoisedPaths the walk is made into the
// caller's `unkept` instead, so a program naming endless distinct paths
// stays bounded.
constexpr std::size_t kMemoisedPaths = 1024;

struct WalkKeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};

const PathWalk& walk(const ModelMeta& base, const std::string& lookup, PathWalk& unkept) {
    thread_local std::unordered_map<std::string, PathWalk, WalkKeyHash, std::equal_to<>> memo;
    thread_local std::string key;  // reused: a hit allocates nothing
    // The walk found last, checked first: a loop of get() names one path.
    thread_local const PathWalk* last = nullptr;
    thread_local const ModelMeta* last_model = nullptr;
    thread_local std::string last_lookup;
    const ModelMeta* model = &base;
    if (last && model == last_model && lookup == last_lookup) return *last;
    auto remember = [&](const PathWalk& found) -> const PathWalk& {
        last = &found;  // a node of `memo`: never moves, never removed
        last_model = model;
        last_lookup = lookup;
        return found;
    };
    key.assign(reinterpret_cast<const char*>(&model), sizeof model);
    key.append(lookup);
    if (auto it = memo.find(std::string_view(key)); it != memo.end()) return remember(it->second);
    PathWalk w = walk_path(base, lookup);  // throws for a bad path: nothing kept
    if (w.field) w.words = parse_words(*w.field, w.rest);
    w.shape.reserve(lookup.size() + 8);
    w.shape += 'L';
    w.shape += std::to_string(lookup.size());
    w.shape += ':';
    w.shape += lookup;
    w.shape += '#';
    if (memo.size() >= kMemoisedPaths) {
        unkept = std::move(w);
        return unkept;
    }
    return remember(memo.emplace(key, std::move(w)).first->second);
}

// A leaf to fill, as new. Each thread keeps the last leaf it made: once
// nothing else holds it (the get() or QuerySet that used it is gone), the
// next resolution reuses it and the storage of its values, so a loop of
// get() allocates neither. A leaf something still holds is never touched.
std::shared_ptr<WhereLeaf> blank_leaf() {
    thread_local std::shared_ptr<WhereLeaf> spare;
    if (spare && spare.use_count() == 1) {
        // The last other owner may have been another thread (a copied
        // QuerySet): its reads of the leaf happen before these writes.
        std::atomic_thread_fence(std::memory_order_acquire);
        std::vector<Value> storage = std::move(spare->cond.params);
        *spare = WhereLeaf{};
        constexpr std::size_t kKeptValues = 4;  // a long IN list's storage is not kept
        if (storage.capacity() <= kKeptValues) {
            storage.clear();
            spare->cond.params = std::move(storage);
        }
        return spare;
    }
    spare = std::make_shared<WhereLeaf>();
    return spare;
}

std::shared_ptr<const WhereLeaf> resolve_leaf(const PathWalk& path, const Operand& in) {
    std::shared_ptr<WhereLeaf> leaf = blank_leaf();
    leaf->meta = path.meta;
    leaf->fk_path = path.fk_path;
    leaf->outer = path.outer;
    if (!path.field) {
        resolve_related(*leaf, path.relation, path.rest, in);
        return leaf;
    }
    leaf->field = path.field;
    leaf->nullable = path.field->nullable || path.outer;
    leaf->cond = resolve_cond(*path.field, *path.meta, path.words, in, std::move(leaf->cond.params));
    return leaf;
}

// What the SQL text of a leaf depends on besides its path: the forms chosen
// for its values, never the values themselves.
void leaf_shape(const WhereLeaf& leaf, std::string& out) {
    // Written into a buffer and appended once: this runs on every filter().
    // Two bytes of bit fields, so that the shape of one leaf on a short path
    // ("L8:username#", these two, "1") fits the string's own buffer and a
    // get() allocates nothing for it. Fixed width: what follows cannot be
    // taken for them.
    static_assert(static_cast<int>(WhereLeaf::Kind::ReverseForeignKey) < 4);
    static_assert(static_cast<int>(Cond::Form::Text) < 8 && static_cast<int>(Cond::Op::Lte) < 8 &&
                  static_cast<int>(Cond::Transform::Day) < 4);
    char buf[2 + 24];
    char* p = buf;
    *p++ = static_cast<char>(static_cast<int>(leaf.kind) | (leaf.wants_missing ? 4 : 0) | (leaf.through ? 8 : 0) |
                             (leaf.cond.null_test ? 16 : 0));
    *p++ = static_cast<char>(static_cast<int>(leaf.cond.form) | static_cast<int>(leaf.cond.op) << 3 |
                             static_cast<int>(leaf.cond.transform) << 6);
    out.append(buf, static_cast<std::size_t>(p - buf));
    if (leaf.cond.form == Cond::Form::Text) out += leaf.cond.text_lookup;  // each text lookup its own spelling
    p = std::to_chars(buf, buf + sizeof buf, leaf.cond.params.size()).ptr;
    out.append(buf, static_cast<std::size_t>(p - buf));
    if (leaf.inner) {
        out += '(';
        leaf_shape(*leaf.inner, out);
        out += ')';
    }
}

// A where-tree of one leaf.
Where leaf_where(const ModelMeta& model, const Operand& in) {
    Where w;
    w.kind = Q::Kind::Leaf;
    PathWalk unkept;
    const PathWalk& path = walk(model, in.lookup, unkept);
    w.leaf = resolve_leaf(path, in);
    // The path (length-prefixed, so no name can pass for punctuation), then
    // the forms of the leaf's values. Not reserved: a short path's shape
    // ("L8:username#" and 3 more bytes) fits the string itself, no allocation.
    w.shape = path.shape;
    leaf_shape(*w.leaf, w.shape);
    return w;
}

Where resolve_node(const backend::Operations& ops, const ModelMeta& model, const Q& q) {
    const Q::Node& n = q.node();
    Where w;
    w.kind = n.kind;
    switch (n.kind) {
    case Q::Kind::All: break;
    case Q::Kind::Leaf: return leaf_where(model, Operand{ops, n.lookup, n.values, n.list, &n.values});
    case Q::Kind::Not:
    case Q::Kind::And:
    case Q::Kind::Or:
        // Two push_backs, not an assignment of one of three literals: GCC 12
        // at -O3 reports a false -Wmaybe-uninitialized for the latter.
        w.shape.push_back(n.kind == Q::Kind::Not ? '!' : n.kind == Q::Kind::And ? '&' : '|');
        w.shape.push_back('(');
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

Where resolve_where(const backend::Operations& ops, const ModelMeta& model, const std::string& lookup,
                    const Value& value) {
    return leaf_where(model, Operand{ops, lookup, std::span<const Value>(&value, 1), false});
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
