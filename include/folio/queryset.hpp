// queryset.hpp: folio::QuerySet<T>, the lazy, chainable, immutable request.
//
// Every chained call returns a new QuerySet and touches no database; SQL runs
// only when the QuerySet is iterated or asked for results, count(),
// exists(), update(), remove(), values_list() or bulk_create(). An evaluated
// QuerySet keeps its rows: iterating it again, or asking its size(), runs no
// query. iterator() streams instead, keeping nothing.
//
// Costs, in statements: evaluation 1 (+1 per prefetch_related level, per
// chunk of ~32k parent ids); count() 1, exists() 1 (0 when evaluated);
// update() 1; remove() at most 1 + one per many-to-many relation + 1;
// bulk_create() 1 per batch (+ 6 PRAGMAs for a big one); first()/last()/get() 1.
//
// This header also brings the rest of the QuerySet API: queryset_base.hpp
// (the untyped half), related_managers.hpp (article.tags(), author.articles())
// and prefetch.hpp (prefetch_related_objects).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "folio/doctor.hpp"
#include "folio/errors.hpp"
#include "folio/model.hpp"
#include "folio/query.hpp"
#include "folio/queryset_base.hpp"

namespace folio {

template <class T>
class QuerySet : public QuerySetBase {
public:
    explicit QuerySet(Database& db) : QuerySetBase(db, T::meta()) {}

    // --- chaining: each returns a new, unevaluated QuerySet ---
    // Django's filter()/exclude(): the paths and lookups of `q` ("title",
    // "author__username", "created_at__year__lt", "tags__name__in") are
    // resolved against the model now, with Django's meaning at the edges
    // (exclude() keeps NULL columns; "tags__isnull" means "has none"). No
    // query runs. Throws InvalidQuery naming field and model for an unknown
    // field, relation or lookup, a value of the wrong type, or a sliced
    // QuerySet; ValidationError for text that is not UTF-8 or holds U+0000
    // (no stored text can: see validate_field).
    QuerySet filter(const Q& q) const { return wrap(with_filter(q, false)); }
    QuerySet filter(std::string lookup, Value v) const { return filter(Q(std::move(lookup), std::move(v))); }
    QuerySet filter(std::string lookup, std::vector<Value> list) const { return filter(Q(std::move(lookup), std::move(list))); }
    QuerySet exclude(const Q& q) const { return wrap(with_filter(q, true)); }
    QuerySet exclude(std::string lookup, std::vector<Value> list) const { return exclude(Q(std::move(lookup), std::move(list))); }
    QuerySet exclude(std::string lookup, Value v) const { return exclude(Q(std::move(lookup), std::move(v))); }
    // Keys like "-created_at", "author__username"; several break ties.
    // InvalidQuery on a sliced QuerySet (Django: "Cannot reorder a query once
    // a slice has been taken").
    QuerySet order_by(std::vector<std::string> keys) const { return wrap(with_order(std::move(keys))); }
    // The same rows in the opposite order (no ordering: by descending pk).
    // InvalidQuery on a sliced QuerySet, as Django's reverse().
    QuerySet reverse() const { return wrap(reversed()); }
    // Python's qs[start:stop], compiled to LIMIT/OFFSET; start, stop >= 0
    // (InvalidQuery otherwise, as Django refuses negative indexing). A slice
    // of a slice narrows the window as Python does (qs[2:10][3:5] is
    // qs[5:7]); offsets that would pass INT64_MAX stay at INT64_MAX (no
    // row). On an evaluated QuerySet the slice is served from its rows,
    // without a query. A sliced QuerySet can still be counted, tested with
    // exists(), sliced and evaluated; filter(), exclude(), order_by(),
    // reverse(), last(), update() and remove() refuse it (InvalidQuery).
    QuerySet slice(std::int64_t start, std::optional<std::int64_t> stop = std::nullopt) const;
    // Django's select_related(): foreign-key paths ("author",
    // "article__author") loaded by JOINs in the same statement. InvalidQuery
    // for a path that is not foreign keys only.
    QuerySet select_related(std::vector<std::string> paths) const { return wrap(with_select_related(std::move(paths))); }
    // Django's prefetch_related(): relations of any kind ("tags",
    // "articles__tags") loaded by one more statement per level when the
    // QuerySet is evaluated. InvalidQuery for an unknown path.
    QuerySet prefetch_related(std::vector<std::string> paths) const { return wrap(with_prefetch(std::move(paths))); }
    // Django's defer()/only(): columns left out of the SELECT (loaded one
    // query each on first read, Object::get). The primary key is always
    // loaded. InvalidQuery for an unknown field.
    QuerySet defer(std::vector<std::string> fields) const { return wrap(with_defer(std::move(fields))); }
    QuerySet only(std::vector<std::string> fields) const { return wrap(with_only(std::move(fields))); }
    QuerySet all() const { return wrap(QuerySetBase(*this)); }

