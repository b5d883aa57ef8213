// transaction.hpp: folio::Transaction, an RAII transaction that nests.
//
// The outermost Transaction runs BEGIN IMMEDIATE (a writer takes the write
// lock up front, so under WAL it waits in the busy handler instead of failing
// later with SQLITE_BUSY on lock upgrade); nested ones are savepoints. A
// Transaction that is destroyed without commit() rolls back, so an exception
// thrown inside leaves nothing written.
#pragma once

#include <string>

namespace folio {

class Database;

class Transaction {
public:
    explicit Transaction(Database& db);
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
