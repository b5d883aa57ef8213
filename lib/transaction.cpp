// transaction.cpp: the backend's BEGIN at the outermost level, savepoints inside
// (verbs from lib/backend/operations.hpp).
#include "folio/transaction.hpp"

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "lib/backend/connection.hpp"
#include "lib/backend/operations.hpp"

namespace folio {

Transaction::Transaction(Database& db) : db_(db) {
    // Decided by SQLite's own state, so a transaction the user opened with
    // raw SQL is nested into rather than broken.
    if (db_.in_transaction()) {
        savepoint_ = "folio_sp_" + std::to_string(++db_.savepoint_depth());
        db_.execute(db_.operations().savepoint_sql(savepoint_));
    } else {
        db_.execute(db_.operations().begin_sql());
    }
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        rollback();
    } catch (...) {
        // A destructor must not throw; SQLite rolls back on close anyway.
    }
}

void Transaction::commit() {
    if (!open_) return;
    // PostgreSQL refuses everything after an error inside a transaction, and
    // a COMMIT there would roll back in silence: say so instead.
    if (db_.connection().transaction_failed()) {
        rollback();
        throw OperationalError(fmt::format("the transaction on '{}' was aborted by an earlier error and has been "
                                           "rolled back; nothing of it was written",
                                           db_.path()));
    }
    if (savepoint_.empty()) {
        db_.execute(db_.operations().commit_sql());
    } else {
        db_.execute(db_.operations().release_savepoint_sql(savepoint_));
        --db_.savepoint_depth();
    }
    open_ = false;
}

void Transaction::rollback() {
    if (!open_) return;
    open_ = false;
    if (savepoint_.empty()) {
        // An error such as SQLITE_FULL may already have rolled back.
        if (db_.in_transaction()) db_.execute(db_.operations().rollback_sql());
    } else {
        --db_.savepoint_depth();
        db_.execute(db_.operations().rollback_to_savepoint_sql(savepoint_));
        db_.execute(db_.operations().release_savepoint_sql(savepoint_));
    }
}

} // namespace folio
