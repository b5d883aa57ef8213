// statement_cache.hpp: the prepared-statement cache every folio statement goes through.
//
// Preparing is a large part of a small query's cost (parsing, planning), so
// folio prepares each distinct SQL text once and keeps the handle. The cache
// is keyed by SQL text and holds up to `capacity` idle handles, evicting the
// least recently used. A handle in use is checked out: if the same SQL is
// needed again before it comes back (a loop that runs the same query inside
// its own iteration), a second handle is prepared instead of resetting the
// first under the feet of its user. The handles are the backend's
// (lib/backend/connection.hpp): SQLite statements prepared with
// SQLITE_PREPARE_PERSISTENT, which tells SQLite they will live long, or
// PostgreSQL's named prepared statements (PQprepare), with the same counters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "folio/value.hpp"

namespace folio::backend {
class Connection;
class Statement;
} // namespace folio::backend

namespace folio {

class StatementCache;

namespace detail {
// One prepared handle and what the SQL log needs to know about its current run.
struct CachedStatement {
    backend::Statement* stmt = nullptr;  // owned by the cache
    const std::string* sql = nullptr;  // the cache key, owned by the cache map
    std::vector<Value> args;           // recorded only while the log listens
    // A value was bound while no listener needed arguments since the entry
    // was checked out: `args` may lack it or hold an older value in its
    // place, so the log says "args unknown" instead of showing them.
    bool args_missed = false;
    bool in_use = false;
    bool transaction_control = false;  // BEGIN/COMMIT/SAVEPOINT/...
    bool keep = true;                  // false for EXPLAIN, see StatementCache::acquire
    // Neighbours in the cache's list of idle handles (most recent first);
    // kept in the entry so checking out and in allocates nothing.
    CachedStatement* lru_prev = nullptr;
    CachedStatement* lru_next = nullptr;
};
} // namespace detail

// SQL text with its hash (std::hash<std::string_view> of `sql`), for a
// caller that runs the same text many times and keeps the hash with it (the
// compiled-query cache does), so a lookup in the cache hashes nothing. The
// text must outlive the call it is passed to.
struct HashedSql {
    std::string_view sql;
    std::size_t hash = 0;
    explicit HashedSql(std::string_view text) : sql(text), hash(std::hash<std::string_view>()(text)) {}
    HashedSql(std::string_view text, std::size_t text_hash) : sql(text), hash(text_hash) {}
};

struct StatementCacheStats {
    std::uint64_t hits = 0;       // acquire() served by an idle handle
    std::uint64_t misses = 0;     // acquire() had to prepare
    std::uint64_t evictions = 0;  // idle handles finalized to stay within capacity
    std::size_t idle = 0;         // handles held now, idle
    std::size_t in_use = 0;       // handles checked out now
};

// Owned by a Database; not thread-safe (neither is the Database).
class StatementCache {
public:
    // `connection` prepares the handles; it outlives the cache.
    StatementCache(backend::Connection& connection, std::size_t capacity);
    ~StatementCache();
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    // Checks out a handle for `sql`, preparing it on a miss. The handle comes
    // back through release(); callers use folio::Statement, which does that.
    // Throws folio::Error subclasses when the backend cannot prepare the SQL,
    // and folio::Error when `sql` holds more than one statement (SQLite would
    // prepare the first and silently ignore the rest; Database::execute_script
    // runs several).
    detail::CachedStatement* acquire(std::string_view sql) { return acquire(HashedSql(sql)); }
    // The same, with the hash computed by the caller (`sql.hash` must be
    // std::hash<std::string_view>()(sql.sql)).
    detail::CachedStatement* acquire(HashedSql sql);
    // Resets the handle, clears its bindings and makes it idle again (or
    // finalizes it when the cache is over capacity).
    void release(detail::CachedStatement* entry) noexcept;

    // A number that changes whenever this cache finalizes a handle (eviction,
    // clear(), a release() while disabled or over capacity), and that no
    // other cache of the process ever has. A caller that remembered an entry
    // of acquire() together with the epoch of that moment may check it out
    // again with reacquire() while the epoch is the same, without looking up
    // its SQL text (the compiled-query cache does, for get()).
    std::uint64_t epoch() const noexcept { return epoch_; }
    // Checks `entry` out again when `epoch` is still this cache's epoch (so
    // the entry still exists) and the entry is idle, counting a hit as
    // acquire() would; nullptr otherwise (the caller then uses acquire()).
    // Never prepares, never throws.
    detail::CachedStatement* reacquire(detail::CachedStatement* entry, std::uint64_t epoch) noexcept;

    // The entry owning a backend handle (Statement::backend()), or nullptr
    // for one this cache did not prepare. Used by the SQL log to find bound
    // values.
    detail::CachedStatement* find(const backend::Statement* stmt) const noexcept;

    StatementCacheStats stats() const noexcept;
    std::size_t capacity() const noexcept { return capacity_; }
    // Changes the capacity; evicts idle handles at once if needed.
    void set_capacity(std::size_t capacity);
    // Finalizes every idle handle (e.g. before closing, or after a schema change).
    void clear() noexcept;
    // When false, every release() finalizes: the "prepare every time" baseline.
    void set_enabled(bool enabled) { enabled_ = enabled; }
    bool enabled() const noexcept { return enabled_; }

private:
    void evict_to(std::size_t target) noexcept;
    void destroy(detail::CachedStatement* entry) noexcept;
    void lru_unlink(detail::CachedStatement* entry) noexcept;
    void lru_push_front(detail::CachedStatement* entry) noexcept;

    backend::Connection& connection_;
    std::size_t capacity_;
    bool enabled_ = true;
    std::uint64_t epoch_;  // see epoch(); from a process-wide counter
    // Looked up by HashedSql: a hit copies no SQL text and hashes none.
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
        std::size_t operator()(const HashedSql& s) const noexcept { return s.hash; }
    };
    struct SqlEqual {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
        bool operator()(const HashedSql& a, std::string_view b) const noexcept { return a.sql == b; }
        bool operator()(std::string_view a, const HashedSql& b) const noexcept { return a == b.sql; }
    };
    // SQL text -> every handle prepared for it (idle or checked out).
    std::unordered_map<std::string, std::vector<std::unique_ptr<detail::CachedStatement>>, SqlHash, SqlEqual> by_sql_;
    std::unordered_map<const backend::Statement*, detail::CachedStatement*> by_handle_;
    detail::CachedStatement* lru_front_ = nullptr;  // idle handles, most recent first
    detail::CachedStatement* lru_back_ = nullptr;
    StatementCacheStats stats_;
};

} // namespace folio
