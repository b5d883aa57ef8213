// model.hpp: model metadata and folio::Object, the base of every model instance.
//
// A model is declared once, as a ModelMeta (table, fields, relations); the
// query compiler builds all SQL from it. An instance keeps its field values
// as a vector of Values in field order, which lets one generic loader, saver
// and validator serve every model, the blog's and a user's own. Typed models
// (blog.hpp, or a user's Comment) derive from Model<T> and add only typed
// accessors, never data members: folio creates instances through the meta's
// factory and copies them as Objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "folio/value.hpp"

namespace folio {

class Database;
class Object;
struct ModelMeta;

enum class FieldType { Integer, Real, Text, Boolean, Date, ForeignKey };

struct FieldMeta {
    std::string name{};    // the name used in lookups: "author"
    std::string column{};  // the column: "author_id"
    FieldType type = FieldType::Text;
    bool primary_key = false;
    bool nullable = false;
    // The model's migrations create an index on this column alone (Django's
    // db_index=True). Declared, not discovered: the query compiler plans by
    // it (a page ordered by an indexed column is read in index order and
    // joined as is), so a declaration without its index costs speed, never
    // correctness.
    bool db_index = false;
    std::size_t max_length = 0;  // in characters (code points); 0 = unlimited
    bool email = false;          // empty, or an e-mail address
    // false: the empty string is refused (Django's blank=False). Unlike
    // Django the default is true, so models declared before it keep working;
    // as in Django, only "" is blank ("  " is a value).
    bool blank = true;
    // Maintained by the database (a trigger): never written by save() or
    // bulk_create() (an INSERT reads it back), so a stale copy in memory
    // cannot overwrite it. save(update_fields) naming it and update() with a
    // plain value raise InvalidQuery; only update() with an F() expression
    // (articles_count + 1) changes it.
    bool db_managed = false;
    Value default_value{};
    const ModelMeta& (*related)() = nullptr;  // ForeignKey: the target model
    std::string related_name{};                 // ForeignKey: the reverse name on the target ("articles")
};

struct ManyToManyMeta {
    std::string name{};  // "tags"
    const ModelMeta& (*target)() = nullptr;
    std::string through_table{};  // "article_tags"
    std::string source_column{};  // "article_id"
    std::string target_column{};  // "tag_id"
    std::string related_name{};   // the reverse name on the target ("articles")
};

struct ModelMeta {
    std::string name{};   // "Article"
    std::string table{};  // "article"
    std::vector<FieldMeta> fields{};  // fields[0] is the INTEGER PRIMARY KEY "id"
    std::vector<ManyToManyMeta> many_to_many{};
    std::function<std::unique_ptr<Object>()> make{};  // an empty instance of the right C++ type

    // A field by name ("author") or column ("author_id"); "pk" is the primary key.
    const FieldMeta* find_field(std::string_view name) const;
    // Its index; throws InvalidQuery naming the field and the model.
    std::size_t field_index(std::string_view name) const;
    const ManyToManyMeta* find_many_to_many(std::string_view name) const;
    // Names of every field and relation, for "Choices are: ..." messages.
    std::string choices() const;
};

// The relations that point at a model from others (Author.articles from
// Article.author; Tag.articles from Article.tags). Found through the
// registry, so a user's model that points at Article adds Article.comments
// without touching Article's declaration.
struct ReverseRelation {
    const ModelMeta* source = nullptr;          // the model holding the FK or M2M
    const FieldMeta* foreign_key = nullptr;     // set for a reverse FK
    const ManyToManyMeta* many_to_many = nullptr;  // set for a reverse M2M
};

// The most fields a model may declare: an instance keeps one bit per field
// for "deferred" and one for "changed".
inline constexpr std::size_t kMaxFields = 64;

// The field rules of folio, shared by every write path (save, update,
// bulk_create, get_or_create_many, the importer through Object::validate)
// so that none accepts what another refuses: NULL only where nullable (or
// db_managed); Text: text, at most max_length code points, not "" unless
// blank, an e-mail address where email; Date: a real day "YYYY-MM-DD" (the
// rule filter() applies); Integer and ForeignKey: an integer; Boolean: 0 or
// 1; Real: a number. Throws ValidationError "Model.field: why (value V)".
// `field` must be an index into meta.fields. Thread-safe (reads only).
void validate_field(const ModelMeta& meta, std::size_t field, const Value& value);

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

namespace detail { struct RelationCache; struct ObjectAccess; }
template <class T>
class QuerySet;
template <class T>
class ManyToMany;

struct SaveOptions {
    // Only these fields are written (an UPDATE of just these columns).
    std::vector<std::string> update_fields;
};

// What a delete removed, per table: {"article": 3, "article_tags": 9}.
using DeleteCounts = std::map<std::string, std::int64_t>;

class Object {
public:
    const ModelMeta& meta() const noexcept { return *meta_; }
    // The primary key, or 0 for an instance never saved.
    std::int64_t pk() const;
    // The Database the instance came from or was saved to (nullptr if none).
    // The instance keeps this pointer for lazy loads, save() and remove():
    // that Database must outlive it (or the instance must not use it again).
    Database* database() const noexcept { return db_; }

    // A field's value. Reading a deferred field loads it with one query
    // (and the log shows it), as Django does.
    const Value& get(std::size_t field) const;
    const Value& get(std::string_view name) const { return get(meta_->field_index(name)); }
    void set(std::size_t field, Value value);
    void set(std::string_view name, Value value) { set(meta_->field_index(name), std::move(value)); }
    bool is_deferred(std::size_t field) const noexcept { return (deferred_ >> field) & 1u; }

    // Checks every loaded field with validate_field(); throws
    // ValidationError naming the model, field and value.
    void validate() const;

    // INSERT when never saved, else an UPDATE of every loaded field (or only
    // options.update_fields). Validates first; one statement. The INSERT
    // takes the id (and the db_managed fields) from RETURNING. Throws
    // InvalidQuery when update_fields names the primary key, an unknown
    // field or a db_managed one (articles_count: use update() with F()).
    void save(Database& db, const SaveOptions& options = {});
    void save(const SaveOptions& options = {});
    // Deletes this row and its many-to-many links: one statement per M2M
    // relation plus one for the row. Returns the rows removed per table.
    DeleteCounts remove();
    // Reloads every field from the database (one query).
    void refresh();

    // Objects prefetch_related attached for `relation`, or nullptr when the
    // relation was not prefetched.
    const std::vector<std::shared_ptr<Object>>* prefetched(std::string_view relation) const;

protected:
    explicit Object(const ModelMeta& meta);

    const std::string& text(std::size_t field) const { return get(field).as_text(); }
    std::int64_t integer(std::size_t field) const { return get(field).as_integer(); }
    bool boolean(std::size_t field) const { return get(field).as_integer() != 0; }
    // The object a foreign key points to, loaded with one query on first use
    // (unless select_related filled it) and kept.
    const Object& related_object(std::size_t fk_field) const;
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


// Base of a typed model: T declares `static const ModelMeta& meta()`.
template <class T>
class Model : public Object {
public:
    Model() : Object(T::meta()) {}
    // All rows of T in `db`, as a lazy QuerySet (Django's T.objects).
    static QuerySet<T> objects(Database& db) { return QuerySet<T>(db); }
};

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
