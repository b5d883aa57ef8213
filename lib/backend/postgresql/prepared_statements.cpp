// prepared_statements.cpp: PQprepare/PQdescribePrepared on a miss, DEALLOCATE on eviction.
#include "lib/backend/postgresql/prepared_statements.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/postgresql/connection.hpp"
#include "lib/backend/postgresql/sql_scan.hpp"

namespace folio::backend::postgresql {

namespace {
struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// libpq before version 16 takes a ParameterDescription message longer than
// 30,000 bytes for a broken stream ("lost synchronization with server") and
// drops the connection: PQdescribePrepared fails for a statement of more than
// about 7,500 parameters, such as a bulk INSERT sized to the 65,535 limit.
constexpr long describable_parameters = 7000;

// The highest $n in `sql` (an upper bound of its parameters: $n inside a
// string literal counts too, which only sends it down the safe path).
long highest_placeholder(std::string_view sql) {
    long highest = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] != '$') continue;
        long n = 0;
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9' && n < 1000000) n = n * 10 + (sql[j++] - '0');
        highest = std::max(highest, n);
    }
    return highest;
}

// "{23,25,17}" (parameter_types::oid[] as text) → the OIDs.
std::vector<Oid> parse_oid_array(std::string_view text) {
    std::vector<Oid> out;
    Oid current = 0;
    bool any = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            current = current * 10 + static_cast<Oid>(c - '0');
            any = true;
        } else if (c == ',' || c == '}') {
            if (any) out.push_back(current);
            current = 0;
            any = false;
        }
    }
    return out;
}
} // namespace

PreparedStatements::PreparedStatements(Connection& connection, std::size_t capacity)
    : connection_(connection), capacity_(capacity == 0 ? 1 : capacity) {}

PreparedStatement& PreparedStatements::acquire(std::string_view sql) {
    if (auto it = by_sql_.find(sql); it != by_sql_.end()) {
        PreparedStatement& entry = *it->second;
        ++stats_.hits;
        lru_.splice(lru_.begin(), lru_, entry.lru_pos);
        ++entry.users;
        return entry;
    }
    connection_.make_idle();
    PGconn* conn = connection_.handle();
    auto entry = std::make_unique<PreparedStatement>();
    entry->name = fmt::format("folio_{}", next_name_++);
    // Parameter types are left to the server (nParams 0): it infers each $n
    // from where it stands, and describing tells us what it chose.
    const std::string text(sql);
    Result prepared(PQprepare(conn, entry->name.c_str(), text.c_str(), 0, nullptr));
    if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
        // The server refuses several commands in one prepare as a syntax
        // error; say what it is, as SQLite's backend does (nothing ran).
        if (split_statements(sql).size() > 1)
            throw Error(fmt::format("Several SQL statements in one prepare (none is run; use "
                                    "Database::execute_script for a script): \"{}\"",
                                    sql));
        connection_.raise(prepared.get(), sql);
    }
    if (highest_placeholder(sql) <= describable_parameters) {
        Result described(PQdescribePrepared(conn, entry->name.c_str()));
        if (!described || PQresultStatus(described.get()) != PGRES_COMMAND_OK) connection_.raise(described.get(), sql);
        const int n = PQnparams(described.get());
        entry->parameter_types.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) entry->parameter_types.push_back(PQparamtype(described.get(), i));
    } else {
        // The same types from the server's view of this session's statements.
        const char* name[] = {entry->name.c_str()};
        Result types(PQexecParams(conn, "SELECT parameter_types::oid[] FROM pg_prepared_statements WHERE name = $1", 1,
                                  nullptr, name, nullptr, nullptr, 0));
        if (!types || PQresultStatus(types.get()) != PGRES_TUPLES_OK || PQntuples(types.get()) != 1)
            connection_.raise(types.get(), sql);
        entry->parameter_types = parse_oid_array(PQgetvalue(types.get(), 0, 0));
    }
    ++stats_.misses;

    auto [it, inserted] = by_sql_.emplace(text, std::move(entry));
    PreparedStatement& e = *it->second;
    e.sql = &it->first;
    e.users = 1;
    lru_.push_front(&e);
    e.lru_pos = lru_.begin();
    evict_over_capacity();
    return e;
}

void PreparedStatements::release(PreparedStatement& statement) noexcept {
    if (statement.users > 0) --statement.users;
}

void PreparedStatements::deallocate(PreparedStatement& statement) {
    // The name is folio's own ("folio_N"), never user input.
    connection_.execute_script(fmt::format("DEALLOCATE \"{}\"", statement.name));
}

void PreparedStatements::evict_over_capacity() {
    // From the least recently used end, skipping statements in use.
    auto it = lru_.end();
    while (by_sql_.size() > capacity_ && it != lru_.begin()) {
        --it;
        PreparedStatement* victim = *it;
        if (victim->users > 0) continue;
        deallocate(*victim);
        it = lru_.erase(it);
        by_sql_.erase(by_sql_.find(*victim->sql));
        ++stats_.evictions;
    }
}

void PreparedStatements::clear() {
    for (auto it = lru_.begin(); it != lru_.end();) {
        PreparedStatement* entry = *it;
        if (entry->users > 0) {
            ++it;
            continue;
        }
        deallocate(*entry);
        it = lru_.erase(it);
        by_sql_.erase(by_sql_.find(*entry->sql));
    }
}

StatementCacheStats PreparedStatements::stats() const {
    StatementCacheStats s = stats_;
    s.idle = 0;
    s.in_use = 0;
    for (const auto& [sql, entry] : by_sql_) (entry->users > 0 ? s.in_use : s.idle) += 1;
    return s;
}

} // namespace folio::backend::postgresql
