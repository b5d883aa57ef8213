// queryset.cpp: the model-independent half of QuerySet: chaining (each call
// copies the Query), evaluation through the compiler and the loaders, and
// the write operations: update, delete, bulk insert, get-or-create by a
// unique field.
#include "folio/queryset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <limits>
#include <unordered_map>
#include <variant>

#include "folio/database.hpp"
#include "folio/explain.hpp"
#include "folio/transaction.hpp"
#include "lib/bulk_insert.hpp"
#include "lib/doctor_state.hpp"
#include "lib/object_access.hpp"
#include "lib/query/compiled_cache.hpp"
#include "lib/query/compiler.hpp"
#include "lib/query/loader.hpp"
#include "lib/query/query.hpp"
#include "lib/query/resolve.hpp"
#include "lib/query/where.hpp"

namespace folio {

using detail::ObjectAccess;
using detail::Query;

namespace {
// Every new QuerySet starts from its model's empty Query. Queries are
// immutable once shared (each chained call copies), so that one is shared
// too: one per model and thread, made on first use, instead of one
// allocated for every `blog.authors()`. Per thread, as the compiled-query
// cache, so no lock is taken; a QuerySet moved to another thread keeps its
// Query alive by its own reference.
std::shared_ptr<const Query> make_query(const ModelMeta& meta) {
    thread_local std::unordered_map<const ModelMeta*, std::shared_ptr<const Query>> empty;
    std::shared_ptr<const Query>& q = empty[&meta];
    if (!q) {
        auto fresh = std::make_shared<Query>();
        fresh->model = &meta;
        q = std::move(fresh);
    }
    return q;
}
} // namespace

QuerySetBase::QuerySetBase(Database& db, const ModelMeta& meta)
    : db_(&db), meta_(&meta), query_(make_query(meta)) {}

namespace {

// Walks `path` over the model's relations and checks each step names a real
// field or relation; only()/defer() paths may end on a plain field.
void check_path(const ModelMeta& root, const std::string& path, const char* what, bool relations_only) {
    const ModelMeta* meta = &root;
    auto parts = detail::split_path(path);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        const FieldMeta* f = meta->find_field(p);
        bool last = i + 1 == parts.size();
        if (f && f->type == FieldType::ForeignKey) {
            meta = &f->related();
            continue;
        }
        if (f && !relations_only && last) return;
        if (const ManyToManyMeta* m = meta->find_many_to_many(p)) {
            meta = &m->target();
            continue;
        }
        if (const std::optional<ReverseRelation> r = find_reverse(*meta, p)) {
            meta = r->source;
            continue;
        }
        throw InvalidQuery(fmt::format("Invalid field name '{}' in {}('{}') on model {}. Choices are: {}", p, what,
                                       path, meta->name, meta->choices()));
    }
}

} // namespace

namespace {
// ANDs a resolved filter into the query's where-tree.
void add_filter(Query& q, detail::Where&& resolved) {
    if (resolved.matches_all()) return;
    if (q.where.matches_all()) q.where = std::move(resolved);  // no temporary tree
    else q.where = detail::where_and(q.where, resolved);
}
// Django refuses to filter a sliced QuerySet (filter(), exclude(), get()).
void refuse_filter_on_slice(const Query& q) {
    if (q.sliced) throw InvalidQuery("Cannot filter a query once a slice has been taken");
}
} // namespace

#define FOLIO_CHANGE(body)                                  \
    QuerySetBase out(*this);                                \
    auto q = std::make_shared<Query>(*query_);              \
    body;                                                   \
    out.query_ = std::move(q);                              \
    return out

QuerySetBase QuerySetBase::with_filter(const Q& cond, bool negate) const {
    refuse_filter_on_slice(*query_);
    // Resolved once, now: a bad field fails here, and evaluation renders the
    // tree (or finds its SQL in the compiled-query cache) without resolving.
    detail::Where resolved = detail::resolve_where(db_->operations(), *meta_, negate ? !cond : cond);
    FOLIO_CHANGE(add_filter(*q, std::move(resolved)));
}

