// queryset_impl.hpp: the template bodies of QuerySet<T> and the relation
// managers (ManyToMany<T>). Included by queryset.hpp; not for direct use.
#pragma once

#include <algorithm>

#include "folio/queryset.hpp"
#include "folio/transaction.hpp"

namespace folio {

template <class T>
std::vector<T> QuerySet<T>::results() && {
    const std::vector<T>& rows = static_cast<const QuerySet<T>&>(*this).results();
    if (cache_.use_count() == 1) return std::move(*cache_);
    return rows;
}

template <class T>
std::vector<T> QuerySet<T>::load(std::uint32_t& origin) const {
    std::vector<T> rows;
    origin = fetch([&rows]() -> Object& { return rows.emplace_back(); });
    if (prefetches() && !rows.empty()) {
        std::vector<Object*> ptrs;
        ptrs.reserve(rows.size());
        for (auto& r : rows) ptrs.push_back(&r);
        prefetch(ptrs);
    }
    return rows;
}

template <class T>
const std::vector<T>& QuerySet<T>::results() const& {
    if (!cache_) {
        std::uint32_t origin = 0;
        std::vector<T> rows = load(origin);
        if (origin) {
            // The doctor hears when these rows are freed: unused eager
            // loads, counting by fetching, results iterated once.
            cache_ = std::shared_ptr<std::vector<T>>(
                new std::vector<T>(std::move(rows)),
                [doctor = detail::doctor_weak(*this), origin](std::vector<T>* p) noexcept {
                    detail::doctor_cache_freed(doctor, origin, p->size(),
                                               [p](std::size_t i) -> const Object& { return (*p)[i]; });
                    delete p;
                });
            origin_ = origin;
        } else {
            cache_ = std::make_shared<std::vector<T>>(std::move(rows));
        }
    }
    return *cache_;
}

template <class T>
QuerySet<T> QuerySet<T>::slice(std::int64_t start, std::optional<std::int64_t> stop) const {
    QuerySet out = wrap(with_slice(start, stop));
    if (cache_) {
        // Python slices the result cache of an evaluated QuerySet; so do we.
        auto n = static_cast<std::int64_t>(cache_->size());
        std::int64_t b = std::clamp<std::int64_t>(start, 0, n);
        std::int64_t e = stop ? std::clamp<std::int64_t>(*stop, b, n) : n;
        if (origin_)
            detail::doctor_slice_of_cache(*this, origin_, cache_->size(), static_cast<std::size_t>(e - b));
        out.prefill(std::vector<T>(cache_->begin() + b, cache_->begin() + e));
    }
    return out;
}

template <class T>
T QuerySet<T>::get(const Q& q) const {
    // At most two rows tell "one" from "several", as Django's get() does.
    const QuerySet<T> qs = wrap(for_get(q));
    // With the doctor on, the rows go through results(), which it watches;
    // otherwise they are loaded into a local vector and the one row moved out.
    std::vector<T> local;
    std::uint32_t origin = 0;
    const std::vector<T>& rows = doctor_on() ? qs.results() : (local = qs.load(origin));
    if (rows.empty()) throw DoesNotExist(model().name + " matching query does not exist: " + qs.sql());
    if (rows.size() > 1)
        throw MultipleObjectsReturned("get() returned more than one " + model().name + ": " + qs.sql());
    if (&rows == &local) return std::move(local.front());
    return rows.front();
}

// The row with the lowest (or highest) primary key among evaluated rows.
template <class T>
std::optional<T> QuerySet<T>::by_pk_from_cache(bool highest) const {
    if (cache_->empty()) return std::nullopt;
    auto it = std::min_element(cache_->begin(), cache_->end(), [highest](const T& a, const T& b) {
        return highest ? a.pk() > b.pk() : a.pk() < b.pk();
    });
    return *it;
}

template <class T>
std::optional<T> QuerySet<T>::first() const {
    // Django's first(): the QuerySet's own ordering, else the primary key's
    // (an unordered sliced QuerySet cannot be reordered: InvalidQuery).
    if (ordered()) {
        if (cache_) return cache_->empty() ? std::nullopt : std::optional<T>(cache_->front());
        const auto& rows = slice(0, 1).results();
        return rows.empty() ? std::nullopt : std::optional<T>(rows.front());
    }
    if (has_slice()) throw InvalidQuery("Cannot reorder a query once a slice has been taken (first() on an unordered slice)");
    if (cache_) return by_pk_from_cache(false);
    const auto& rows = order_by({"pk"}).slice(0, 1).results();
    return rows.empty() ? std::nullopt : std::optional<T>(rows.front());
}

template <class T>
std::optional<T> QuerySet<T>::last() const {
    // Django's last(): first() of reverse(), or of order_by("-pk").
    if (has_slice()) throw InvalidQuery("Cannot reverse a query once a slice has been taken (last() on a slice)");
    if (ordered()) {
        if (cache_) return cache_->empty() ? std::nullopt : std::optional<T>(cache_->back());
        const auto& rows = reverse().slice(0, 1).results();
        return rows.empty() ? std::nullopt : std::optional<T>(rows.front());
    }
    if (cache_) return by_pk_from_cache(true);
    const auto& rows = order_by({"-pk"}).slice(0, 1).results();
    return rows.empty() ? std::nullopt : std::optional<T>(rows.front());
}

template <class T>
T QuerySet<T>::create(T object) const {
    object.save(database());
    return object;
}

template <class T>
std::pair<T, bool> QuerySet<T>::get_or_create(const Q& lookup, T defaults) const {
    try {
        return {get(lookup), false};
    } catch (const DoesNotExist&) {
    }
    try {
        // In its own transaction (a savepoint when nested), so a refused
        // INSERT leaves an enclosing transaction usable.
        Transaction tx(database());
        T created = create(std::move(defaults));
        tx.commit();
        return {std::move(created), true};
    } catch (const IntegrityError&) {
        // Another connection inserted the row between the SELECT and the
        // INSERT: it won the race, and its row is the answer (Django does the
        // same). Without such a row the IntegrityError was about something
        // else and goes to the caller.
        try {
            return {get(lookup), false};
        } catch (const DoesNotExist&) {
        }
        throw;
    }
}

template <class T>
std::vector<T> QuerySet<T>::get_or_create_many(std::string_view field, const std::vector<Value>& values) const {
    std::vector<T> out;
    get_or_create_by(field, values, [&out]() -> Object& { return out.emplace_back(); });
    return out;
}

template <class T>
void QuerySet<T>::bulk_create(std::vector<T>& objects, BulkOptions options) const {
    std::vector<Object*> ptrs;
    ptrs.reserve(objects.size());
    for (auto& o : objects) ptrs.push_back(&o);
    bulk_insert(ptrs, options);
}

// The many-to-many side of a model instance: article.tags(). A QuerySet of
// the related rows (served from the prefetch when there was one) that can
// also change the links.
template <class T>
class ManyToMany : public QuerySet<T> {
public:
    ManyToMany(QuerySet<T> qs, const Object& owner, const ManyToManyMeta& relation)
        : QuerySet<T>(std::move(qs)), owner_id_(owner.pk()), relation_(&relation) {}

