// queryset_impl.hpp: the template bodies of QuerySet<T>. Included by
// queryset.hpp; not for direct use.
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
T QuerySet<T>::get_one(const QuerySet& qs) const {
    // At most two rows tell "one" from "several", as Django's get() does.
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

} // namespace folio
