// model.cpp: model metadata lookups, the registry of reverse relations, and
// the per-instance operations: lazy loading, validation, save, delete, refresh.
#include "folio/model.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <optional>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "folio/io/validate.hpp"
#include "folio/transaction.hpp"
#include "lib/doctor_state.hpp"
#include "lib/object_access.hpp"
#include "lib/query/compiler.hpp"

namespace folio {

using detail::ObjectAccess;

// ---- metadata ----

const FieldMeta* ModelMeta::find_field(std::string_view n) const {
    if (n == "pk") return &fields[0];
    for (const auto& f : fields)
        if (f.name == n || f.column == n) return &f;
    return nullptr;
}

std::size_t ModelMeta::field_index(std::string_view n) const {
    const FieldMeta* f = find_field(n);
    if (!f) throw InvalidQuery(fmt::format("Model {} has no field named '{}'. Choices are: {}", name, n, choices()));
    return static_cast<std::size_t>(f - fields.data());
}

const ManyToManyMeta* ModelMeta::find_many_to_many(std::string_view n) const {
    for (const auto& m : many_to_many)
        if (m.name == n) return &m;
    return nullptr;
}

namespace {
// The models declared so far and the reverse relations found among them.
// Invariant: the mutex is never held while calling into model metadata
// (FieldMeta::related, ManyToManyMeta::target): those functions may build a
// model's meta for the first time, which registers it (and takes the mutex),
// or wait on another thread doing so. Lookups copy the list of models under
// the lock and walk it without; reverse relations are handed out by value,
// so nothing a caller holds points into storage that a later lookup grows.
struct Registry {
    std::mutex mutex;
    std::vector<const ModelMeta*> models;
    // Keyed by (target, name); looked up with a string_view, without a copy.
    struct KeyLess {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            if (a.first != b.first) return std::less<const ModelMeta*>()(a.first, b.first);
            return std::string_view(a.second) < std::string_view(b.second);
        }
    };
    std::map<std::pair<const ModelMeta*, std::string>, ReverseRelation, KeyLess> reverse;
};
Registry& registry() {
    static Registry r;
    return r;
}
std::vector<const ModelMeta*> registered_models() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    return r.models;
}
} // namespace

void register_model(const ModelMeta& meta) {
    // The deferred-field mask (Object) and the doctor's change mask hold one
    // bit per field.
    if (meta.fields.size() > kMaxFields)
        throw Error(fmt::format("Model {} declares {} fields; folio supports at most {}", meta.name,
                                meta.fields.size(), kMaxFields));
    if (meta.fields.empty() || !meta.fields[0].primary_key)
        throw Error(fmt::format("Model {} must declare its primary key as fields[0]", meta.name));
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.models.push_back(&meta);
    r.reverse.clear();  // a new model may add reverse relations (and they are held by value elsewhere)
}

std::optional<ReverseRelation> find_reverse(const ModelMeta& target, std::string_view name) {
    Registry& r = registry();
    {
        std::lock_guard lock(r.mutex);
        auto it = r.reverse.find(std::pair<const ModelMeta*, std::string_view>(&target, name));
        if (it != r.reverse.end()) return it->second;
    }
    std::optional<ReverseRelation> found;
    for (const ModelMeta* m : registered_models()) {
        for (const auto& f : m->fields)
            if (f.type == FieldType::ForeignKey && &f.related() == &target && f.related_name == name)
                found = ReverseRelation{m, &f, nullptr};
        for (const auto& mm : m->many_to_many)
            if (!found && &mm.target() == &target && mm.related_name == name) found = ReverseRelation{m, nullptr, &mm};
        if (found) break;
    }
    if (found) {
        std::lock_guard lock(r.mutex);
        r.reverse.emplace(std::pair(&target, std::string(name)), *found);
    }
    return found;
}

std::string ModelMeta::choices() const {
    std::string out;
    auto add = [&](const std::string& n) { out += (out.empty() ? "" : ", ") + n; };
    for (const auto& f : fields) add(f.name);
    for (const auto& m : many_to_many) add(m.name);
    for (const ModelMeta* m : registered_models()) {
        for (const auto& f : m->fields)
            if (f.type == FieldType::ForeignKey && &f.related() == this) add(f.related_name);
        for (const auto& mm : m->many_to_many)
            if (&mm.target() == this) add(mm.related_name);
    }
    return out;
}

