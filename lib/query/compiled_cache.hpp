// compiled_cache.hpp (internal): the compiled-query cache. A QuerySet
// evaluated again with the same shape (the dialect, model, where-tree shape
// with its lookups and value forms, ordering, slice form, select_related,
// only(), defer(), and the kind of evaluation), whatever its values, reuses
// the SQL text and slots rendered the first time: no resolution, no
// rendering, and the statement cache then finds its prepared handle by that
// text. Each dialect (Operations::vendor()) has its own cache: Databases of
// one vendor share entries, two vendors never do.
#pragma once

#include <cstdint>
#include <memory>

#include "lib/query/compiler.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

enum class Evaluation : char { Select = 's', Count = 'c', Exists = 'e' };

// The rendered statement of `q` evaluated as `kind` in `ops`' dialect (the
// Operations of the Database it runs on; slots only for Select;
// params always empty: bind_query() binds them). Each thread keeps its own
// caches (a Database is used by one thread at a time; the SQL depends only
// on the dialect and model metadata, which never changes once registered),
// so no lock is taken; each holds at most kCompiledCacheCapacity shapes and
// starts afresh when full. The pointer stays valid while held. Throws what rendering
// throws (InvalidQuery), and then caches nothing.
std::shared_ptr<const CompiledSelect> compiled(const backend::Operations& ops, const Query& q, Evaluation kind);

inline constexpr std::size_t kCompiledCacheCapacity = 512;

// This thread's counts since it started: evaluations served from the cache,
// and those rendered (for tests and measurements).
struct CompiledCacheStats {
    std::uint64_t hits = 0;
    std::uint64_t renders = 0;
};
CompiledCacheStats compiled_cache_stats() noexcept;

} // namespace folio::detail
