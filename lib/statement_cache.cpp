// statement_cache.cpp: LRU cache of prepared statements keyed by SQL text,
// with checked-out handles so re-entrant use of one SQL gets its own handle.
#include "folio/statement_cache.hpp"

#include <atomic>
#include <cassert>

#include "lib/backend/connection.hpp"

namespace folio {

namespace {
// Epochs are drawn from one counter for the whole process, so a cache made
// at the address of a closed one never shows an epoch the old one had.
std::uint64_t next_epoch() noexcept {
    static std::atomic<std::uint64_t> counter{1};
    return counter.fetch_add(1, std::memory_order_relaxed);
}
} // namespace

StatementCache::StatementCache(backend::Connection& connection, std::size_t capacity)
    : connection_(connection), capacity_(capacity), epoch_(next_epoch()) {}

StatementCache::~StatementCache() {
    // Checked-out statements must be gone before the cache (they live on the
    // stack of code using the Database, which the Database outlives).
    assert(stats_.in_use == 0);
    for (auto& [sql, entries] : by_sql_)
        for (auto& e : entries) delete e->stmt;
}

detail::CachedStatement* StatementCache::acquire(HashedSql hashed) {
    const std::string_view sql = hashed.sql;
    auto it = by_sql_.find(hashed);
    if (it != by_sql_.end()) {
        for (auto& e : it->second)
            if (!e->in_use) return reacquire(e.get(), epoch_);
    }
    std::unique_ptr<backend::Statement> stmt = connection_.prepare(sql);
    ++stats_.misses;
    if (it == by_sql_.end()) it = by_sql_.emplace(std::string(sql), std::vector<std::unique_ptr<detail::CachedStatement>>{}).first;
    auto entry = std::make_unique<detail::CachedStatement>();
    entry->stmt = stmt.release();
    entry->sql = &it->first;
    entry->in_use = true;
    entry->transaction_control = connection_.is_transaction_control(sql);
    entry->keep = connection_.keep_prepared(sql);
    detail::CachedStatement* raw = entry.get();
    it->second.push_back(std::move(entry));
    by_handle_.emplace(raw->stmt, raw);
    ++stats_.in_use;
    return raw;
}

detail::CachedStatement* StatementCache::reacquire(detail::CachedStatement* entry, std::uint64_t epoch) noexcept {
    // The same epoch means no handle was finalized since `entry` was seen,
    // so it is still one of ours.
    if (epoch != epoch_ || entry == nullptr || entry->in_use) return nullptr;
    lru_unlink(entry);
    entry->in_use = true;
    ++stats_.hits;
    --stats_.idle;
    ++stats_.in_use;
    return entry;
}

void StatementCache::release(detail::CachedStatement* entry) noexcept {
    assert(entry && entry->in_use);
    // reset first: the backend reports the finished run to the trace here,
    // and the log still needs the recorded arguments.
    entry->stmt->reset();
    entry->stmt->clear_bindings();
    entry->args.clear();
    entry->args_missed = false;
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
    epoch_ = next_epoch();  // entries remembered with the old epoch are no longer ours to trust
    by_handle_.erase(entry->stmt);
    delete entry->stmt;
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

detail::CachedStatement* StatementCache::find(const backend::Statement* stmt) const noexcept {
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
