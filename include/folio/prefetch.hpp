// prefetch.hpp: prefetch_related_objects(), Django's function of that name:
// the prefetch_related() queries run for objects however they were loaded.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "folio/errors.hpp"
#include "folio/queryset.hpp"

namespace folio {

// Django's prefetch_related_objects(instances, *lookups): runs the
// prefetch_related(`paths`) queries for `objects`, however they were loaded
// (a page without the look-ahead row that told whether a next page exists,
// objects kept from an earlier request), and attaches the results as an
// evaluation's prefetch does: one statement per level (per chunk of ~32k
// ids). The objects must have been loaded or saved through one Database
// (InvalidQuery otherwise); unknown paths throw InvalidQuery as
// prefetch_related() does. Thread-safety: as that Database.
template <class T>
void prefetch_related_objects(std::span<T> objects, std::vector<std::string> paths) {
    if (objects.empty()) return;
    Database* db = objects.front().database();
    std::vector<Object*> ptrs;
    ptrs.reserve(objects.size());
    for (T& o : objects) {
        if (!o.database() || o.database() != db)
            throw InvalidQuery("prefetch_related_objects(): every object must be loaded or saved through one Database");
        ptrs.push_back(&o);
    }
    QuerySet<T>(*db).prefetch_related(std::move(paths)).prefetch(ptrs);
}

} // namespace folio
