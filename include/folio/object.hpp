// object.hpp: folio::Object, the base of every model instance, and Model<T>,
// the base of a typed model (Django's Model).
//
// An instance keeps its field values as a vector of Values in field order,
// which lets one generic loader, saver and validator serve every model, the
// blog's and a user's own. Typed models (blog.hpp, or a user's Comment)
// derive from Model<T> and add only typed accessors, never data members:
// folio creates instances through the meta's factory and copies them as
// Objects.
//
// Lifetime: an instance loaded or saved through a Database keeps a pointer to
// it (database()) for lazy loads, save(), remove() and refresh(): that
// Database must outlive every such use. References returned by get() and the
// typed accessors stay valid until the field is set or reloaded, or the
// instance is destroyed.
// Thread-safety: an instance is not safe for concurrent use; different
// instances may be used by different threads, each with its own Database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "folio/model_meta.hpp"
#include "folio/value.hpp"

namespace folio {

class Database;

namespace detail { struct RelationCache; struct ObjectAccess; }
template <class T>
class QuerySet;
template <class T>
class ManyToMany;

struct SaveOptions {
    // Only these fields are written (an UPDATE of just these columns), as
    // Django's save(update_fields=...).
    std::vector<std::string> update_fields;
};

// What a delete removed, per table: {"article": 3, "article_tags": 9}.
using DeleteCounts = std::map<std::string, std::int64_t>;

// Copying an instance copies its values and what it has loaded (related
// objects, prefetched lists are shared); both copies refer to the same row.
class Object {
public:
    // The model's metadata; valid for ever (model_meta.hpp).
    const ModelMeta& meta() const noexcept { return *meta_; }
    // The primary key, or 0 for an instance never saved (or removed).
    std::int64_t pk() const;
    // The Database the instance came from or was saved to (nullptr if none).
    // The instance keeps this pointer for lazy loads, save(), remove() and
    // refresh(): that Database must outlive every such call.
    Database* database() const noexcept { return db_; }

    // A field's value, by index into meta().fields or by name. Reading a
    // deferred field (defer()/only()) loads it with one query (and the log
    // shows it), as Django does. The reference stays valid until the field
    // is set, reloaded or the instance destroyed. Throws InvalidQuery for an
    // unknown field; for a deferred one, folio::Error when the instance has
    // no Database and DoesNotExist when its row is gone.
    const Value& get(std::size_t field) const;
    const Value& get(std::string_view name) const { return get(meta_->field_index(name)); }
    // Sets a field in memory only (save() writes it); unchecked until
    // validate()/save(). Setting a foreign key forgets the related object
    // loaded for the old key. Throws InvalidQuery for an unknown field.
    void set(std::size_t field, Value value);
    void set(std::string_view name, Value value) { set(meta_->field_index(name), std::move(value)); }
    // True while `field` was left out by defer()/only() and not read yet.
    bool is_deferred(std::size_t field) const noexcept { return (deferred_ >> field) & 1u; }

    // Checks every loaded field with validate_field(); throws
    // ValidationError naming the model, field and value.
    void validate() const;

    // Django's save(): an INSERT when never saved (pk() == 0, or no row has
    // that id), else an UPDATE of every loaded field (or only
    // options.update_fields). Validates first (ValidationError, nothing
    // written); one statement. The INSERT takes the id (and the db_managed
    // fields) from RETURNING. Throws InvalidQuery when update_fields names
    // the primary key, an unknown field or a db_managed one (articles_count:
    // use update() with F()), or is given for an instance never saved;
    // IntegrityError when a constraint fails (a duplicate unique value, a
    // foreign key to no row). save(db) remembers `db` as database();
    // save(options) uses database() and throws folio::Error when there is none.
    void save(Database& db, const SaveOptions& options = {});
    void save(const SaveOptions& options = {});
    // Deletes this row and its many-to-many links: one statement per M2M
    // relation plus one for the row, in one transaction when there are
    // several. Returns the rows removed per table and sets pk() to 0. Throws
    // folio::Error for an instance never saved or without a Database.
    DeleteCounts remove();
    // Reloads every field from the database (one query), forgetting loaded
    // related objects and prefetched lists. Throws DoesNotExist when the row
    // is gone, folio::Error without a Database.
    void refresh();

    // Objects prefetch_related attached for `relation`, or nullptr when the
    // relation was not prefetched. Valid until the instance is destroyed or
    // refresh()ed; the objects themselves are shared and live while held.
    const std::vector<std::shared_ptr<Object>>* prefetched(std::string_view relation) const;

protected:
    explicit Object(const ModelMeta& meta);

    const std::string& text(std::size_t field) const { return get(field).as_text(); }
    std::int64_t integer(std::size_t field) const { return get(field).as_integer(); }
    bool boolean(std::size_t field) const { return get(field).as_integer() != 0; }
    // The object a foreign key points to, loaded with one query on first use
    // (unless select_related filled it) and kept until the key is set.
    // Throws DoesNotExist when the key is NULL or points to no row.
    const Object& related_object(std::size_t fk_field) const;
    // Sets the key to `target`'s id and keeps `target` as the related
    // object; ValidationError when `target` was never saved.
    void set_related_object(std::size_t fk_field, const Object& target);
    // The rows of T related to this object through `relation` (a reverse
    // FK or an M2M), i.e. T filtered by `lookup` = this id; served from the
    // prefetch when prefetch_related loaded `relation`.
    template <class T>
    QuerySet<T> reverse_set(std::string_view relation, std::string_view lookup) const;
    template <class T>
    ManyToMany<T> many_to_many(std::string_view relation) const;
    Database& require_db(const char* what) const;

private:
    friend struct detail::ObjectAccess;

    const ModelMeta* meta_;
    mutable std::vector<Value> values_;
    mutable std::uint64_t deferred_ = 0;  // bit i set: field i not loaded
    Database* db_ = nullptr;
    mutable std::shared_ptr<detail::RelationCache> relations_;
    // Query doctor (doctor.hpp), nonzero only while it is on: the id of the
    // evaluation that loaded this object, and the fields set() since.
    std::uint32_t origin_ = 0;
    std::uint64_t changed_ = 0;
};


// Base of a typed model: T declares `static const ModelMeta& meta()`
// (model_registry.hpp shows how) and derives from Model<T>.
template <class T>
class Model : public Object {
public:
    // A new, unsaved instance: every field at its default_value.
    Model() : Object(T::meta()) {}
    // All rows of T in `db`, as a lazy QuerySet (Django's T.objects); no
    // query runs. `db` must outlive the QuerySet and what it loads.
    static QuerySet<T> objects(Database& db) { return QuerySet<T>(db); }
};

} // namespace folio