QuerySetBase QuerySetBase::for_get(const Q& cond) const {
    if (cond.matches_all() && query_->sliced) return *this;
    refuse_filter_on_slice(*query_);
    return cut_for_get(cond.matches_all() ? detail::Where{} : detail::resolve_where(db_->operations(), *meta_, cond));
}

QuerySetBase QuerySetBase::for_get(const std::string& lookup, const Value& value) const {
    refuse_filter_on_slice(*query_);
    return cut_for_get(detail::resolve_where(db_->operations(), *meta_, lookup, value));
}

namespace {
// get()'s Query starts as this QuerySet's; for a plain `blog.authors()`
// that is the model's empty Query, and a fresh one copies nothing.
bool is_plain(const Query& q) noexcept {
    return q.where.matches_all() && q.order_by.empty() && !q.sliced && !q.reversed && q.select_related.empty() &&
           q.prefetch.empty() && q.deferred.empty() && q.only.empty() && !q.has_only;
}
Query start_from(const Query& base) {
    if (!is_plain(base)) return base;
    Query q;
    q.model = base.model;
    return q;
}
// get()'s cut: at most two rows tell "one" from "several", as Django's get() does.
void cut_to_two_rows(Query& q, detail::Where&& resolved) {
    add_filter(q, std::move(resolved));
    q.offset = 0;
    q.limit = 2;
    q.sliced = true;
}
} // namespace

QuerySetBase QuerySetBase::cut_for_get(detail::Where&& resolved) const {
    QuerySetBase out(*this);
    auto q = std::make_shared<Query>(start_from(*query_));
    cut_to_two_rows(*q, std::move(resolved));
    out.query_ = std::move(q);
    return out;
}

void QuerySetBase::get_into(const Q& cond, Object& out) const {
    if (cond.matches_all() && query_->sliced) return load_one(*query_, out);
    refuse_filter_on_slice(*query_);
    Query q = start_from(*query_);  // on the stack: it lives only for this call
    cut_to_two_rows(q, cond.matches_all() ? detail::Where{} : detail::resolve_where(db_->operations(), *meta_, cond));
    load_one(q, out);
}

void QuerySetBase::get_into(const std::string& lookup, const Value& value, Object& out) const {
    refuse_filter_on_slice(*query_);
    Query q = start_from(*query_);
    cut_to_two_rows(q, detail::resolve_where(db_->operations(), *meta_, lookup, value));
    load_one(q, out);
}

namespace {
// True when `q` filters on nothing but its model's primary key by equality:
// the database holds one such row at most, so the second step of get(),
// which tells "one" from "several", could only find the end.
bool at_most_one_row(const Query& q) noexcept {
    if (q.where.kind != Q::Kind::Leaf || !q.where.leaf) return false;
    const detail::WhereLeaf& l = *q.where.leaf;
    using Cond = detail::ColumnCond;
    return l.kind == detail::WhereLeaf::Kind::Column && l.fk_path.empty() && l.meta == q.model && l.field &&
           l.field->primary_key && l.cond.form == Cond::Form::Compare && l.cond.op == Cond::Op::Eq &&
           l.cond.transform == Cond::Transform::None;
}
} // namespace

void QuerySetBase::load_one(const Query& q, Object& out) const {
    // fetch() with one slot, no doctor and no prefetch (get() sends those
    // through results()); a second row is stepped to, never loaded, unless
    // the filter allows one row only.
    const backend::Operations& ops = db_->operations();
    const auto compiled = detail::compiled(ops, q, detail::Evaluation::Select);
    const detail::CompiledSelect& cs = *compiled;
    Statement st = detail::prepare_query(*db_, ops, cs, q);
    if (!st.step()) throw DoesNotExist(meta_->name + " matching query does not exist: " + cs.sql);
    detail::load_row(*db_, st, cs, out);
    ObjectAccess::origin(out) = 0;
    if (!at_most_one_row(q) && st.step())
        throw MultipleObjectsReturned("get() returned more than one " + meta_->name + ": " + cs.sql);
}

