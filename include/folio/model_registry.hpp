// model_registry.hpp: the process-wide registry of models (Django's app
// registry): declaring a model (ModelDefinition), and the reverse relations
// other models declare onto it (find_reverse), which is how a user's model
// with a foreign key to Article adds Article's "comments" without touching
// Article's declaration.
//
// Thread-safety: every function here may be called from any thread, also
// while other threads declare models or look relations up for the first time
// (no lock is held while calling into model metadata).
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "folio/model_meta.hpp"

namespace folio {

// Registers a model so that reverse relations onto other models resolve.
// ModelDefinition does this when a model's meta is first built. `meta` must
// live as long as the process (a function-local static, as ModelDefinition
// keeps it). Throws folio::Error when the model declares more than kMaxFields
// fields or its fields[0] is not the primary key. Thread-safe.
void register_model(const ModelMeta& meta);
// The relation named `name` that points at `target` from a registered model
// (Author "articles" from Article.author), or nullopt. Returned by value: it
// holds pointers into the metadata only, which never moves. Thread-safe, and
// safe to call while models are still being declared (no lock is held while
// it calls into other models' metadata). Throws only std::bad_alloc.
std::optional<ReverseRelation> find_reverse(const ModelMeta& target, std::string_view name);

// Declares a model's metadata once, in T::meta():
//
//     const folio::ModelMeta& Comment::meta() {
//         static const folio::ModelDefinition<Comment> def({.name = "Comment", ...});
//         return def.meta;
//     }
//
// It wires the factory that creates T instances and registers the model so
// that reverse relations onto other models resolve.
template <class T>
struct ModelDefinition {
    ModelMeta meta;
    explicit ModelDefinition(ModelMeta m) : meta(std::move(m)) {
        meta.make = [] { return std::unique_ptr<Object>(new T()); };
        register_model(meta);
    }
};

// Makes sure T is registered (its meta built) before reverse lookups need it.
template <class T>
void register_model() {
    (void)T::meta();
}

} // namespace folio
