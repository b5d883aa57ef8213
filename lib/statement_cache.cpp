// statement_cache.cpp: LRU cache of prepared statements keyed by SQL text,
// with checked-out handles so re-entrant use of one SQL gets its own handle.
#include "folio/statement_cache.hpp"

#include <sqlite3.h>

#include <cassert>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/sqlite/errors.hpp"
#include "lib/backend/sqlite/operations.hpp"

namespace folio {

namespace {
// True when `sql` goes on after the statement SQLite prepared (it ends at
// `tail`) with anything but blanks, semicolons and comments.
bool has_more_statements(sqlite3* db, std::string_view sql, const char* tail) {
    if (tail == nullptr) return false;
    std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
    const std::size_t start = rest.find_first_not_of(" \t\r\n;");
    if (start == std::string_view::npos) return false;
    rest.remove_prefix(start);
    // Something is left: SQLite's parser tells a comment from a statement
    // (a statement it cannot prepare counts as one too).
    sqlite3_stmt* next = nullptr;
    const int rc = sqlite3_prepare_v2(db, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
    const bool more = rc != SQLITE_OK || next != nullptr;
    sqlite3_finalize(next);
    return more;
}
} // namespace

StatementCache::StatementCache(sqlite3* db, std::size_t capacity) : db_(db), capacity_(capacity) {}

StatementCache::~StatementCache() {
    // Checked-out statements must be gone before the cache (they live on the
    // stack of code using the Database, which the Database outlives).
    assert(stats_.in_use == 0);
    for (auto& [sql, entries] : by_sql_)
        for (auto& e : entries) sqlite3_finalize(e->stmt);
}

detail::CachedStatement* StatementCache::acquire(std::string_view sql) {
    auto it = by_sql_.find(sql);
    if (it != by_sql_.end()) {
        for (auto& e : it->second) {
            if (!e->in_use) {
                lru_unlink(e.get());
                e->in_use = true;
                ++stats_.hits;
                --stats_.idle;
                ++stats_.in_use;
                return e.get();
            }
        }
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        backend::sqlite::raise_error(db_, rc, sql);
    }
    if (stmt == nullptr) throw Error(fmt::format("no SQL statement in: \"{}\"", sql));
    if (has_more_statements(db_, sql, tail)) {
        sqlite3_finalize(stmt);
        throw Error(fmt::format("Several SQL statements in one prepare (only one is run; use "
                                "Database::execute_script for a script): \"{}\"",
                                sql));
    }
    ++stats_.misses;
    if (it == by_sql_.end()) it = by_sql_.emplace(std::string(sql), std::vector<std::unique_ptr<detail::CachedStatement>>{}).first;
    auto entry = std::make_unique<detail::CachedStatement>();
    entry->stmt = stmt;
    entry->sql = &it->first;
    entry->in_use = true;
    entry->transaction_control = backend::sqlite::is_transaction_control(sql);
    // An EXPLAIN program never checks the schema cookie, so a cached one would
    // describe a plan from before a schema change (a dropped index): never keep it.
    entry->keep = !backend::sqlite::is_explain(sql);
    detail::CachedStatement* raw = entry.get();
    it->second.push_back(std::move(entry));
    by_handle_.emplace(stmt, raw);
    ++stats_.in_use;
    return raw;
}

void StatementCache::release(detail::CachedStatement* entry) noexcept {
    assert(entry && entry->in_use);
    // reset first: SQLite reports the finished run to the trace hook here,
    // and the log still needs the recorded arguments.
    sqlite3_reset(entry->stmt);
    sqlite3_clear_bindings(entry->stmt);
    entry->args.clear();
    entry->rows = 0;
    entry->in_use = false;
    --stats_.in_use;
    if (!enabled_ || capacity_ == 0 || !entry->keep) {
        destroy(entry);
        return;
    }
    lru_push_front(entry);
    ++stats_.idle;
    evict_to(capacity_);
}

void StatementCache::evict_to(std::size_t target) noexcept {
    while (stats_.idle > target && lru_back_ != nullptr) {
        detail::CachedStatement* victim = lru_back_;
        lru_unlink(victim);
        --stats_.idle;
        ++stats_.evictions;
        destroy(victim);
    }
}

void StatementCache::lru_unlink(detail::CachedStatement* e) noexcept {
    (e->lru_prev ? e->lru_prev->lru_next : lru_front_) = e->lru_next;
    (e->lru_next ? e->lru_next->lru_prev : lru_back_) = e->lru_prev;
    e->lru_prev = e->lru_next = nullptr;
}

void StatementCache::lru_push_front(detail::CachedStatement* e) noexcept {
    e->lru_prev = nullptr;
    e->lru_next = lru_front_;
    (lru_front_ ? lru_front_->lru_prev : lru_back_) = e;
    lru_front_ = e;
}

void StatementCache::destroy(detail::CachedStatement* entry) noexcept {
    by_handle_.erase(entry->stmt);
    sqlite3_finalize(entry->stmt);
    auto it = by_sql_.find(*entry->sql);
    auto& vec = it->second;
    for (auto e = vec.begin(); e != vec.end(); ++e) {
        if (e->get() == entry) {
            vec.erase(e);
            break;
        }
    }
    if (vec.empty()) by_sql_.erase(it);
}

detail::CachedStatement* StatementCache::find(sqlite3_stmt* stmt) const noexcept {
    auto it = by_handle_.find(stmt);
    return it == by_handle_.end() ? nullptr : it->second;
}

StatementCacheStats StatementCache::stats() const noexcept { return stats_; }

void StatementCache::set_capacity(std::size_t capacity) {
    capacity_ = capacity;
    evict_to(capacity_);
}

void StatementCache::clear() noexcept { evict_to(0); }

} // namespace folio
