// resolve.hpp (internal): turning a Q tree into a resolved where-tree
// (Django's Query.build_filter): each path is walked over the model's
// metadata once, when filter() is called, and each value checked and
// converted to what the statement binds, in the form the Database's dialect
// binds it (`ops`: year bounds, LIKE patterns, long lists). Nothing here
// writes SQL text.
//
// The walk of a path (its fields, joins and relation, and its lookup words
// parsed) depends only on model metadata, which never changes once
// declared: each thread memoises the walks that succeeded (at most 1024;
// past that it walks without keeping), so a filter shape used again walks
// nothing and takes no lock. A bad path is never memoised and raises every
// time; the value (its type, UTF-8, its form) is checked on every call.
#pragma once

#include <string>

#include "folio/model.hpp"
#include "folio/query.hpp"
#include "lib/backend/operations.hpp"
#include "lib/query/query.hpp"

namespace folio::detail {

// `q` resolved against `model`. Throws InvalidQuery naming the field and the
// model for an unknown field, relation or lookup and for a value of the
// wrong type, and ValidationError for text that is not UTF-8.
// `ops` must outlive nothing: the tree keeps no reference to it.
Where resolve_where(const backend::Operations& ops, const ModelMeta& model, const Q& q);
// The same for Q(lookup, value), without building the Q (get()'s hot path).
Where resolve_where(const backend::Operations& ops, const ModelMeta& model, const std::string& lookup,
                    const Value& value);

// InvalidQuery: `part` of `path` is no field of `meta` (Django's "Cannot
// resolve keyword ... into field. Choices are: ...").
[[noreturn]] void throw_unknown_field(const ModelMeta& meta, const std::string& part, const std::string& path);

// True for lookup names (exact, in, lt, ...) and transforms (year, month, day).
bool is_lookup_word(const std::string& word);

} // namespace folio::detail
