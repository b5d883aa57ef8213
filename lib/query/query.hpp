// query.hpp (internal): the SQL-neutral description of a QuerySet's request
// (Django's sql.Query): model, filter tree, ordering, slice, related loading
// and the columns asked for. QuerySets share it immutably; every chained
// call copies it and changes the copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "folio/model.hpp"
#include "folio/query.hpp"

namespace folio::detail {

struct Query {
    const ModelMeta* model = nullptr;
    Q where;
    std::vector<std::string> order_by;    // "-created_at", "author__username"
    std::int64_t offset = 0;
    std::optional<std::int64_t> limit;    // rows after offset; nullopt = all
    bool sliced = false;
    bool reversed = false;                // last(): flip the ordering
    std::vector<std::string> select_related;  // FK paths: "author", "article__author"
    std::vector<std::string> prefetch;        // "tags", "articles__tags"
    std::vector<std::string> deferred;        // defer(): "content", "author__bio"
    std::vector<std::string> only;            // only(): "title", "author__username"
    bool has_only = false;
};

// Splits "a__b__c" into {"a", "b", "c"}.
std::vector<std::string> split_path(const std::string& path);

} // namespace folio::detail