QuerySetBase QuerySetBase::with_order(std::vector<std::string> keys) const {
    if (query_->sliced) throw InvalidQuery("Cannot reorder a query once a slice has been taken");
    for (const auto& k : keys) {
        if (k == "?") continue;
        detail::QueryBuilder(db_->operations(), *meta_).column(k.empty() || k[0] != '-' ? k : k.substr(1), "order_by");
    }
    FOLIO_CHANGE(q->order_by = std::move(keys));
}

QuerySetBase QuerySetBase::with_slice(std::int64_t start, std::optional<std::int64_t> stop) const {
    if (start < 0 || (stop && *stop < 0)) throw InvalidQuery("Negative indexing is not supported");
    FOLIO_CHANGE({
        // Slicing a sliced QuerySet narrows the window, as Python does.
        std::int64_t base_off = q->offset;
        std::optional<std::int64_t> base_lim = q->limit;
        // Saturated: an offset past INT64_MAX selects no row either way.
        std::int64_t new_off = base_off > std::numeric_limits<std::int64_t>::max() - start
                                   ? std::numeric_limits<std::int64_t>::max()
                                   : base_off + start;
        std::optional<std::int64_t> new_lim;
        if (stop) new_lim = std::max<std::int64_t>(0, *stop - start);
        if (base_lim) {
            std::int64_t avail = std::max<std::int64_t>(0, *base_lim - start);
            new_lim = new_lim ? std::min(*new_lim, avail) : avail;
        }
        q->offset = new_off;
        q->limit = new_lim;
        q->sliced = true;
    });
}

QuerySetBase QuerySetBase::with_select_related(std::vector<std::string> paths) const {
    for (const auto& p : paths) {
        const ModelMeta* m = meta_;
        for (const auto& part : detail::split_path(p)) {
            const FieldMeta* f = m->find_field(part);
            if (!f || f->type != FieldType::ForeignKey)
                throw InvalidQuery(fmt::format("Invalid field name '{}' in select_related('{}') on model {}: "
                                               "select_related follows foreign keys only; use prefetch_related "
                                               "for many-valued relations",
                                               part, p, m->name));
            m = &f->related();
        }
    }
    FOLIO_CHANGE(for (auto& p : paths) q->select_related.push_back(std::move(p)));
}

QuerySetBase QuerySetBase::with_prefetch(std::vector<std::string> paths) const {
    for (const auto& p : paths) check_path(*meta_, p, "prefetch_related", true);
    FOLIO_CHANGE(for (auto& p : paths) q->prefetch.push_back(std::move(p)));
}

QuerySetBase QuerySetBase::with_defer(std::vector<std::string> fields) const {
    for (const auto& f : fields) check_path(*meta_, f, "defer", false);
    FOLIO_CHANGE(for (auto& f : fields) q->deferred.push_back(std::move(f)));
}

QuerySetBase QuerySetBase::with_only(std::vector<std::string> fields) const {
    for (const auto& f : fields) check_path(*meta_, f, "only", false);
    FOLIO_CHANGE({
        q->only = std::move(fields);
        q->has_only = true;
    });
}

QuerySetBase QuerySetBase::reversed() const {
    if (query_->sliced) throw InvalidQuery("Cannot reverse a query once a slice has been taken");
    FOLIO_CHANGE(q->reversed = !q->reversed);
}

#undef FOLIO_CHANGE

std::string QuerySetBase::sql() const { return detail::render_select(db_->operations(), *query_).sql; }

std::vector<std::string> QuerySetBase::explain() const {
    // The backend's EXPLAIN (explain.hpp): spelled behind the dialect seam.
    std::vector<std::string> lines;
    for (auto& step : explain_query_plan(*db_, detail::render_select(db_->operations(), *query_).sql)) lines.push_back(std::move(step.detail));
    return lines;
}

bool QuerySetBase::has_slice() const { return query_->sliced; }

bool QuerySetBase::prefetches() const noexcept { return !query_->prefetch.empty(); }

bool QuerySetBase::doctor_on() const noexcept { return db_->doctor() != nullptr; }