    // --- evaluation ---
    // Every evaluation throws the folio::Error subclass of a failing
    // statement (OperationalError, ...), and keeps nothing then.
    //
    // Runs the query once and keeps the rows; later calls cost nothing. The
    // reference (and begin()/end(), operator[]) stays valid while this
    // QuerySet, or a copy made after it was evaluated, lives.
    const std::vector<T>& results() const&;
    // On a temporary QuerySet the rows are handed over by value, so they
    // cannot dangle: `auto rows = qs.filter(...).results();`.
    std::vector<T> results() &&;
    auto begin() const {
        const auto& rows = results();
        if (origin_) detail::doctor_rows_used(*this, origin_, true);
        return rows.begin();
    }
    auto end() const { return results().end(); }
    // Python's len(qs): evaluates (fetching every row) and counts them.
    std::size_t size() const {
        const bool evaluates = !cache_;
        const std::size_t n = results().size();
        if (evaluates && origin_) detail::doctor_sized(*this, origin_);
        return n;
    }
    const T& operator[](std::size_t i) const {
        const auto& rows = results();
        if (origin_) detail::doctor_rows_used(*this, origin_, false);
        return rows.at(i);
    }
    bool evaluated() const noexcept { return cache_ != nullptr; }

    // SELECT COUNT(*), or the number of rows when already evaluated. A
    // Count is used as a std::int64_t (count.hpp).
    Count count() const { return cache_ ? Count(static_cast<std::int64_t>(cache_->size())) : count_query(); }
    // SELECT 1 ... LIMIT 1, or a look at the rows when already evaluated.
    bool exists() const { return cache_ ? !cache_->empty() : exists_query(); }

    // Django's get(): the one row matching `q` (one statement, LIMIT 2), or
    // DoesNotExist (none) / MultipleObjectsReturned (more), naming the model.
    // InvalidQuery as filter().
    // The row is loaded straight into the object returned; with a query
    // doctor (which watches results()) or prefetch_related lookups (Django's
    // get() prefetches every row it reads, also a second one it then refuses)
    // the rows go through results() instead.
    T get(const Q& q = Q()) const {
        if (doctor_on() || prefetches()) return get_one(wrap(for_get(q)));
        T out;
        get_into(q, out);
        return out;
    }
    T get(const std::string& lookup, const Value& v) const {
        if (doctor_on() || prefetches()) return get_one(wrap(for_get(lookup, v)));
        T out;
        get_into(lookup, v, out);
        return out;
    }
    // Django's first()/last(): the first (last) row in the QuerySet's
    // ordering, or by primary key when it has none; nullopt when empty. One
    // statement, none when evaluated. first() on an unordered slice and
    // last() on any slice throw InvalidQuery, as Django does.
    std::optional<T> first() const;
    std::optional<T> last() const;

