// compiled_cache.cpp: shape keys and the per-thread map from shape to SQL.
#include "lib/query/compiled_cache.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace folio::detail {

namespace {

// Appends `s` with its length first, so no sequence of names can pass for
// another.
void add(std::string& key, std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(s);
}

void add_all(std::string& key, char tag, const std::vector<std::string>& list) {
    key += tag;
    const auto n = static_cast<std::uint32_t>(list.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    for (const auto& s : list) add(key, s);
}

// Everything the rendered text of `q` as `kind` depends on. The values (the
// where-tree's, the slice's bounds) are bound and stay out, except where
// their form changes the text (in the where shape; an OFFSET of 0 is left out).
void shape_key(std::string& key, const Query& q, Evaluation kind) {
    const bool select = kind == Evaluation::Select;  // COUNT and EXISTS select no columns
    // A fixed head in one append: the kind, the model, the flags, and which
    // lists follow (most queries have none: a get() by one field).
    struct Head {
        const ModelMeta* model;
        char kind, reversed, slice, has_only, lists;
    } head{q.model, static_cast<char>(kind), q.reversed ? 'r' : '-', !q.sliced ? '-' : q.offset ? 'O' : 'L',
           select && q.has_only ? 'y' : '-',
           static_cast<char>('@' | (q.order_by.empty() ? 0 : 1) |
                             (select && !q.select_related.empty() ? 2 : 0) |
                             (select && !q.deferred.empty() ? 4 : 0) | (select && !q.only.empty() ? 8 : 0))};
    key.assign(reinterpret_cast<const char*>(&head), offsetof(Head, lists) + 1);
    add(key, q.where.shape);
    if (head.lists == '@') return;
    add_all(key, 'o', q.order_by);
    if (!select) return;
    add_all(key, 's', q.select_related);
    add_all(key, 'd', q.deferred);
    add_all(key, 'y', q.only);
}

struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};

using Map = std::unordered_map<std::string, std::shared_ptr<const CompiledSelect>, KeyHash, std::equal_to<>>;

// One map per dialect (a thread meets one or two): the vendor stays out of
// every key, which a lookup would otherwise hash and compare each time.
struct DialectCache {
    std::string vendor;
    Map map;
};

Map& cache_of(std::string_view vendor) {
    // vendor() is text of static storage (its contract), so the same
    // pointer is the same vendor: the hot path compares no text.
    thread_local std::string_view last;
    thread_local Map* last_map = nullptr;
    if (vendor.data() == last.data() && vendor.size() == last.size()) return *last_map;
    thread_local std::vector<std::unique_ptr<DialectCache>> caches;  // stable addresses
    auto it = std::find_if(caches.begin(), caches.end(), [&](const auto& c) { return c->vendor == vendor; });
    if (it == caches.end())
        it = caches.insert(caches.end(), std::make_unique<DialectCache>(DialectCache{std::string(vendor), {}}));
    last = vendor;
    last_map = &(*it)->map;
    return *last_map;
}

std::shared_ptr<const CompiledSelect> render(const backend::Operations& ops, const Query& q, Evaluation kind) {
    auto out = std::make_shared<CompiledSelect>();
    switch (kind) {
    case Evaluation::Select: *out = render_select(ops, q); break;
    case Evaluation::Count: out->sql = render_count(ops, q); break;
    case Evaluation::Exists: out->sql = render_exists(ops, q); break;
    }
    out->sql_hash = HashedSql(out->sql).hash;
    return out;
}

thread_local CompiledCacheStats stats;

} // namespace

CompiledCacheStats compiled_cache_stats() noexcept { return stats; }

std::shared_ptr<const CompiledSelect> compiled(const backend::Operations& ops, const Query& q, Evaluation kind) {
    Map& cache = cache_of(ops.vendor());
    thread_local std::string key;  // reused: a hit builds its key without allocating
    // The entry found last, compared first (a loop of get() evaluates one
    // shape): no hashing, no bucket walk. `last_map` tells the dialect.
    thread_local std::string last_key;
    thread_local const Map* last_map = nullptr;
    thread_local std::shared_ptr<const CompiledSelect> last;
    shape_key(key, q, kind);
    if (last_map == &cache && key == last_key) {
        ++stats.hits;
        return last;
    }
    auto it = cache.find(std::string_view(key));
    if (it == cache.end()) {
        auto entry = render(ops, q, kind);
        ++stats.renders;
        if (cache.size() >= kCompiledCacheCapacity) cache.clear();
        it = cache.emplace(key, std::move(entry)).first;
    } else {
        ++stats.hits;
    }
    last_key = key;
    last_map = &cache;
    last = it->second;
    return last;
}

} // namespace folio::detail
