// bulk_insert.hpp (internal): the bulk writes of the importers
// (lib/blog_io.cpp). bulk_create's writing half, for objects already checked
// with the model's rules: the importers check their records on the parsing
// thread, so the thread that writes only binds and steps (checking them
// again there would read every text twice). And bulk_link's INSERT in a few
// reused shapes.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "folio/database.hpp"
#include "folio/model.hpp"
#include "folio/queryset_base.hpp"

namespace folio::detail {

// Inserts `objects` (all of model `meta`, each already validate()d or
// checked field by field with validate_field()) as bulk_create() does: the
// same statements, batches, page-cache tuning and transaction, the ids and
// database-maintained fields read back into the objects. The caller answers
// for the check: nothing here looks at the values. Throws what bulk_create
// throws from the database (folio::Error subclasses). Texts are bound
// without a copy, so the objects must stay unchanged until it returns.
void insert_validated(Database& db, const ModelMeta& meta, std::span<Object* const> objects,
                      const BulkOptions& options);

// bulk_link() (related_managers.hpp): the same statements, rows and errors.
// With `padded`, each INSERT holds a power of two of pairs (at most a
// chunk's), the pairs past the given ones repeating the last, which the
// statement's conflict clause skips: batches of any size then share a few
// SQL texts that stay prepared in the statement cache. SQLite's prepare of
// a multi-row VALUES costs about as much as running it (callgrind of the
// import: the links' prepare 39M instructions against 49M for their steps,
// 2,000 articles with 1-5 tags); the repeated pairs cost one index probe
// each. The SQL log shows the repeated pairs among the arguments.
void link_pairs(Database& db, const ManyToManyMeta& relation,
                const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs, bool padded);

} // namespace folio::detail
