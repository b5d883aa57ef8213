// queryset_base.hpp: folio::QuerySetBase, the model-independent half of a
// QuerySet (queryset.hpp): chaining on the resolved query, evaluation, and
// the writes a QuerySet makes (update, remove, bulk insert, values_list),
// and BulkOptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "folio/count.hpp"
#include "folio/model.hpp"
#include "folio/query.hpp"

namespace folio {

class Database;
namespace detail {
struct Query;
struct Where;
class Cursor;
// Cursor is defined in the library; this deleter lets headers hold one.
struct CursorDeleter {
    void operator()(Cursor* c) const noexcept;
};
using CursorPtr = std::unique_ptr<Cursor, CursorDeleter>;
} // namespace detail

struct BulkOptions {
    // Rows per INSERT; 0 means as many as SQLite's bound-variable limit
    // allows. Larger values are capped to that limit.
    std::size_t batch_size = 0;
};

// The model-independent part of a QuerySet; QuerySet<T> adds the typed results.
//
// Lifetime: a QuerySet (and every object it loads, and a Stream) keeps a
// pointer to its Database, which must outlive them. Thread-safety: as the
// Database, one thread at a time; an unevaluated QuerySet holds no
// statement and may be copied freely.
class QuerySetBase {
public:
    Database& database() const noexcept { return *db_; }
    const ModelMeta& model() const noexcept { return *meta_; }

    // Django's QuerySet.ordered: order_by() was given.
    bool ordered() const noexcept;

    // The SELECT this QuerySet runs, in the Database's dialect, for display
    // and tests (no query runs; the values are bound, not shown). Throws
    // InvalidQuery as evaluation would.
    std::string sql() const;
    // The backend's plan for that SELECT (explain_query_plan(), explain.hpp),
    // one line per step ("SEARCH author USING INDEX author_username
    // (username=?)" on SQLite). Prepared, never run; not reported to the SQL
    // log, so captures and statement counts are the same with or without it.
    std::vector<std::string> explain() const;

    // One UPDATE of only the named columns, WHERE this QuerySet's filter.
    // Returns the rows changed. Not allowed on a sliced QuerySet. Plain
    // values are checked with validate_field() (ValidationError); a
    // db_managed field takes only an F() expression (InvalidQuery); F()
    // arithmetic takes numbers (% only integers: InvalidQuery), and an
    // integer result that overflows, or a division or modulo by zero, raises
    // DataError naming the model, the field and the expression (Django's
    // DataError on PostgreSQL; SQLite would store NULL). Whatever raises,
    // nothing was changed.
    std::int64_t update(std::initializer_list<Assign> assignments) const;
    std::int64_t update(const std::vector<Assign>& assignments) const;
    // Deletes every matching row and its many-to-many links, in at most
    // 1 + (number of M2M relations) + 1 statements, in one transaction.
    // Rows of other tables that reference these by a cascading foreign key
    // go with them (ON DELETE CASCADE) and are not counted.
    DeleteCounts remove() const;

    // Django's values_list(): rows of plain values of `fields` (paths through
    // foreign keys allowed, "author__username"), one statement, no objects.
    // InvalidQuery for no field, an unknown one or a many-valued relation.
    std::vector<std::vector<Value>> values_list(const std::vector<std::string>& fields) const;
    std::vector<Value> values_list_flat(const std::string& field) const;

protected:
    QuerySetBase(Database& db, const ModelMeta& meta);

    QuerySetBase with_filter(const Q& q, bool negate) const;
    QuerySetBase with_order(std::vector<std::string> keys) const;
    QuerySetBase with_slice(std::int64_t start, std::optional<std::int64_t> stop) const;
    QuerySetBase with_select_related(std::vector<std::string> paths) const;
    QuerySetBase with_prefetch(std::vector<std::string> paths) const;
    QuerySetBase with_defer(std::vector<std::string> fields) const;
    QuerySetBase with_only(std::vector<std::string> fields) const;
    QuerySetBase reversed() const;
    // get()'s QuerySet in one copy: filtered by `q` and, unless already
    // sliced, cut to two rows (InvalidQuery as filter() on a sliced one).
    QuerySetBase for_get(const Q& q) const;
    // The same for Q(lookup, value), without building the Q.
    QuerySetBase for_get(const std::string& lookup, const Value& value) const;
    // get() when no query doctor watches and the QuerySet has no
    // prefetch_related lookups (get() checks both): the one row matching
    // `q` (or Q(lookup, value)) loaded into `out`, without a QuerySet, a
    // result vector or a heap-allocated Query. One statement, the same as
    // for_get()'s; at most two rows are stepped to, one is loaded. Throws
    // DoesNotExist / MultipleObjectsReturned naming the model and the SQL,
    // InvalidQuery as for_get(); `out` is unspecified after a throw. The
    // filter's values are read during the call only. Thread-safety: as the
    // Database's.
    void get_into(const Q& q, Object& out) const;
    void get_into(const std::string& lookup, const Value& value, Object& out) const;

    // Runs the SELECT; `next_slot` returns the object to fill for each row.
    // Returns the query doctor's id for this evaluation (0: doctor off).
    std::uint32_t fetch(const std::function<Object&()>& next_slot) const;
    // Runs the prefetch_related queries for these objects and attaches results.
    void prefetch(std::span<Object* const> objects) const;
    bool prefetches() const noexcept;  // prefetch_related() was given
    bool doctor_on() const noexcept;   // the Database has a query doctor
    detail::CursorPtr open_cursor() const;
    bool next(detail::Cursor& cursor, Object& out) const;

    Count count_query() const;
    bool exists_query() const;
    bool has_slice() const;
    void bulk_insert(std::span<Object* const> objects, const BulkOptions& options) const;
    void get_or_create_by(std::string_view field, std::span<const Value> values,
                          const std::function<Object&()>& next_slot) const;

private:
    QuerySetBase cut_for_get(detail::Where&& resolved) const;
    // Runs get()'s query `q` (already filtered and cut) into `out`.
    void load_one(const detail::Query& q, Object& out) const;

    Database* db_;
    const ModelMeta* meta_;
    std::shared_ptr<const detail::Query> query_;
};

} // namespace folio
