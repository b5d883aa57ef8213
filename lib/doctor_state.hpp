// doctor_state.hpp (internal): what the query doctor keeps while it is on,
// and the hooks the core calls. The core calls a hook only after its own
// one-branch check (an object's or a QuerySet's origin id, or
// Database::doctor()), so nothing here runs while the doctor is off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "folio/doctor.hpp"
#include "folio/explain.hpp"
#include "folio/model.hpp"

namespace folio {
class Database;
class Statement;
namespace detail {
struct Query;
struct CompiledSelect;

// One QuerySet evaluation, whose objects carry its id as their origin; or
// (lazy_target) the objects lazy FK loads of one relation produced.
struct Record {
    const ModelMeta* model = nullptr;
    std::string sql;
    std::int64_t rows = 0;
    bool lazy_target = false;
    std::string relation;     // lazy_target: "Article.author"
    std::uint64_t loaded = 0; // fields the SELECT loaded (the row's own object)
    std::uint64_t read = 0;   // fields read through Object::get()
    std::vector<std::pair<std::string, std::size_t>> lazy;  // relation or "field:x" -> lazy loads
    struct Eager {
        std::string name;  // the first step: "author", "tags"
        bool prefetch = false;
        bool touched = false;
    };
    std::vector<Eager> eager;
    std::size_t iterations = 0;  // begin() calls
    bool used = false;           // iterated or indexed
    bool sized = false;          // size() evaluated it before anything used it
    bool sliced = false;         // slice() was served from its rows
};

// Statements of one shape run in a scope.
struct Shape {
    std::size_t count = 0;
    std::string verb;   // SELECT, INSERT, UPDATE, DELETE
    bool multi = false; // a multi-row INSERT or an IN (?, ?...) list: already a bulk form
};

struct ScopeState {
    std::size_t id = 0;
    DoctorMode mode = DoctorMode::Report;
    std::vector<Pattern> ignore;
    std::unordered_map<std::string, Shape> shapes;
    std::unordered_set<std::string> reported;  // finding keys
    std::vector<Finding> findings;
    std::size_t thrown = 0;  // findings before this index were thrown already
    // The doctor's options before this scope put its own in force (a
    // DoctorScope under an attached doctor); back in force when it closes.
    std::optional<DoctorOptions> restore;
};

struct DoctorState {
    Database* db = nullptr;  // nullptr once the Doctor detached
    DoctorOptions options;   // in force: the innermost scope's that set its own, else the Doctor's
    std::size_t listener = 0;
    std::size_t next_scope = 1;
    std::vector<ScopeState> scopes;  // [0] is the root, the Doctor's own
    std::vector<Finding> all;
    std::unordered_map<std::uint32_t, Record> records;
    std::unordered_map<std::string, std::uint32_t> lazy_targets;  // "Article.author" -> record
    std::unordered_set<std::string> explained;    // shapes an N+1 finding already names
    std::unordered_set<std::string> explain_seen; // SELECT shapes EXPLAINed or queued
    std::vector<std::string> explain_pending;
    std::unordered_map<std::string, std::int64_t> table_rows;
    std::set<std::string> count_sqls;  // interned for Count
    std::uint32_t last_id = 0;         // one-entry cache for the read hook
    Record* last = nullptr;

    // Closes the innermost scope, putting back the options it replaced.
    void pop_scope();
    Record* record(std::uint32_t id);
    void forget(std::uint32_t id);
    std::uint32_t add_record(Record r);
    // Delivers a finding to the innermost scope (once per key); throws in
    // Throw mode when `can_throw`.
    void report(Finding f, bool can_throw);
    // Adds `by` to the count of the finding filed under `key` in the
    // innermost scope and rewrites its text with what(new count); false
    // when there is none.
    bool add_to_count(const std::string& key, std::size_t by, const std::function<std::string(std::size_t)>& what);
    // Report mode's delivery: options.on_finding, or one line on stderr.
    void deliver(const Finding& f) const;
    void on_statement(const std::string& sql, bool counts);
    // End-of-scope checks on `scope`: pending EXPLAINs and statement shapes.
    void check_scope(ScopeState& scope);
    void run_explains(bool can_throw);
    // The findings one statement's plan shows: a scan filtered on a large
    // table (missing index), a large table sorted whole (unindexed sort).
    void check_plan(const std::string& sql, const std::vector<PlanStep>& plan, std::vector<Finding>& found);
    std::int64_t rows_of(const std::string& table);
};

// "SELECT ... IN (?, ?, ?)" and "... IN (1, 2)" -> "SELECT ... IN (?)"; a
// multi-row VALUES list folds to one group. `multi` tells a list was folded.
std::string statement_shape(std::string_view sql, bool* multi = nullptr);

// Hooks from the core (model.cpp, queryset.cpp).
std::uint32_t doctor_begin_fetch(Database& db, const Query& q, const CompiledSelect& cs);
void doctor_end_fetch(Database& db, std::uint32_t origin, std::int64_t rows);
Count doctor_count(Database& db, std::int64_t n, const std::string& sql);
void doctor_read(const Object& o, std::size_t field);
void doctor_deferred_load(const Object& o, std::size_t field);
void doctor_fk_cached(const Object& owner, std::size_t field);
// Before a lazy FK load; returns the origin to stamp on the loaded object.
std::uint32_t doctor_lazy_fk(const Object& owner, std::size_t field);
void doctor_set_related(const Object& owner, std::size_t field, const Object& target);
void doctor_save(const Object& o, const std::vector<std::size_t>& fields, std::uint64_t changed);

} // namespace detail
} // namespace folio
