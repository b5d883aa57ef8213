// compiled_cache.cpp: shape keys and the per-thread map from shape to SQL.
#include "lib/query/compiled_cache.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

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
    key.clear();
    key += static_cast<char>(kind);
    const ModelMeta* model = q.model;
    key.append(reinterpret_cast<const char*>(&model), sizeof model);
    add(key, q.where.shape);
    add_all(key, 'o', q.order_by);
    key += q.reversed ? 'r' : '-';
    key += !q.sliced ? '-' : q.offset ? 'O' : 'L';
    if (kind != Evaluation::Select) return;  // COUNT and EXISTS select no columns
    add_all(key, 's', q.select_related);
    add_all(key, 'd', q.deferred);
    key += q.has_only ? 'y' : '-';
    add_all(key, 'y', q.only);
}

struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};

using Map = std::unordered_map<std::string, std::shared_ptr<const CompiledSelect>, KeyHash, std::equal_to<>>;

std::shared_ptr<const CompiledSelect> render(const Query& q, Evaluation kind) {
    auto out = std::make_shared<CompiledSelect>();
    switch (kind) {
    case Evaluation::Select: *out = render_select(q); break;
    case Evaluation::Count: out->sql = render_count(q); break;
    case Evaluation::Exists: out->sql = render_exists(q); break;
    }
    return out;
}

thread_local CompiledCacheStats stats;

} // namespace

CompiledCacheStats compiled_cache_stats() noexcept { return stats; }

std::shared_ptr<const CompiledSelect> compiled(const Query& q, Evaluation kind) {
    thread_local Map cache;
    thread_local std::string key;  // reused: a hit builds its key without allocating
    shape_key(key, q, kind);
    if (auto it = cache.find(std::string_view(key)); it != cache.end()) {
        ++stats.hits;
        return it->second;
    }
    auto entry = render(q, kind);
    ++stats.renders;
    if (cache.size() >= kCompiledCacheCapacity) cache.clear();
    cache.emplace(key, entry);
    return entry;
}

} // namespace folio::detail
