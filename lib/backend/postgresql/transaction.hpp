// transaction.hpp (internal): an RAII PostgreSQL transaction that nests.
//
// Mirrors folio::Transaction: the outermost one runs BEGIN (PostgreSQL's
// default READ COMMITTED; row locks do what BEGIN IMMEDIATE's write lock does
// on SQLite), nested ones are savepoints (folio_sp_N). Destroyed without
// commit(), it rolls back. One difference PostgreSQL forces: after an error
// inside a transaction the server refuses everything but ROLLBACK, and a
// COMMIT there would silently roll back; commit() detects that state, rolls
// back and throws OperationalError instead of reporting success. A
// connection lost mid-transaction leaves nothing written (the server rolls
// back); the statement that found it out already threw OperationalError.
#pragma once

#include <string>

namespace folio::backend::postgresql {

class Connection;

class Transaction {
public:
    // Throws the mapped folio::Error when BEGIN/SAVEPOINT fails.
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // COMMIT (outermost) or RELEASE (nested). Throws OperationalError when
    // the transaction was aborted by an earlier error (it is rolled back),
    // or the mapped error of the COMMIT itself (40001 → retry).
    void commit();
    // Undoes the work now; the destructor then does nothing.
    void rollback();

private:
    Connection& connection_;
    std::string savepoint_;  // empty for the outermost BEGIN/COMMIT
    bool open_ = true;
};

} // namespace folio::backend::postgresql