bool QuerySetBase::ordered() const noexcept { return !query_->order_by.empty(); }

std::uint32_t QuerySetBase::fetch(const std::function<Object&()>& next_slot) const {
    const backend::Operations& ops = db_->operations();
    const auto compiled = detail::compiled(ops, *query_, detail::Evaluation::Select);
    const detail::CompiledSelect& cs = *compiled;
    Statement st = detail::prepare_query(*db_, ops, cs, *query_);
    // With the doctor on, every object is stamped with this evaluation's id.
    const std::uint32_t origin = db_->doctor() ? detail::doctor_begin_fetch(*db_, *query_, cs) : 0;
    std::int64_t rows = 0;
    while (st.step()) {
        Object& o = next_slot();
        detail::load_row(*db_, st, cs, o);
        ObjectAccess::origin(o) = origin;
        ++rows;
    }
    if (origin) detail::doctor_end_fetch(*db_, origin, rows);
    return origin;
}

void QuerySetBase::prefetch(std::span<Object* const> objects) const {
    detail::prefetch_objects(*db_, *query_, objects);
}

detail::CursorPtr QuerySetBase::open_cursor() const { return detail::CursorPtr(new detail::Cursor(*db_, query_)); }

bool QuerySetBase::next(detail::Cursor& cursor, Object& out) const { return cursor.next(out); }

Count QuerySetBase::count_query() const {
    const backend::Operations& ops = db_->operations();
    const auto c = detail::compiled(ops, *query_, detail::Evaluation::Count);
    Statement st = detail::prepare_query(*db_, ops, *c, *query_);
    const std::int64_t n = st.step() ? st.column_int(0) : 0;
    if (db_->doctor()) return detail::doctor_count(*db_, n, c->sql);  // watches a comparison with 0
    return Count(n);
}

bool QuerySetBase::exists_query() const {
    const backend::Operations& ops = db_->operations();
    const auto c = detail::compiled(ops, *query_, detail::Evaluation::Exists);
    Statement st = detail::prepare_query(*db_, ops, *c, *query_);
    return st.step();
}

std::int64_t QuerySetBase::update(std::initializer_list<Assign> assignments) const {
    return update(std::vector<Assign>(assignments));
}

namespace {

bool is_integer_field(const FieldMeta& f) { return f.type == FieldType::Integer || f.type == FieldType::ForeignKey; }

// `Author.articles_count = F("articles_count") / 0`: what an error names.
std::string describe(const ModelMeta& meta, const std::string& field, const Expr& e) {
    return fmt::format("{}.{} = F(\"{}\") {} {}", meta.name, field, e.field, e.op, e.operand.repr(40));
}

// Every F() assignment of an update, described, for its errors.
std::string describe_expressions(const ModelMeta& meta, const std::vector<Assign>& assignments) {
    std::string out;
    for (const auto& a : assignments)
        if (const auto* e = std::get_if<Expr>(&a.value)) out += (out.empty() ? "" : ", ") + describe(meta, a.field, *e);
    return out;
}

// update() writes with save()'s rules: a plain value passes validate_field();
// a field the database maintains changes only through an F() expression;
// F() arithmetic is for numbers, and an integer field stays an integer.
// Names the compiler refuses anyway (unknown field, primary key) are left
// to it, so each error is spelled once.
void check_assignments(const ModelMeta& meta, const std::vector<Assign>& assignments) {
    for (const auto& a : assignments) {
        const FieldMeta* f = meta.find_field(a.field);
        if (!f || f->primary_key) continue;
        if (const auto* v = std::get_if<Value>(&a.value)) {
            if (f->db_managed)
                throw InvalidQuery(fmt::format("{}.{} is maintained by the database: update() may change it only "
                                               "with an F() expression, not the value {}",
                                               meta.name, f->name, v->repr(40)));
            validate_field(meta, static_cast<std::size_t>(f - meta.fields.data()), *v);
            continue;
        }
        const Expr& e = std::get<Expr>(a.value);
        const FieldMeta* src = meta.find_field(e.field);
        if (!src) continue;
        const bool src_number = is_integer_field(*src) || src->type == FieldType::Real;
        if (!(is_integer_field(*f) || f->type == FieldType::Real) || !src_number ||
            (is_integer_field(*f) && !is_integer_field(*src)))
            throw InvalidQuery(fmt::format("Cannot set {}.{} to F(\"{}\") {} ...: F() arithmetic takes Integer or "
                                           "Real fields, and an Integer field only from Integer fields",
                                           meta.name, f->name, e.field, e.op));
        if (is_integer_field(*f) ? !e.operand.is_integer() : !(e.operand.is_integer() || e.operand.is_real()))
            throw ValidationError(fmt::format("{}.{}: F() operand must be {} (value {})", meta.name, f->name,
                                              is_integer_field(*f) ? "an integer" : "a number", e.operand.repr(40)));
        // Both backends' % is an integer remainder (PostgreSQL has none for
        // double precision; SQLite would truncate a REAL first).
        if (e.op == '%' && !is_integer_field(*f))
            throw InvalidQuery(fmt::format("Cannot set {}: % takes Integer fields only", describe(meta, f->name, e)));
        // The divisor is a bound value, known now: PostgreSQL would raise
        // "division by zero", SQLite compute NULL (stored in a nullable
        // column, refused by NOT NULL with the statement's SQL). Neither runs.
        const bool zero = e.operand.is_integer() ? e.operand.as_integer() == 0
                                                 : e.operand.is_real() && e.operand.as_real() == 0.0;
        if ((e.op == '/' || e.op == '%') && zero)
            throw DataError(fmt::format("{} by zero in update(): {}; nothing was changed",
                                        e.op == '/' ? "division" : "modulo", describe(meta, f->name, e)));
    }
}

} // namespace

