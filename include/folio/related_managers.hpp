// related_managers.hpp: the managers of an instance's relations (Django's
// related managers): ManyToMany<T> (article.tags(): the related rows, and
// add/remove/clear/set of the links), the reverse sets of
// Object::reverse_set (author.articles()), and bulk_link, the bulk form of add.
//
// Lifetime: a manager is a QuerySet: it keeps a pointer to the owner's
// Database, which must outlive it; it keeps the owner's id, not the owner,
// so it may outlive the instance. Thread-safety: as that Database.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "folio/errors.hpp"
#include "folio/model.hpp"
#include "folio/queryset.hpp"

namespace folio {

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

// Links many (source id, target id) pairs of one many-to-many relation at
// once, skipping pairs that exist. What a bulk import uses. Up to 256 pairs:
// one INSERT ... VALUES per chunk of pairs below the bound-variable limit
// (in one transaction when there are several). More: one INSERT whatever
// their number, the pairs bound as arrays (json_each on SQLite, unnest on
// PostgreSQL), its text the same for any number of pairs. Either way a
// failing pair (IntegrityError) links none of them.
void bulk_link(Database& db, const ManyToManyMeta& relation,
               const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs);

} // namespace folio
