// doctor_hooks.cpp: the query doctor's hooks in the core: provenance of
// loaded objects (N+1, deferred loads, related objects loaded for their id),
// save() of unchanged columns, and what became of an evaluation's rows when
// they are freed (counting by fetching, one-pass caches, unused eager loads
// and columns). Each hook is reached only while the doctor is on.
#include <fmt/format.h>

#include <algorithm>

#include "folio/database.hpp"
#include "folio/queryset.hpp"
#include "lib/doctor_state.hpp"
#include "lib/object_access.hpp"
#include "lib/query/compiler.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

namespace {

DoctorState* state_of(const Database* db) {
    Doctor* d = db ? db->doctor() : nullptr;
    return d ? d->state().get() : nullptr;
}
DoctorState* state_of(const Object& o) { return state_of(o.database()); }

std::size_t bump(Record& r, const std::string& name) {
    for (auto& [n, count] : r.lazy)
        if (n == name) return ++count;
    r.lazy.emplace_back(name, 1);
    return 1;
}

std::vector<std::size_t> all_fields(const ModelMeta& m) {
    std::vector<std::size_t> v(m.fields.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
}

// "\"title\", \"created_at\"" for the fields of `mask`, primary key left out.
std::string quoted_fields(const ModelMeta& m, std::uint64_t mask) {
    std::string out;
    for (std::size_t i = 1; i < m.fields.size() && i < 64; ++i)
        if ((mask >> i) & 1u) out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", m.fields[i].name);
    return out;
}

// An N+1 finding, filed when the `n`-th lazy load of one evaluation's rows
// reaches the threshold, then kept counting what happened: each later load
// (and another evaluation's loads of the same relation in the scope) adds to
// its count. Its statement shape is then not reported again as a repeated query.
void n_plus_one(DoctorState& s, Pattern p, std::string relation, const std::string& sql, std::size_t n,
                const Record& r, std::string fix) {
    const std::size_t threshold = s.options.n_plus_one_threshold;
    const std::string key = std::string(to_string(p)) + ":" + relation;
    const auto what = [&](std::size_t total) {
        return p == Pattern::DeferredFieldLoaded
                   ? fmt::format("{} is deferred, then loaded one SELECT per object: {} objects so far, of a query of "
                                 "{} rows",
                                 relation, total, r.rows)
                   : fmt::format("{} loaded lazily, one SELECT per object: {} objects so far, of a query of {} rows",
                                 relation, total, r.rows);
    };
    if (s.add_to_count(key, n == threshold ? n : 1, what)) return;
    if (n != threshold) return;  // not filed (an ignored pattern): nothing to add to
    Finding f;
    f.pattern = p;
    f.sql = statement_shape(sql);
    f.count = n;
    f.what = what(n);
    f.fix = std::move(fix);
    f.key = key;
    s.explained.insert(f.sql);
    s.report(std::move(f), true);
}

} // namespace

std::uint32_t doctor_begin_fetch(Database& db, const Query& q, const CompiledSelect& cs) {
    DoctorState* s = state_of(&db);
    if (!s) return 0;
    Record r;
    r.model = q.model;
    r.sql = cs.sql;
    for (auto f : cs.slots[0].fields)
        if (f < 64) r.loaded |= 1ull << f;
    auto add = [&r](const std::string& path, bool prefetch) {
        std::string first = split_path(path).front();
        for (const auto& e : r.eager)
            if (e.name == first) return;
        r.eager.push_back({first, prefetch, false});
    };
    for (const auto& p : q.select_related) add(p, false);
    for (const auto& p : q.prefetch) add(p, true);
    return s->add_record(std::move(r));
}

void doctor_end_fetch(Database& db, std::uint32_t origin, std::int64_t rows) {
    DoctorState* s = state_of(&db);
    if (!s) return;
    if (Record* r = s->record(origin)) r->rows = rows;
    s->run_explains(true);  // a safe point: no statement of ours is mid-step
}

Count doctor_count(Database& db, std::int64_t n, const std::string& sql) {
    Doctor* d = db.doctor();
    if (!d) return Count(n);
    const std::string& interned = *d->state()->count_sqls.insert(statement_shape(sql)).first;
    return Count(n, d->state(), &interned);
}

void doctor_count_vs_zero(const std::weak_ptr<DoctorState>& doctor, const std::string* sql) {
    auto s = doctor.lock();
    if (!s || !s->db) return;
    Finding f;
    f.pattern = Pattern::CountVsZero;
    f.what = "count() compared with 0: every matching row is counted to learn whether there is one";
    f.sql = *sql;
    f.count = 1;
    f.fix = "exists(): SELECT 1 ... LIMIT 1 stops at the first row";
    f.key = "count-vs-zero:" + *sql;
    s->report(std::move(f), true);
}

void doctor_read(const Object& o, std::size_t field) {
    DoctorState* s = state_of(o);
    if (!s || field >= 64) return;
    if (Record* r = s->record(ObjectAccess::origin(o))) r->read |= 1ull << field;
}

void doctor_deferred_load(const Object& o, std::size_t field) {
    DoctorState* s = state_of(o);
    Record* r = s ? s->record(ObjectAccess::origin(o)) : nullptr;
    if (!r || r->lazy_target) return;
    const FieldMeta& f = o.meta().fields[field];
    const std::size_t n = bump(*r, "field:" + f.name);
    if (n < s->options.n_plus_one_threshold || r->rows < 2) return;
    n_plus_one(*s, Pattern::DeferredFieldLoaded, o.meta().name + "." + f.name, select_by_pk_sql(o.database()->operations(), o.meta(), {field}), n,
               *r, fmt::format("drop \"{}\" from defer() (or add it to only()): the code reads it", f.name));
}

void doctor_fk_cached(const Object& owner, std::size_t field) {
    DoctorState* s = state_of(owner);
    Record* r = s ? s->record(ObjectAccess::origin(owner)) : nullptr;
    if (!r) return;
    for (auto& e : r->eager)
        if (e.name == owner.meta().fields[field].name) e.touched = true;
}

std::uint32_t doctor_lazy_fk(const Object& owner, std::size_t field) {
    DoctorState* s = state_of(owner);
    if (!s) return 0;
    const FieldMeta& f = owner.meta().fields[field];
    const std::string relation = owner.meta().name + "." + f.name;
    Record* r = s->record(ObjectAccess::origin(owner));
    if (r && !r->lazy_target) {
        const std::size_t n = bump(*r, f.name);
        if (n >= s->options.n_plus_one_threshold && r->rows >= 2)
            n_plus_one(*s, Pattern::NPlusOne, relation, select_by_pk_sql(owner.database()->operations(), f.related(), all_fields(f.related())), n, *r,
                       fmt::format("select_related(\"{}\"): one JOIN loads them with the rows", f.name));
    }
    // The loaded object gets a record of its own kind, to tell whether it
    // was loaded only to take its id (RelatedObjectForId).
    auto it = s->lazy_targets.find(relation);
    if (it == s->lazy_targets.end() || !s->record(it->second)) {
        Record t;
        t.model = &f.related();
        t.lazy_target = true;
        t.relation = relation;
        it = s->lazy_targets.insert_or_assign(relation, s->add_record(std::move(t))).first;
    }
    s->record(it->second)->read = 0;  // reads of the most recent load
    return it->second;
}

void doctor_set_related(const Object& owner, std::size_t field, const Object& target) {
    DoctorState* s = state_of(target);
    Record* r = s ? s->record(ObjectAccess::origin(target)) : nullptr;
    if (!r || !r->lazy_target || (r->read & ~1ull) != 0) return;
    const FieldMeta& f = owner.meta().fields[field];
    const std::size_t dot = r->relation.find('.');
    const std::string src_field = r->relation.substr(dot + 1);
    Finding fd;
    fd.pattern = Pattern::RelatedObjectForId;
    fd.what = fmt::format("{}.{} was set from {}(), a {} loaded with one SELECT only to take its id", owner.meta().name,
                          f.name, r->relation, target.meta().name);
    fd.sql = statement_shape(select_by_pk_sql(target.database()->operations(), target.meta(), all_fields(target.meta())));
    fd.count = 1;
    fd.fix = fmt::format("use the foreign key value the object already holds: set_{}_id(x.{}_id()) (Django: "
                         "{}_id), no SELECT",
                         f.name, src_field, src_field);
    fd.key = "fk-for-id:" + r->relation;
    s->report(std::move(fd), true);
}

void doctor_save(const Object& o, const std::vector<std::size_t>& fields, std::uint64_t changed) {
    DoctorState* s = state_of(o);
    if (!s) return;
    std::uint64_t written = 0;
    for (auto f : fields)
        if (f < 64) written |= 1ull << f;
    if ((written & ~changed) == 0) return;
    const ModelMeta& m = o.meta();
    const std::string names = quoted_fields(m, changed & written);
    Finding f;
    f.pattern = Pattern::FullRowUpdate;
    f.what = names.empty()
                 ? fmt::format("save() rewrote all {} columns of {} #{} though none changed", fields.size(), m.name, o.pk())
                 : fmt::format("save() rewrote all {} columns of {} #{} though only {} changed (and raced with "
                               "other writers on the rest)",
                               fields.size(), m.name, o.pk(), names);
    f.sql = statement_shape(update_row_sql(o.database()->operations(), m, fields));
    f.count = 1;
    f.fix = names.empty() ? "skip the save(), nothing changed"
                          : fmt::format("save({{.update_fields = {{{}}}}}), or for many rows one QuerySet update({{{{{}, "
                                        "value}}}})",
                                        names, quoted_fields(m, changed & written & (~changed + 1)));
    f.key = "full-row:" + m.name + ":" + names;
    s->report(std::move(f), true);
}

void doctor_rows_used(const QuerySetBase& qs, std::uint32_t origin, bool iterated) {
    DoctorState* s = state_of(&qs.database());
    Record* r = s ? s->record(origin) : nullptr;
    if (!r) return;
    r->used = true;
    if (iterated) ++r->iterations;
}

void doctor_sized(const QuerySetBase& qs, std::uint32_t origin) {
    DoctorState* s = state_of(&qs.database());
    if (Record* r = s ? s->record(origin) : nullptr) r->sized = !r->used;
}

void doctor_slice_of_cache(const QuerySetBase& qs, std::uint32_t origin, std::size_t rows, std::size_t kept) {
    DoctorState* s = state_of(&qs.database());
    Record* r = s ? s->record(origin) : nullptr;
    if (!r) return;
    r->sliced = r->used = true;
    if (kept * 2 > rows || rows - kept < s->options.repeat_threshold) return;
    Finding f;
    f.pattern = Pattern::SliceAfterEvaluation;
    f.what = fmt::format("all {} rows of {} were fetched, then sliced in memory to {}", rows, r->model->name, kept);
    f.sql = statement_shape(r->sql);
    f.count = rows;
    f.fix = fmt::format("slice the QuerySet before it is evaluated: slice(start, start + {}) compiles to LIMIT", kept);
    f.key = "slice:" + f.sql;
    s->report(std::move(f), true);
}

void doctor_relation(const Object& owner, std::string_view relation, bool prefetched, const QuerySetBase& lazy) {
    DoctorState* s = state_of(owner);
    Record* r = s ? s->record(ObjectAccess::origin(owner)) : nullptr;
    if (!r || r->lazy_target) return;
    if (prefetched) {
        for (auto& e : r->eager)
            if (e.name == relation) e.touched = true;
        return;
    }
    const std::size_t n = bump(*r, std::string(relation));
    if (n < s->options.n_plus_one_threshold || r->rows < 2) return;
    n_plus_one(*s, Pattern::NPlusOne, owner.meta().name + "." + std::string(relation), lazy.sql(), n, *r,
               fmt::format("prefetch_related(\"{}\"): one more query loads them for every row", relation));
}

std::weak_ptr<DoctorState> doctor_weak(const QuerySetBase& qs) {
    Doctor* d = qs.database().doctor();
    return d ? std::weak_ptr<DoctorState>(d->state()) : std::weak_ptr<DoctorState>();
}

void doctor_cache_freed(const std::weak_ptr<DoctorState>& doctor, std::uint32_t origin, std::size_t rows_left,
                        const std::function<const Object&(std::size_t)>& row) noexcept {
    try {
        auto s = doctor.lock();
        if (!s || !s->db) return;
        Record* found = s->record(origin);
        if (!found) return;
        const Record r = std::move(*found);
        s->forget(origin);
        // Rows moved out (results() on a temporary) live on elsewhere: no verdict.
        if (r.rows <= 0 || static_cast<std::int64_t>(rows_left) != r.rows) return;
        const auto rows = static_cast<std::size_t>(r.rows);
        const std::string shape = statement_shape(r.sql);
        const std::string& model = r.model->name;
        auto finding = [&](Pattern p, std::string what, std::string fix, std::string key) {
            Finding f;
            f.pattern = p;
            f.what = std::move(what);
            f.sql = shape;
            f.count = rows;
            f.fix = std::move(fix);
            f.key = std::move(key);
            s->report(std::move(f), false);
        };
        if (r.sized && !r.used)
            finding(Pattern::CountByFetching, fmt::format("size() fetched all {} {} rows only to count them", rows, model),
                    "count(): SELECT COUNT(*) returns one number", "len:" + shape);
        if (!r.sized && !r.sliced && r.iterations == 1 && rows >= s->options.large_result_rows)
            finding(Pattern::LargeResultCached,
                    fmt::format("{} {} rows were all kept in memory for a single pass", rows, model),
                    "iterator(): rows stream from the cursor and memory stays flat", "cache:" + shape);
        if (!r.used || rows < 2) return;
        for (const auto& e : r.eager)
            if (!e.touched) {
                const char* how = e.prefetch ? "prefetch_related" : "select_related";
                finding(Pattern::UnusedEagerLoading,
                        fmt::format("{}(\"{}\") loaded {} for {} rows that never asked for it", how, e.name,
                                    e.prefetch ? "a query" : "a JOIN", rows),
                        fmt::format("drop \"{}\" from {}()", e.name, how), fmt::format("eager:{}.{}", model, e.name));
            }
        if (rows < s->options.unused_columns_min_rows) return;
        std::uint64_t unread = 0;
        for (std::size_t i = 1; i < r.model->fields.size() && i < 64; ++i) {
            const FieldMeta& fm = r.model->fields[i];
            if (fm.type != FieldType::Text || fm.max_length != 0 || !((r.loaded & ~r.read) >> i & 1u)) continue;
            std::size_t bytes = 0;
            for (std::size_t k = 0; k < rows; ++k) {
                const Value& v = ObjectAccess::values(row(k))[i];
                if (v.is_text()) bytes += v.as_text().size();
            }
            if (bytes >= s->options.unused_columns_min_bytes) unread |= 1ull << i;
        }
        if (unread) {
            std::string names;
            for (std::size_t i = 1; i < 64; ++i)
                if ((unread >> i) & 1u) names += (names.empty() ? "" : ", ") + model + "." + r.model->fields[i].name;
            finding(Pattern::UnusedColumns, fmt::format("{} fetched for {} rows and never read", names, rows),
                    fmt::format("only({}{}) (or defer({})): fetch the columns that are shown",
                                quoted_fields(*r.model, r.read),
                                std::any_of(r.eager.begin(), r.eager.end(), [](const auto& e) { return e.touched; })
                                    ? ", and the related fields shown"
                                    : "",
                                quoted_fields(*r.model, unread)),
                    "columns:" + model + ":" + names);
        }
    } catch (...) {
        // Called while freeing rows: a finding that cannot be filed is dropped.
    }
}

} // namespace folio::detail