std::int64_t QuerySetBase::update(const std::vector<Assign>& assignments) const {
    check_assignments(*meta_, assignments);
    detail::Compiled c = detail::compile_update(db_->operations(), *query_, assignments);
    Statement st = db_->prepare(c.sql, c.params);
    try {
        return st.execute();
    } catch (const OperationalError& e) {
        // Raised by the compiler's overflow guard; SQLite undid the statement.
        if (std::string_view(e.what()).starts_with("integer overflow"))
            throw DataError(fmt::format("integer overflow in update() of {}: an F() result does not fit in 64 bits "
                                        "({}); nothing was changed",
                                        meta_->name, describe_expressions(*meta_, assignments)),
                            e.sqlite_code());
        throw;
    }
}

DeleteCounts QuerySetBase::remove() const {
    // 1: the ids; 2..: the links of each many-to-many relation; last: the rows.
    // The ids travel as one bound JSON array, so the count of statements
    // does not grow with the number of rows.
    if (query_->sliced) throw InvalidQuery("Cannot use 'limit' or 'offset' with remove() (a sliced QuerySet)");
    const backend::Operations& ops = db_->operations();
    detail::Compiled ids_sql = detail::compile_pk_select(ops, *query_);
    Transaction tx(*db_);
    std::vector<Value> ids;
    {
        Statement st = db_->prepare(ids_sql.sql, ids_sql.params);
        while (st.step()) ids.emplace_back(st.column_int(0));
    }
    DeleteCounts counts;
    if (ids.empty()) {
        tx.commit();
        return counts;
    }
    const Value id_array = ops.array_param(ids);
    for (const auto& m : meta_->many_to_many) {
        Statement st = db_->prepare(detail::delete_in_array_sql(ops, m.through_table, m.source_column));
        st.bind(1, id_array);
        counts[m.through_table] += st.execute();
    }
    Statement st = db_->prepare(detail::delete_in_array_sql(ops, meta_->table, meta_->fields[0].column));
    st.bind(1, id_array);
    counts[meta_->table] = st.execute();
    tx.commit();
    return counts;
}