    // Saves `object` (an INSERT) and returns it with its id.
    T create(T object) const;
    // get() with `lookup`, or create(defaults) when there is none. The bool
    // tells whether it was created. As in Django, when the INSERT fails with
    // IntegrityError because another connection created the row after the
    // SELECT, that row is returned with false; other IntegrityErrors are
    // rethrown. Costs 1 statement (found), 2 (created) or 3 (race lost).
    std::pair<T, bool> get_or_create(const Q& lookup, T defaults) const;
    // For a field with a UNIQUE constraint: every row whose `field` is one of
    // `values`, inserting the missing ones first. Two statements (INSERT ...
    // ON CONFLICT DO NOTHING, then SELECT ... IN), whatever the number of
    // values: up to 256 distinct values they are bound one placeholder each
    // (two statements per chunk of the bound-variable limit, if it is lower),
    // past that as one array parameter per statement (json_each on SQLite,
    // unnest / = ANY on PostgreSQL), so the statements' text, and the memory
    // SQLite spends preparing them, do not grow with the values. Results
    // follow the order of `values` (duplicates once).
    std::vector<T> get_or_create_many(std::string_view field, const std::vector<Value>& values) const;

    // Multi-row INSERTs, one statement per batch, ids (and db_managed fields,
    // never written) back from RETURNING; as in Django, objects with an id go
    // first, in their own batches, so SQLite's ids for the rest cannot collide.
    // Validates every object first (ValidationError, nothing written). Several
    // statements run in one transaction; past ~8 MB of rows, SQLite's page cache
    // is sized to them for it (up to 6 PRAGMAs, as the imports'; restored after)
    // and, on SQLite, the objects without an id get the ids SQLite would pick
    // (one SELECT max(id) under the transaction's write lock, then max + 1,
    // + 2, ... bound as their keys) so the INSERTs skip RETURNING (18% of a
    // 1,000,000-row load); their db_managed fields are set to the column
    // DEFAULT a new row holds. Throws IntegrityError when a constraint fails
    // (a duplicate unique value), other folio::Error subclasses from the
    // database; the objects of batches written before a failure keep their
    // ids though the transaction rolls back. Not thread-safe: one Database
    // per thread.
    void bulk_create(std::vector<T>& objects, BulkOptions options = {}) const;

    // Streams rows from the cursor: one object at a time, nothing cached, so
    // memory stays flat whatever the row count. With prefetch_related the
    // rows come in chunks of 1000, each prefetched with one extra query.
    // The Stream holds an open statement of the Database until it is
    // destroyed; the reference its iterator yields is valid until the next
    // increment.
    class Stream;
    Stream iterator() const { return Stream(*this); }

protected:
    explicit QuerySet(QuerySetBase base) : QuerySetBase(std::move(base)) {}
    static QuerySet wrap(QuerySetBase base) { return QuerySet(std::move(base)); }
    void prefill(std::vector<T> rows) const { cache_ = std::make_shared<std::vector<T>>(std::move(rows)); }
    template <class U>
    friend class ManyToMany;
    friend class Object;
    template <class U>
    friend void prefetch_related_objects(std::span<U> objects, std::vector<std::string> paths);

private:
    // get()'s answer from `qs` (filtered and cut to two rows by for_get()).
    T get_one(const QuerySet& qs) const;
    std::optional<T> by_pk_from_cache(bool highest) const;
    // Runs the SELECT and the prefetches; the doctor's id in `origin`.
    std::vector<T> load(std::uint32_t& origin) const;

    mutable std::shared_ptr<std::vector<T>> cache_;
    mutable std::uint32_t origin_ = 0;  // the doctor's id of the evaluation in cache_ (0: off)
};

template <class T>
class QuerySet<T>::Stream {
public:
    explicit Stream(const QuerySet<T>& qs) : qs_(qs), cursor_(qs.open_cursor()) {}
    class iterator {
    public:
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(Stream* s) : s_(s) { advance(); }
        const T& operator*() const { return s_->current_; }
        const T* operator->() const { return &s_->current_; }
        iterator& operator++() {
            advance();
            return *this;
        }
        void operator++(int) { advance(); }
        bool operator==(std::default_sentinel_t) const { return s_ == nullptr; }

    private:
        void advance() {
            if (s_ && !s_->qs_.next(*s_->cursor_, s_->current_)) s_ = nullptr;
        }
        Stream* s_ = nullptr;
    };
    // Single pass, like a database cursor.
    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() { return {}; }

private:
    QuerySet<T> qs_;
    detail::CursorPtr cursor_;
    T current_;
};

} // namespace folio

#include "folio/queryset_impl.hpp"
#include "folio/related_managers.hpp"
#include "folio/prefetch.hpp"
