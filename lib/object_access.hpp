// object_access.hpp (internal): what the loaders and savers may touch inside
// an Object, and the per-object cache of related objects.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "folio/model.hpp"
#include "folio/statement.hpp"

namespace folio::detail {

// Related objects an instance carries: the target of each foreign key once
// loaded (lazily or by select_related) and the lists prefetch_related
// attached. Copies of an instance share it until one of them changes it.
struct RelationCache {
    std::vector<std::shared_ptr<Object>> fk;  // by field index
    std::vector<std::pair<std::string, std::vector<std::shared_ptr<Object>>>> prefetched;
};

struct ObjectAccess {
    static std::vector<Value>& values(const Object& o) { return o.values_; }
    static std::uint64_t& deferred(const Object& o) { return o.deferred_; }
    static void set_db(Object& o, Database* db) { o.db_ = db; }
    static std::uint32_t& origin(Object& o) { return o.origin_; }
    static std::uint32_t origin(const Object& o) { return o.origin_; }
    static void reset_relations(Object& o) { o.relations_.reset(); }
    // The cache, created or unshared so the caller may change it.
    static RelationCache& relations(const Object& o) {
        if (!o.relations_) o.relations_ = std::make_shared<RelationCache>();
        else if (o.relations_.use_count() > 1) o.relations_ = std::make_shared<RelationCache>(*o.relations_);
        return *o.relations_;
    }
    static void set_fk_object(const Object& o, std::size_t field, std::shared_ptr<Object> target) {
        auto& fk = relations(o).fk;
        if (fk.size() <= field) fk.resize(field + 1);
        fk[field] = std::move(target);
    }
    static void set_prefetched(const Object& o, const std::string& name, std::vector<std::shared_ptr<Object>> list) {
        auto& pre = relations(o).prefetched;
        for (auto& [n, l] : pre)
            if (n == name) {
                l = std::move(list);
                return;
            }
        pre.emplace_back(name, std::move(list));
    }
};

// The fields an INSERT reads back with RETURNING, in column order: the
// primary key (taken from the database, never computed from
// last_insert_rowid) and the fields the database maintains (db_managed).
std::vector<std::size_t> returned_fields(const ModelMeta& meta);
// Stores the current RETURNING row of `st` (columns in `fields` order) into `o`.
void store_returned(const Statement& st, const std::vector<std::size_t>& fields, Object& o);
// What store_returned would store for a row inserted with the id `id`
// without RETURNING: the id, and for the other `fields` (db_managed, never
// written) their default_value, the column's DEFAULT.
void store_assigned(const ModelMeta& meta, std::int64_t id, const std::vector<std::size_t>& fields, Object& o);

} // namespace folio::detail
