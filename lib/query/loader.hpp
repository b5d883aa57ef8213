// loader.hpp (internal): turning rows into objects (Django's ModelIterable)
// and attaching prefetch_related results (prefetch_related_objects).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "folio/database.hpp"
#include "folio/model.hpp"
#include "lib/query/compiler.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

// Fills `base` (and the objects select_related asks for) from the current row.
void load_row(Database& db, const Statement& st, const CompiledSelect& cs, Object& base);

// Runs the prefetch_related lookups of `q` for `objects` and attaches the results.
void prefetch_objects(Database& db, const Query& q, std::span<Object* const> objects);

// An open SELECT streaming rows (iterator()); with prefetch_related it reads
// ahead a chunk of rows, prefetches for the chunk, then hands them out.
class Cursor {
public:
    Cursor(Database& db, std::shared_ptr<const Query> q);
    bool next(Object& out);

private:
    Database& db_;
    std::shared_ptr<const Query> query_;
    std::shared_ptr<const CompiledSelect> compiled_;
    Statement statement_;
    bool done_ = false;
    std::vector<std::unique_ptr<Object>> chunk_;
    std::size_t chunk_pos_ = 0;
};

} // namespace folio::detail