std::vector<std::vector<Value>> QuerySetBase::values_list(const std::vector<std::string>& fields) const {
    detail::Compiled c = detail::compile_values(db_->operations(), *query_, fields);
    Statement st = db_->prepare(c.sql, c.params);
    std::vector<std::vector<Value>> rows;
    const int n = static_cast<int>(fields.size());
    while (st.step()) {
        auto& row = rows.emplace_back();
        row.reserve(fields.size());
        for (int i = 0; i < n; ++i) row.push_back(st.column(i));
    }
    return rows;
}

std::vector<Value> QuerySetBase::values_list_flat(const std::string& field) const {
    detail::Compiled c = detail::compile_values(db_->operations(), *query_, {field});
    Statement st = db_->prepare(c.sql, c.params);
    std::vector<Value> out;
    while (st.step()) out.push_back(st.column(0));
    return out;
}

namespace {

// A bulk_create this big gets a page cache sized to it (as the importers'
// transaction does): with SQLite's default 2 MB cache, a load of more rows
// than that spills dirty pages to the WAL over and over, then writes them
// again at the commit; a cache that holds the whole load writes each page
// once. Below the floor the default cache copes and no PRAGMA runs.
constexpr std::size_t kTunedBulkFloorBytes = 8u << 20;
constexpr std::size_t kTunedBulkMaxKib = 512u << 10;

// The rows' size in the table and its indexes, roughly: the values' bytes
// (8 for a number), a header byte per column and a cell's overhead, twice
// (the table's pages and the indexes' copies of the indexed columns).
std::size_t estimated_load_bytes(std::span<Object* const> objects, const std::vector<std::size_t>& fields) {
    std::size_t bytes = 0;
    for (Object* o : objects) {
        const auto& vals = ObjectAccess::values(*o);
        bytes += 16;
        for (auto f : fields) bytes += 1 + (vals[f].is_text() ? vals[f].as_text().size() : 8);
    }
    return 2 * bytes;
}

} // namespace

void QuerySetBase::bulk_insert(std::span<Object* const> objects, const BulkOptions& options) const {
    if (objects.empty()) return;
    // Validate everything before writing anything.
    for (Object* o : objects) {
        if (&o->meta() != meta_) throw InvalidQuery(fmt::format("bulk_create on {} got a {}", meta_->name, o->meta().name));
        o->validate();
    }
    detail::insert_validated(*db_, *meta_, objects, options);
}