    // Links the owner to `targets`: ONE statement that skips existing pairs.
    void add(std::initializer_list<std::reference_wrapper<const T>> targets) const { add(ids_of(targets)); }
    void add(const std::vector<T>& targets) const { add(ids_of(targets)); }
    void add(const std::vector<std::int64_t>& target_ids) const;
    // Unlinks `targets`: one statement.
    void remove(const std::vector<T>& targets) const { remove(ids_of(targets)); }
    void remove(const std::vector<std::int64_t>& target_ids) const;
    // Unlinks everything: one statement.
    void clear() const;
    // Makes the links exactly `targets`: a DELETE of the others plus one add.
    void set(const std::vector<T>& targets) const { set(ids_of(targets)); }
    void set(const std::vector<std::int64_t>& target_ids) const;

private:
    template <class C>
    static std::vector<std::int64_t> ids_of(const C& targets) {
        std::vector<std::int64_t> ids;
        for (const auto& t : targets) ids.push_back(static_cast<const Object&>(t).pk());
        return ids;
    }
    std::int64_t owner_id_;  // by id: the manager may outlive the instance
    const ManyToManyMeta* relation_;
};

namespace detail {
// Untyped link operations behind ManyToMany<T> and the bulk form.
void m2m_add(Database& db, const ManyToManyMeta& rel, std::int64_t owner, const std::vector<std::int64_t>& targets);
void m2m_remove(Database& db, const ManyToManyMeta& rel, std::int64_t owner, const std::vector<std::int64_t>& targets);
void m2m_clear(Database& db, const ManyToManyMeta& rel, std::int64_t owner);
void m2m_set(Database& db, const ManyToManyMeta& rel, std::int64_t owner, const std::vector<std::int64_t>& targets);
} // namespace detail

template <class T>
void ManyToMany<T>::add(const std::vector<std::int64_t>& ids) const {
    detail::m2m_add(this->database(), *relation_, owner_id_, ids);
}
template <class T>
void ManyToMany<T>::remove(const std::vector<std::int64_t>& ids) const {
    detail::m2m_remove(this->database(), *relation_, owner_id_, ids);
}
template <class T>
void ManyToMany<T>::clear() const {
    detail::m2m_clear(this->database(), *relation_, owner_id_);
}
template <class T>
void ManyToMany<T>::set(const std::vector<std::int64_t>& ids) const {
    detail::m2m_set(this->database(), *relation_, owner_id_, ids);
}

template <class T>
QuerySet<T> Object::reverse_set(std::string_view relation, std::string_view lookup) const {
    QuerySet<T> qs = QuerySet<T>(require_db("Querying a relation")).filter(Q(std::string(lookup), pk()));
    const auto* pre = prefetched(relation);
    if (origin_) detail::doctor_relation(*this, relation, pre != nullptr, qs);
    if (pre) {
        std::vector<T> rows;
        rows.reserve(pre->size());
        for (const auto& p : *pre) rows.push_back(static_cast<const T&>(*p));
        qs.prefill(std::move(rows));
    }
    return qs;
}

template <class T>
ManyToMany<T> Object::many_to_many(std::string_view relation) const {
    const ManyToManyMeta* rel = meta().find_many_to_many(relation);
    if (!rel) throw InvalidQuery(meta().name + " has no many-to-many relation '" + std::string(relation) + "'");
    return ManyToMany<T>(reverse_set<T>(relation, rel->related_name), *this, *rel);
}

template <class T>
void prefetch_related_objects(std::span<T> objects, std::vector<std::string> paths) {
    if (objects.empty()) return;
    Database* db = objects.front().database();
    std::vector<Object*> ptrs;
    ptrs.reserve(objects.size());
    for (T& o : objects) {
        if (!o.database() || o.database() != db)
            throw InvalidQuery("prefetch_related_objects(): every object must be loaded or saved through one Database");
        ptrs.push_back(&o);
    }
    QuerySet<T>(*db).prefetch_related(std::move(paths)).prefetch(ptrs);
}

// Links many (source id, target id) pairs of one many-to-many relation at
// once: one INSERT per chunk of pairs below the bound-variable limit,
// skipping pairs that exist. What a bulk import uses.
void bulk_link(Database& db, const ManyToManyMeta& relation,
               const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs);

} // namespace folio
