// transaction.cpp: BEGIN at the outermost level, savepoints inside, no silent COMMIT of a failed transaction.
#include "lib/backend/postgresql/transaction.hpp"

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/operations.hpp"
#include "lib/backend/postgresql/connection.hpp"

namespace folio::backend::postgresql {

// The verbs are the standard spelling (lib/backend/operations.cpp), the
// same the Database's Operations defaults to on PostgreSQL.
namespace sql = backend::standard_sql;

Transaction::Transaction(Connection& connection) : connection_(connection) {
    // Decided by the server's own state, so a transaction opened with raw
    // SQL is nested into rather than broken (as on SQLite).
    if (connection_.in_transaction()) {
        savepoint_ = "folio_sp_" + std::to_string(connection_.savepoint_depth() + 1);
        connection_.execute_script(sql::savepoint(savepoint_));
        ++connection_.savepoint_depth();
    } else {
        connection_.execute_script(sql::begin());
    }
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        rollback();
    } catch (...) {
        // A destructor must not throw; the server rolls back when the session ends.
    }
}

void Transaction::commit() {
    if (!open_) return;
    if (connection_.transaction_failed()) {
        rollback();
        throw OperationalError(fmt::format("cannot commit on PostgreSQL {}: an earlier statement failed and aborted "
                                           "the transaction; it was rolled back",
                                           connection_.endpoint().describe()));
    }
    if (savepoint_.empty()) {
        open_ = false;  // COMMIT ends the transaction whether it succeeds or not
        connection_.execute_script(sql::commit());
    } else {
        connection_.execute_script(sql::release_savepoint(savepoint_));
        --connection_.savepoint_depth();
        open_ = false;
    }
}

void Transaction::rollback() {
    if (!open_) return;
    open_ = false;
    if (savepoint_.empty()) {
        if (connection_.in_transaction()) connection_.execute_script(sql::rollback());
    } else {
        --connection_.savepoint_depth();
        // Also valid in a failed transaction: ROLLBACK TO clears the error.
        connection_.execute_script(sql::rollback_to_savepoint(savepoint_) + "; " + sql::release_savepoint(savepoint_));
    }
}

} // namespace folio::backend::postgresql