void detail::insert_validated(Database& db, const ModelMeta& meta, std::span<Object* const> objects,
                              const BulkOptions& options) {
    if (objects.empty()) return;
    std::vector<std::size_t> fields;
    for (std::size_t i = 1; i < meta.fields.size(); ++i)
        if (!meta.fields[i].db_managed) fields.push_back(i);
    std::vector<std::size_t> with_id = fields;
    with_id.insert(with_id.begin(), 0);
    const std::vector<std::size_t> back = detail::returned_fields(meta);
    const std::string returning = detail::returning_sql(db.operations(), meta, back);

    // Rows per statement: as many as the bound-variable limit allows for the
    // columns of the group (with or without explicit ids), or fewer if asked.
    // The rows with ids leave room for the parameters their spelling adds.
    const std::size_t key_params = db.operations().insert_with_keys_sql({}, {}, {}, {}).params.size();
    auto batch_for = [&](std::size_t columns) {
        const std::size_t reserved = columns == with_id.size() ? key_params : 0;
        const std::size_t limit_rows = std::max<std::size_t>(
            1, (static_cast<std::size_t>(db.variable_limit()) - reserved) / columns);
        return options.batch_size ? std::min(options.batch_size, limit_rows) : limit_rows;
    };

    // As Django does, the objects that carry an id go first, in their own
    // statements: the ids SQLite then picks for the others cannot collide
    // with them.
    std::vector<Object*> groups[2];
    for (Object* o : objects) groups[o->pk() != 0 ? 0 : 1].push_back(o);
    const std::size_t statements = (groups[0].size() + batch_for(with_id.size()) - 1) / batch_for(with_id.size()) +
                                   (groups[1].size() + batch_for(fields.size()) - 1) / batch_for(fields.size());
    // Tuning first (set before, restored after the transaction): up to 6
    // PRAGMAs, only for a load of several statements past the floor.
    const std::size_t bytes = statements > 1 ? estimated_load_bytes(objects, with_id) : 0;
    const bool big = bytes >= kTunedBulkFloorBytes;
    std::unique_ptr<backend::ScopedTuning> tuning;
    if (big)
        tuning = db.operations().bulk_load_tuning(db, static_cast<std::int64_t>(std::min(bytes / 1024, kTunedBulkMaxKib)));
    std::optional<Transaction> tx;
    if (statements > 1) tx.emplace(db);

    // Numbering: inside the transaction the rows without ids may get the
    // ids SQLite would give them, max(id) + 1, + 2, ... bound as their keys
    // (features().numbers_bulk_inserts), so that the INSERT needs no
    // RETURNING, which makes SQLite keep a copy of every returned row until
    // the statement ends: 18% of a 1,000,000-author load in the C API.
    // Only for a load past the tuning floor, where one SELECT more is
    // nothing (the guide's 200 authors keep Django's statements, one INSERT
    // per batch), and when that is all RETURNING would read: the db_managed fields are
    // never written, so a new row holds their column DEFAULT, which the
    // metadata repeats (no trigger of folio's schema changes a row of its
    // own table on insert). Not past 2^63-1 (SQLite then picks ids at
    // random) nor from a negative largest id (the next could be 0, an
    // unsaved object's id): RETURNING then.
    const bool may_number = big && db.operations().features().numbers_bulk_inserts && !groups[1].empty() &&
                            std::all_of(back.begin() + 1, back.end(),
                                        [&](std::size_t f) { return !meta.fields[f].default_value.is_null(); });

    for (int pass = 0; pass < 2; ++pass) {
        const std::vector<Object*>& group = groups[pass];
        std::int64_t next_id = 0;  // > 0: this pass binds the ids it gives, from here
        if (pass == 1 && may_number) {
            const Value top = db.scalar(detail::max_pk_sql(db.operations(), meta));
            const std::int64_t largest = top.is_null() ? 0 : top.as_integer();
            if (largest >= 0 && static_cast<std::uint64_t>(largest) <=
                                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - group.size())
                next_id = largest + 1;
        }
        const auto& cols = pass == 0 || next_id > 0 ? with_id : fields;
        const std::size_t batch = batch_for(cols.size());
        for (std::size_t at = 0; at < group.size(); at += batch) {
            std::size_t n = std::min(batch, group.size() - at);
            // Rows with their ids (pass 0): spelled so the later ones' automatic ids pass them.
            const detail::Compiled insert =
                pass == 0    ? detail::insert_with_keys_sql(db.operations(), meta, cols, n, back)
                : next_id > 0 ? detail::Compiled{detail::insert_sql(db.operations(), meta, cols, n), {}}
                             : detail::Compiled{detail::insert_sql(db.operations(), meta, cols, n) + returning, {}};
            Statement st = db.prepare(insert.sql);
            int k = 1;
            for (std::size_t r = 0; r < n; ++r) {
                const auto& vals = ObjectAccess::values(*group[at + r]);
                for (auto f : cols) {
                    const Value& v = vals[f];
                    // The objects outlive the statement: bind text without a copy.
                    if (f == 0 && next_id > 0) st.bind(k++, next_id + static_cast<std::int64_t>(r));
                    else if (v.is_text()) st.bind_text_static(k++, v.as_text());
                    else st.bind(k++, v);
                }
            }
            for (const Value& v : insert.params) st.bind(k++, v);
            if (next_id > 0) {
                const std::int64_t changed = st.execute();
                if (changed != static_cast<std::int64_t>(n))
                    throw Error(fmt::format("bulk_create on table {}: the database stored {} rows for a batch of {} objects",
                                            meta.table, changed, n));
                for (std::size_t r = 0; r < n; ++r) {
                    detail::store_assigned(meta, next_id++, back, *group[at + r]);
                    ObjectAccess::set_db(*group[at + r], &db);
                }
                continue;
            }
            // The ids come from RETURNING, row by row in the order of the
            // VALUES (what SQLite does, and Django relies on): never computed
            // from last_insert_rowid(), which is wrong once SQLite has to
            // pick ids below the largest one.
            std::size_t r = 0;
            for (; st.step(); ++r) {
                if (r >= n) continue;
                detail::store_returned(st, back, *group[at + r]);
                ObjectAccess::set_db(*group[at + r], &db);
            }
            if (r != n)
                throw Error(fmt::format("INSERT into {} returned {} rows for {} inserted", meta.table, r, n));
        }
    }
    if (tx) tx->commit();
}

