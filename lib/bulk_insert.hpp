// bulk_insert.hpp (internal): bulk_create's writing half, for objects
// already checked with the model's rules. The importers check their records
// on the parsing thread (lib/blog_io.cpp), so the thread that writes only
// binds and steps; checking them again there would read every text twice.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "folio/database.hpp"
#include "folio/model.hpp"
#include "folio/queryset_base.hpp"
#include "folio/statement.hpp"

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

// get_or_create_many()'s statements, without its objects: inserts the
// `distinct` values (already checked with validate_field) of the UNIQUE
// `field` that are missing, skipping the others (ON CONFLICT DO NOTHING),
// then selects `fields` of every row holding one of them and hands each row
// to `on_row` (its columns in the order of `fields`, valid during the call).
// Two statements per chunk of inline values; past
// features().max_inline_in_list values, two statements whatever their
// number (the values bound as one array). Throws what the database throws
// (folio::Error subclasses). The caller holds the transaction.
void insert_missing_then_select(Database& db, const ModelMeta& meta, std::size_t field,
                                const std::vector<Value>& distinct, const std::vector<std::size_t>& fields,
                                const std::function<void(const Statement&)>& on_row);

} // namespace folio::detail
