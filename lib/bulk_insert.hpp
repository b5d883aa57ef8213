// bulk_insert.hpp (internal): bulk_create's writing half, for objects
// already checked with the model's rules. The importers check their records
// on the parsing thread (lib/blog_io.cpp), so the thread that writes only
// binds and steps; checking them again there would read every text twice.
#pragma once

#include <span>

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

} // namespace folio::detail