namespace detail {

void insert_missing_then_select(Database& db, const ModelMeta& meta, std::size_t field,
                                const std::vector<Value>& distinct, const std::vector<std::size_t>& fields,
                                const std::function<void(const Statement&)>& on_row) {
    if (distinct.empty()) return;
    const backend::Operations& ops = db.operations();
    if (as_arrays(ops, distinct.size())) {
        // Many values: each statement binds them as one array, so its text
        // (and what SQLite spends preparing it) does not grow with them. For
        // one column both statements read the same array (rows_from_arrays):
        // built once, not copied into a column first.
        const Value array = ops.array_param(distinct);
        {
            Statement ins = db.prepare(insert_ignore_unique_from_array_sql(ops, meta, field));
            ins.bind(1, array);
            ins.execute();
        }
        Statement sel = db.prepare(select_where_in_array_sql(ops, meta, fields, field));
        sel.bind(1, array);
        while (sel.step()) on_row(sel);
        return;
    }
    const std::size_t chunk = static_cast<std::size_t>(std::max(1, db.variable_limit() - 16));
    for (std::size_t at = 0; at < distinct.size(); at += chunk) {
        std::size_t n = std::min(chunk, distinct.size() - at);
        {
            Statement ins = db.prepare(insert_ignore_unique_sql(ops, meta, field, n));
            for (std::size_t i = 0; i < n; ++i) ins.bind(static_cast<int>(i + 1), distinct[at + i]);
            ins.execute();
        }
        Statement sel = db.prepare(select_where_in_sql(ops, meta, fields, field, n));
        for (std::size_t i = 0; i < n; ++i) sel.bind(static_cast<int>(i + 1), distinct[at + i]);
        while (sel.step()) on_row(sel);
    }
}

} // namespace detail

void QuerySetBase::get_or_create_by(std::string_view field, std::span<const Value> values,
                                    const std::function<Object&()>& next_slot) const {
    const std::size_t fi = meta_->field_index(field);
    // Distinct values, first occurrence order.
    auto key = [](const Value& v) { return std::string(v.type_name()) + ":" + v.repr(std::string::npos); };
    std::vector<Value> distinct;
    {
        std::unordered_map<std::string, bool> seen;
        for (const auto& v : values)
            if (seen.emplace(key(v), true).second) distinct.push_back(v);
    }
    if (distinct.empty()) return;
    if (meta_->fields[fi].db_managed)
        throw InvalidQuery(fmt::format("get_or_create_many() cannot create {} by {}: the database maintains it",
                                       meta_->name, meta_->fields[fi].name));
    // The model's rules, before anything is written.
    for (const auto& v : distinct) validate_field(*meta_, fi, v);
    Transaction tx(*db_);
    std::vector<std::unique_ptr<Object>> found;
    std::vector<std::size_t> all(meta_->fields.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    detail::insert_missing_then_select(*db_, *meta_, fi, distinct, all, [&](const Statement& sel) {
        auto o = meta_->make();
        auto& vals = ObjectAccess::values(*o);
        for (std::size_t i = 0; i < all.size(); ++i) vals[i] = sel.column(static_cast<int>(i));
        ObjectAccess::set_db(*o, db_);
        found.push_back(std::move(o));
    });
    tx.commit();
    std::unordered_map<std::string, Object*> by_value;
    for (auto& o : found) by_value.emplace(key(ObjectAccess::values(*o)[fi]), o.get());
    for (const auto& v : distinct) {
        auto it = by_value.find(key(v));
        if (it != by_value.end()) next_slot() = std::move(*it->second);
    }
}

} // namespace folio