// ---- instances ----

Object::Object(const ModelMeta& meta) : meta_(&meta) {
    values_.reserve(meta.fields.size());
    for (const auto& f : meta.fields) values_.push_back(f.default_value);
}

std::int64_t Object::pk() const {
    const Value& v = values_[0];
    return v.is_integer() ? v.as_integer() : 0;
}

Database& Object::require_db(const char* what) const {
    if (!db_)
        throw Error(fmt::format("{} on a {} that was never saved nor loaded needs a database", what, meta_->name));
    return *db_;
}

const Value& Object::get(std::size_t field) const {
    if (field >= values_.size())
        throw InvalidQuery(fmt::format("Model {} has no field number {}", meta_->name, field));
    if (is_deferred(field)) {
        // Deferred by defer()/only(): load this one field now, as Django does.
        Database& db = require_db("Loading a deferred field");
        if (origin_) detail::doctor_deferred_load(*this, field);
        const Value id[] = {Value(pk())};
        Statement st = db.prepare(detail::select_by_pk_sql(db.operations(), *meta_, {field}), id);
        if (!st.step())
            throw DoesNotExist(fmt::format("{} with id {} no longer exists (loading deferred field '{}')", meta_->name,
                                           pk(), meta_->fields[field].name));
        values_[field] = st.column(0);
        deferred_ &= ~(1ull << field);
    }
    if (origin_) detail::doctor_read(*this, field);
    return values_[field];
}

void Object::set(std::size_t field, Value value) {
    if (field >= values_.size())
        throw InvalidQuery(fmt::format("Model {} has no field number {}", meta_->name, field));
    const FieldMeta& f = meta_->fields[field];
    if (f.type == FieldType::ForeignKey && relations_ && relations_->fk.size() > field && relations_->fk[field]) {
        // The cached target no longer matches the key.
        ObjectAccess::relations(*this).fk[field].reset();
    }
    values_[field] = std::move(value);
    deferred_ &= ~(1ull << field);
    if (origin_) changed_ |= 1ull << field;  // for the doctor's full-row save check
}

