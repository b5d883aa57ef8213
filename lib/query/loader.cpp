// loader.cpp: rows to objects, select_related slots, prefetch_related
// lookups (one query per level and chunk of ids) and the streaming cursor.
#include "lib/query/loader.hpp"

#include <algorithm>
#include <map>
#include <span>
#include <unordered_map>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "folio/queryset.hpp"
#include "lib/object_access.hpp"
#include "lib/query/compiled_cache.hpp"

namespace folio::detail {

namespace {

// Fills `fields` of `o` from columns starting at `col`; returns the next column.
int fill(Database& db, const Statement& st, Object& o, const std::vector<std::size_t>& fields, std::uint64_t mask,
         int col) {
    auto& values = ObjectAccess::values(o);
    for (auto f : fields) st.read_column(col++, values[f]);
    ObjectAccess::deferred(o) = mask;
    ObjectAccess::set_db(o, &db);
    ObjectAccess::reset_relations(o);
    return col;
}

std::uint64_t mask_for(const ModelMeta& meta, const std::vector<std::size_t>& fields) {
    std::uint64_t all = meta.fields.size() >= 64 ? ~0ull : ((1ull << meta.fields.size()) - 1);
    for (auto f : fields) all &= ~(1ull << f);
    return all;
}

// The primary keys of objects[at, at + n): one prefetch statement's
// arguments, passed to prepare() so that a statement that does not prepare
// is still logged with them.
std::vector<Value> chunk_pks(std::span<Object* const> objects, std::size_t at, std::size_t n) {
    std::vector<Value> pks;
    pks.reserve(n);
    for (std::size_t i = 0; i < n; ++i) pks.emplace_back(objects[at + i]->pk());
    return pks;
}

std::size_t chunk_size(Database& db) {
    // Stay below SQLite's bound-variable limit, leaving room for other parameters.
    return static_cast<std::size_t>(std::max(1, std::min(db.variable_limit() - 16, 30000)));
}

// The Query a nested prefetch level runs with: paths under "first__" made top-level.
Query nested_query(const Query& q, const std::string& first, const ModelMeta& target) {
    Query sub;
    sub.model = &target;
    std::string prefix = first + "__";
    auto strip = [&](const std::vector<std::string>& in, std::vector<std::string>& out) {
        for (const auto& p : in)
            if (p.compare(0, prefix.size(), prefix) == 0) out.push_back(p.substr(prefix.size()));
    };
    strip(q.prefetch, sub.prefetch);
    strip(q.deferred, sub.deferred);
    strip(q.only, sub.only);
    sub.has_only = q.has_only && !sub.only.empty();
    return sub;
}

} // namespace

void load_row(Database& db, const Statement& st, const CompiledSelect& cs, Object& base) {
    int col = fill(db, st, base, cs.slots[0].fields, cs.slots[0].deferred_mask, 0);
    if (cs.slots.size() == 1) return;
    std::vector<Object*> objs(cs.slots.size(), nullptr);
    objs[0] = &base;
    for (std::size_t k = 1; k < cs.slots.size(); ++k) {
        const Slot& s = cs.slots[k];
        Object* parent = objs[static_cast<std::size_t>(s.parent)];
        if (!parent || st.column_is_null(col)) {
            col += static_cast<int>(s.fields.size());  // no related row (nullable FK)
            continue;
        }
        std::shared_ptr<Object> obj = s.meta->make();
        col = fill(db, st, *obj, s.fields, s.deferred_mask, col);
        objs[k] = obj.get();
        ObjectAccess::set_fk_object(*parent, s.fk_field, std::move(obj));
    }
}

void prefetch_objects(Database& db, const Query& q, std::span<Object* const> objects) {
    if (q.prefetch.empty() || objects.empty()) return;
    const ModelMeta& meta = objects.front()->meta();
    std::vector<std::string> firsts;
    for (const auto& p : q.prefetch) {
        std::string first = split_path(p).front();
        if (std::find(firsts.begin(), firsts.end(), first) == firsts.end()) firsts.push_back(first);
    }
    const std::size_t chunk = chunk_size(db);
    for (const auto& first : firsts) {
        std::vector<std::shared_ptr<Object>> fetched;  // every related object, for the next level
        const ModelMeta* target = nullptr;
        const FieldMeta* fk = meta.find_field(first);
        const ManyToManyMeta* m2m = meta.find_many_to_many(first);
        const std::optional<ReverseRelation> rev = (fk || m2m) ? std::nullopt : find_reverse(meta, first);
        if (fk && fk->type == FieldType::ForeignKey) {
            target = &fk->related();
            std::size_t fi = static_cast<std::size_t>(fk - meta.fields.data());
            std::vector<Value> ids;
            for (Object* o : objects) {
                const Value& v = ObjectAccess::values(*o)[fi];
                if (!v.is_null()) ids.push_back(v);
            }
            std::sort(ids.begin(), ids.end(), [](const Value& a, const Value& b) { return a.as_integer() < b.as_integer(); });
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            auto fields = loaded_fields(q, *target, first + "__");
            std::unordered_map<std::int64_t, std::shared_ptr<Object>> by_id;
            for (std::size_t at = 0; at < ids.size(); at += chunk) {
                std::size_t n = std::min(chunk, ids.size() - at);
                Statement st = db.prepare(select_where_in_sql(db.operations(), *target, fields, 0, n),
                                          std::span<const Value>(ids).subspan(at, n));
                while (st.step()) {
                    std::shared_ptr<Object> o = target->make();
                    fill(db, st, *o, fields, mask_for(*target, fields), 0);
                    by_id[o->pk()] = o;
                    fetched.push_back(std::move(o));
                }
            }
            for (Object* o : objects) {
                const Value& v = ObjectAccess::values(*o)[fi];
                if (v.is_null()) continue;
                auto it = by_id.find(v.as_integer());
                if (it != by_id.end()) ObjectAccess::set_fk_object(*o, fi, it->second);
            }
        } else if (m2m || (rev && rev->many_to_many)) {
            const ManyToManyMeta& rel = m2m ? *m2m : *rev->many_to_many;
            bool forward = m2m != nullptr;
            target = forward ? &rel.target() : rev->source;
            auto fields = loaded_fields(q, *target, first + "__");
            std::unordered_map<std::int64_t, std::vector<std::shared_ptr<Object>>> lists;
            std::unordered_map<std::int64_t, std::shared_ptr<Object>> by_id;  // one instance per row
            for (std::size_t at = 0; at < objects.size(); at += chunk) {
                std::size_t n = std::min(chunk, objects.size() - at);
                Statement st = db.prepare(m2m_prefetch_sql(db.operations(), rel, forward, *target, fields, n),
                                          chunk_pks(objects, at, n));
                while (st.step()) {
                    std::int64_t owner = st.column_int(0);
                    std::int64_t id = st.column_int(1);
                    auto& slot = by_id[id];
                    if (!slot) {
                        slot = target->make();
                        fill(db, st, *slot, fields, mask_for(*target, fields), 1);
                        fetched.push_back(slot);
                    }
                    lists[owner].push_back(slot);
                }
            }
            for (Object* o : objects) ObjectAccess::set_prefetched(*o, first, std::move(lists[o->pk()]));
        } else if (rev && rev->foreign_key) {
            target = rev->source;
            std::size_t fi = static_cast<std::size_t>(rev->foreign_key - target->fields.data());
            auto fields = loaded_fields(q, *target, first + "__", {fi});
            std::unordered_map<std::int64_t, std::vector<std::shared_ptr<Object>>> lists;
            for (std::size_t at = 0; at < objects.size(); at += chunk) {
                std::size_t n = std::min(chunk, objects.size() - at);
                Statement st = db.prepare(select_where_in_sql(db.operations(), *target, fields, fi, n),
                                          chunk_pks(objects, at, n));
                while (st.step()) {
                    std::shared_ptr<Object> o = target->make();
                    fill(db, st, *o, fields, mask_for(*target, fields), 0);
                    lists[ObjectAccess::values(*o)[fi].as_integer()].push_back(o);
                    fetched.push_back(std::move(o));
                }
            }
            for (Object* o : objects) ObjectAccess::set_prefetched(*o, first, std::move(lists[o->pk()]));
        } else {
            throw InvalidQuery(fmt::format("Cannot find '{}' on model {} to prefetch_related. Choices are: {}", first,
                                           meta.name, meta.choices()));
        }
        Query sub = nested_query(q, first, *target);
        if (!sub.prefetch.empty()) {
            std::vector<Object*> next;
            next.reserve(fetched.size());
            for (auto& o : fetched) next.push_back(o.get());
            prefetch_objects(db, sub, next);
        }
    }
}

Cursor::Cursor(Database& db, std::shared_ptr<const Query> q)
    : db_(db),
      query_(std::move(q)),
      compiled_(compiled(db.operations(), *query_, Evaluation::Select)),
      statement_(prepare_query(db, db.operations(), *compiled_, *query_)) {}

bool Cursor::next(Object& out) {
    if (query_->prefetch.empty()) {
        if (done_ || !statement_.step()) {
            done_ = true;
            return false;
        }
        load_row(db_, statement_, *compiled_, out);
        return true;
    }
    if (chunk_pos_ == chunk_.size()) {
        chunk_.clear();
        chunk_pos_ = 0;
        constexpr std::size_t kChunk = 1000;
        while (!done_ && chunk_.size() < kChunk) {
            if (!statement_.step()) {
                done_ = true;
                break;
            }
            chunk_.push_back(query_->model->make());
            load_row(db_, statement_, *compiled_, *chunk_.back());
        }
        if (chunk_.empty()) return false;
        std::vector<Object*> ptrs;
        for (auto& o : chunk_) ptrs.push_back(o.get());
        prefetch_objects(db_, *query_, ptrs);
    }
    out = std::move(*chunk_[chunk_pos_++]);
    return true;
}

void CursorDeleter::operator()(Cursor* c) const noexcept { delete c; }

} // namespace folio::detail
