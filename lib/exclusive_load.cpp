// Implementation of folio/exclusive_load.hpp: the check that SQLite would
// make too late (inside a transaction the PRAGMA silently keeps the mode),
// then the backend's journal switch (lib/backend/*/operations.cpp).
#include "folio/exclusive_load.hpp"

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "lib/backend/operations.hpp"

namespace folio {

ExclusiveLoad::ExclusiveLoad(Database& db) {
    if (db.in_transaction())
        throw InvalidQuery(fmt::format("ExclusiveLoad on '{}' inside a transaction: SQLite changes the journal mode "
                                       "only between transactions; create it before the load's Transaction",
                                       db.path()));
    mode_ = db.operations().exclusive_load(db);
}

ExclusiveLoad::~ExclusiveLoad() = default;

} // namespace folio