const Object& Object::related_object(std::size_t fk_field) const {
    if (relations_ && relations_->fk.size() > fk_field && relations_->fk[fk_field]) {
        if (origin_) detail::doctor_fk_cached(*this, fk_field);
        return *relations_->fk[fk_field];
    }
    const FieldMeta& f = meta_->fields[fk_field];
    const Value& key = get(fk_field);
    if (key.is_null()) throw DoesNotExist(fmt::format("{}.{} is NULL", meta_->name, f.name));
    const ModelMeta& target = f.related();
    Database& db = require_db("Loading a related object");
    const std::uint32_t target_origin = origin_ ? detail::doctor_lazy_fk(*this, fk_field) : 0;
    std::vector<std::size_t> all(target.fields.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    Statement st = db.prepare(detail::select_by_pk_sql(db.operations(), target, all), std::span<const Value>(&key, 1));
    if (!st.step())
        throw DoesNotExist(fmt::format("{} matching {}.{} = {} does not exist", target.name, meta_->name, f.name,
                                       key.repr()));
    std::shared_ptr<Object> obj = target.make();
    auto& vals = ObjectAccess::values(*obj);
    for (std::size_t i = 0; i < all.size(); ++i) vals[i] = st.column(static_cast<int>(i));
    obj->db_ = &db;
    obj->origin_ = target_origin;
    ObjectAccess::set_fk_object(*this, fk_field, obj);
    return *obj;
}

void Object::set_related_object(std::size_t fk_field, const Object& target) {
    if (target.pk() == 0)
        throw ValidationError(fmt::format("{}.{}: the {} must be saved before it is assigned", meta_->name,
                                          meta_->fields[fk_field].name, target.meta().name));
    if (target.origin_) detail::doctor_set_related(*this, fk_field, target);
    set(fk_field, target.pk());
    std::shared_ptr<Object> copy = target.meta().make();
    *copy = target;
    ObjectAccess::set_fk_object(*this, fk_field, std::move(copy));
}

const std::vector<std::shared_ptr<Object>>* Object::prefetched(std::string_view relation) const {
    if (!relations_) return nullptr;
    for (const auto& [name, list] : relations_->prefetched)
        if (name == relation) return &list;
    return nullptr;
}

void validate_field(const ModelMeta& meta, std::size_t field, const Value& v) {
    if (field >= meta.fields.size())
        throw InvalidQuery(fmt::format("Model {} has no field number {}", meta.name, field));
    const FieldMeta& f = meta.fields[field];
    auto fail = [&](const std::string& why) {
        throw ValidationError(fmt::format("{}.{}: {} (value {})", meta.name, f.name, why, v.repr(40)));
    };
    if (v.is_null()) {
        if (!f.nullable && !f.db_managed && !f.primary_key) fail("this field cannot be null");
        return;
    }
    // Django's ProhibitNullCharactersValidator: PostgreSQL's text cannot
    // hold U+0000, and SQLite's JSON functions (json_each, which binds long
    // lists) end a string there, so such a value would be stored on one
    // backend, refused on the other and cut when looked up in bulk. Checked
    // before the type's rules, whose messages quote the value (a date with
    // one would be cut short at it).
    if (v.is_text())
        if (const std::size_t nul = v.as_text().find('\0'); nul != std::string_view::npos)
            throw ValidationError(fmt::format("{}.{}: null characters (U+0000) are not allowed (byte {} of {})",
                                              meta.name, f.name, nul, v.as_text().size()));
    switch (f.type) {
    case FieldType::Text:
        if (!v.is_text()) fail("expected text");
        // The same rule filter() applies: text that is not UTF-8 could be
        // stored on SQLite but never looked up again (and PostgreSQL refuses
        // it). The message leaves the bytes out.
        if (const std::size_t bad = io::invalid_utf8_offset(v.as_text()); bad != std::string_view::npos)
            throw ValidationError(fmt::format("{}.{}: not valid UTF-8 (byte {} of {})", meta.name, f.name, bad,
                                              v.as_text().size()));
        if (!f.blank && v.as_text().empty()) fail("this field cannot be blank");
        if (f.max_length && io::utf8_length(v.as_text()) > f.max_length)
            fail(fmt::format("at most {} characters allowed, got {}", f.max_length, io::utf8_length(v.as_text())));
        if (f.email && !io::is_valid_email(v.as_text())) fail("not a valid e-mail address");
        break;
    case FieldType::Date:
        if (!v.is_text() || !io::is_valid_date(v.as_text())) fail("not a valid date YYYY-MM-DD");
        break;
    case FieldType::Integer:
    case FieldType::ForeignKey:
        if (!v.is_integer()) fail("expected an integer");
        break;
    case FieldType::Boolean:
        if (!v.is_integer() || (v.as_integer() != 0 && v.as_integer() != 1)) fail("expected a boolean");
        break;
    case FieldType::Real:
        if (!v.is_integer() && !v.is_real()) fail("expected a number");
        break;
    }
}

void Object::validate() const {
    for (std::size_t i = 1; i < meta_->fields.size(); ++i)
        if (!is_deferred(i)) validate_field(*meta_, i, values_[i]);
}

void Object::save(const SaveOptions& options) { save(require_db("save()"), options); }

void Object::save(Database& db, const SaveOptions& options) {
    validate();
    std::vector<std::size_t> fields;
    if (!options.update_fields.empty()) {
        if (pk() == 0)
            throw InvalidQuery(fmt::format("save(update_fields) on a {} that was never saved", meta_->name));
        for (const auto& n : options.update_fields) {
            std::size_t i = meta_->field_index(n);
            if (i == 0) throw InvalidQuery(fmt::format("Cannot update the primary key of {}", meta_->name));
            if (meta_->fields[i].db_managed)
                throw InvalidQuery(fmt::format("{}.{} is maintained by the database: save() never writes it (a stale "
                                               "copy would overwrite the real value); change it with update() and "
                                               "an F() expression",
                                               meta_->name, meta_->fields[i].name));
            fields.push_back(i);
        }
    } else {
        for (std::size_t i = 1; i < meta_->fields.size(); ++i)
            if (!meta_->fields[i].db_managed && !is_deferred(i)) fields.push_back(i);
    }
    if (origin_) {
        if (pk() != 0 && options.update_fields.empty()) detail::doctor_save(*this, fields, changed_);
        changed_ = 0;
    }
    if (pk() != 0) {
        Statement st = db.prepare(detail::update_row_sql(db.operations(), *meta_, fields));
        int k = 1;
        for (auto f : fields) st.bind(k++, values_[f]);
        st.bind(k, pk());
        if (st.execute() > 0 || !options.update_fields.empty()) {
            db_ = &db;
            return;
        }
        // No row with this id: insert it with the id, as Django does.
        fields.insert(fields.begin(), 0);
    }
    const std::vector<std::size_t> back = detail::returned_fields(*meta_);
    // With its id (fields[0] is the key): spelled so later automatic ids pass it.
    const detail::Compiled insert =
        fields.front() == 0 ? detail::insert_with_keys_sql(db.operations(), *meta_, fields, 1, back)
                            : detail::Compiled{detail::insert_sql(db.operations(), *meta_, fields, 1) +
                                                   detail::returning_sql(db.operations(), *meta_, back),
                                               {}};
    Statement st = db.prepare(insert.sql);
    int k = 1;
    for (auto f : fields) st.bind(k++, values_[f]);
    for (const Value& v : insert.params) st.bind(k++, v);
    if (!st.step()) throw Error(fmt::format("INSERT into {} returned no row", meta_->table));
    detail::store_returned(st, back, *this);
    st.execute();  // runs to the end, so the log sees a finished statement
    db_ = &db;
}

namespace detail {

std::vector<std::size_t> returned_fields(const ModelMeta& meta) {
    std::vector<std::size_t> out{0};
    for (std::size_t i = 1; i < meta.fields.size(); ++i)
        if (meta.fields[i].db_managed) out.push_back(i);
    return out;
}

void store_returned(const Statement& st, const std::vector<std::size_t>& fields, Object& o) {
    auto& vals = ObjectAccess::values(o);
    for (std::size_t c = 0; c < fields.size(); ++c) {
        vals[fields[c]] = st.column(static_cast<int>(c));
        ObjectAccess::deferred(o) &= ~(1ull << fields[c]);
    }
}

void store_assigned(const ModelMeta& meta, std::int64_t id, const std::vector<std::size_t>& fields, Object& o) {
    auto& vals = ObjectAccess::values(o);
    for (auto f : fields) {
        vals[f] = f == 0 ? Value(id) : meta.fields[f].default_value;
        ObjectAccess::deferred(o) &= ~(1ull << f);
    }
}

} // namespace detail

DeleteCounts Object::remove() {
    Database& db = require_db("remove()");
    if (pk() == 0) throw Error(fmt::format("Cannot delete a {} that was never saved", meta_->name));
    DeleteCounts counts;
    const bool links = !meta_->many_to_many.empty();
    std::optional<Transaction> tx;
    if (links) tx.emplace(db);
    for (const auto& m : meta_->many_to_many) {
        Statement st = db.prepare(detail::delete_in_sql(db.operations(), m.through_table, m.source_column, 1));
        st.bind(1, pk());
        counts[m.through_table] += st.execute();
    }
    Statement st = db.prepare(detail::delete_in_sql(db.operations(), meta_->table, meta_->fields[0].column, 1));
    st.bind(1, pk());
    counts[meta_->table] = st.execute();
    if (tx) tx->commit();
    values_[0] = Value();
    return counts;
}

void Object::refresh() {
    Database& db = require_db("refresh()");
    std::vector<std::size_t> all(meta_->fields.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const Value id[] = {Value(pk())};
    Statement st = db.prepare(detail::select_by_pk_sql(db.operations(), *meta_, all), id);
    if (!st.step()) throw DoesNotExist(fmt::format("{} with id {} does not exist", meta_->name, pk()));
    for (std::size_t i = 0; i < all.size(); ++i) values_[i] = st.column(static_cast<int>(i));
    deferred_ = 0;
    relations_.reset();
}

} // namespace folio
