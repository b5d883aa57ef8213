// transaction.hpp: folio::Transaction, an RAII transaction that nests.
//
// The outermost Transaction runs BEGIN IMMEDIATE (a writer takes the write
// lock up front, so under WAL it waits in the busy handler instead of failing
// later with SQLITE_BUSY on lock upgrade); nested ones are savepoints. A
// Transaction that is destroyed without commit() rolls back, so an exception
// thrown inside leaves nothing written. On PostgreSQL the outermost is BEGIN
// (READ ONLY for a read-only Database); nested ones are savepoints there too.
// The verbs are spelled by the backend (lib/backend/*/operations.cpp).
//
// Lifetime: a Transaction lives inside one scope of the thread that owns its
// Database and must end before it; transactions nest strictly (the innermost
// ends first). Thread-safety: that of the Database.
#pragma once

#include <string>

namespace folio {

class Database;

class Transaction {
public:
    // Begins (BEGIN IMMEDIATE, or SAVEPOINT when one is open already).
    // Throws OperationalError when the write lock is not granted within the
    // busy timeout ("database is locked") or the database is read-only.
    explicit Transaction(Database& db);
    // Rolls back unless commit() or rollback() ran; never throws (a failed
    // rollback is left to SQLite/PostgreSQL, which undo an aborted
    // transaction when the connection closes).
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Makes the work durable (outermost) or merges it into the enclosing
    // transaction (nested). Throws on failure; the destructor then rolls back.
    void commit();
    // Undoes the work now; the destructor then does nothing.
    void rollback();

private:
    Database& db_;
    std::string savepoint_;  // empty for the outermost BEGIN/COMMIT
    bool open_ = true;
};

} // namespace folio
