// exclusive_load.hpp: folio::ExclusiveLoad, a bulk load that has the
// SQLite file to itself and writes each new page once.
//
// folio opens SQLite files in WAL mode (readers never wait for the writer).
// A bulk load pays for that: every page it writes goes to the -wal file and
// again into the database when the WAL is checkpointed. SQLite's rollback
// journal instead saves only the original content of pages that existed
// before the transaction, so the pages a load appends are written once: on
// this machine the 110 MB articles import takes a third less time,
// 1.25 -> 0.82 s (see bench/RESULTS.md, section 14). The price is that, while it lasts, the file
// belongs to this connection (SQLite's locking_mode=EXCLUSIVE): other
// connections cannot have it open when the load starts; a read-write
// Database opened on it during the load waits its busy timeout, then throws
// OperationalError ("database is locked"), rather than turn WAL back on
// under the load; read-only connections read until the load first writes,
// then are locked out the same way until this object ends (not only until
// the load's transaction commits) instead of reading the last committed state.
//
// Every guarantee of a transaction stays: the load is still one transaction,
// and a crash or SIGKILL in the middle leaves a "hot" journal that the next
// connection to open the file rolls back (SQLite's atomic commit; a
// read-write one: a read_only Database cannot, and throws OperationalError
// saying the file has a hot journal and to open it once read-write), with
// PRAGMA synchronous=FULL while the journal is in use (SQLite documents
// NORMAL as unsafe with a rollback journal on power loss).
//
//     {
//         folio::ExclusiveLoad exclusive(blog.db());   // outside any Transaction
//         folio::import_articles(blog, "old_articles.json");
//     }                                                 // back to WAL
//
// Lifetime: lives inside one scope of the thread that owns its Database,
// around (never inside) the transactions of the load, and must end before
// the Database. Thread-safety: that of the Database.
#pragma once

#include <memory>

namespace folio {

class Database;
namespace backend {
class ScopedTuning;
} // namespace backend

class ExclusiveLoad {
public:
    // On a SQLite file in WAL mode: PRAGMA journal_mode=DELETE,
    // synchronous=FULL and locking_mode=EXCLUSIVE (its shared lock taken
    // at once), for as long as this object lives. Elsewhere it does
    // nothing and active() is false: PostgreSQL (the server has its own
    // log), an in-memory database, a file already in a rollback-journal mode.
    // Throws InvalidQuery inside a transaction (SQLite cannot change the
    // journal mode there) and on a Database opened read_only (a load
    // writes), and OperationalError naming the file when another
    // connection has it open (SQLite refuses to leave WAL then); nothing is
    // changed when it throws.
    explicit ExclusiveLoad(Database& db);
    // Puts back WAL, the old synchronous setting and the normal locking
    // mode (the lock goes with the switch back). Never throws: if SQLite
    // refuses (another connection opened the file meanwhile), the file stays
    // in the rollback journal, which is safe, and the next Database folio
    // opens on it asks for WAL again.
    ~ExclusiveLoad();
    ExclusiveLoad(const ExclusiveLoad&) = delete;
    ExclusiveLoad& operator=(const ExclusiveLoad&) = delete;

    // True when the journal was switched (and will be put back).
    bool active() const noexcept { return mode_ != nullptr; }

private:
    std::unique_ptr<backend::ScopedTuning> mode_;
};

} // namespace folio
