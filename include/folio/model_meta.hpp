// model_meta.hpp: a model's metadata (Django's Options, model._meta): its
// table, its fields with their rules, its many-to-many relations, and the
// field rules every write path applies (validate_field).
//
// A model is declared once, as a ModelMeta (model_registry.hpp's
// ModelDefinition); the query compiler builds all SQL from it and checks
// every name a QuerySet is given against it. Metadata is immutable once
// declared and lives as long as the process (a function-local static), so
// pointers and references into it (FieldMeta, ManyToManyMeta, ModelMeta)
// stay valid for ever and may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "folio/value.hpp"

namespace folio {

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

    // A field by name ("author") or column ("author_id"); "pk" is the
    // primary key. nullptr when there is none; never throws.
    const FieldMeta* find_field(std::string_view name) const;
    // Its index into `fields`; throws InvalidQuery naming the field and the
    // model (with the choices) when there is none.
    std::size_t field_index(std::string_view name) const;
    // The many-to-many relation declared on this model as `name` ("tags"),
    // or nullptr; reverse relations are found with find_reverse().
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
// db_managed); Text: well-formed UTF-8 without U+0000 (Django's
// ProhibitNullCharactersValidator; PostgreSQL's text cannot hold it), at most
// max_length code points, not "" unless blank, an e-mail address where email; Date: a real day "YYYY-MM-DD" (the
// rule filter() applies); Integer and ForeignKey: an integer; Boolean: 0 or
// 1; Real: a number. Throws ValidationError "Model.field: why (value V)".
// `field` must be an index into meta.fields. Thread-safe (reads only).
void validate_field(const ModelMeta& meta, std::size_t field, const Value& value);

} // namespace folio
