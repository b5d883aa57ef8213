// prepared_statements.hpp (internal): the PostgreSQL statement cache, named
// prepared statements per connection.
//
// The counterpart of folio::StatementCache: keyed by SQL text, each distinct
// text is prepared once on the server (PQprepare as "folio_N") and described
// once (PQdescribePrepared: the parameter types the server inferred, which
// values.hpp uses to encode each argument; past ~7,000 parameters, where
// libpq 15 cannot read the description, from pg_prepared_statements). Up to `capacity` statements are
// kept, least recently used first out (DEALLOCATE). Unlike an SQLite handle,
// a server-side prepared statement carries no cursor, so the same entry
// serves every Statement of that text at once; one in use is never evicted.
// The counters are StatementCache's: hits, misses, evictions, idle, in_use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <libpq-fe.h>

#include "folio/statement_cache.hpp"

namespace folio::backend::postgresql {

class Connection;

struct PreparedStatement {
    std::string name;                // "folio_12", unique on its connection
    const std::string* sql = nullptr;  // the cache key, owned by the map
    std::vector<Oid> parameter_types;  // as the server inferred them
    int users = 0;                   // Statements holding it now
    std::list<PreparedStatement*>::iterator lru_pos;
};

// Owned by a Connection; not thread-safe (neither is the Connection).
class PreparedStatements {
public:
    PreparedStatements(Connection& connection, std::size_t capacity);
    PreparedStatements(const PreparedStatements&) = delete;
    PreparedStatements& operator=(const PreparedStatements&) = delete;

    // The prepared statement for `sql`, preparing (and describing) it on a
    // miss; give it back with release(). Throws the mapped folio::Error when
    // the server refuses the SQL (nothing is cached then).
    PreparedStatement& acquire(std::string_view sql);
    void release(PreparedStatement& statement) noexcept;

    StatementCacheStats stats() const;
    std::size_t capacity() const noexcept { return capacity_; }
    // Deallocates every statement not in use (after migrations changed the
    // schema, as on SQLite). Throws the mapped error if the server refuses.
    void clear();

private:
    void evict_over_capacity();
    void deallocate(PreparedStatement& statement);

    Connection& connection_;
    std::size_t capacity_;
    std::uint64_t next_name_ = 1;
    // Looked up by string_view, without copying the SQL (transparent hash).
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::unique_ptr<PreparedStatement>, Hash, std::equal_to<>> by_sql_;
    std::list<PreparedStatement*> lru_;  // most recently used first
    StatementCacheStats stats_;
};

} // namespace folio::backend::postgresql
