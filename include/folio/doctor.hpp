// doctor.hpp: the query doctor. While it is on, it watches what a Database
// runs and how the objects it loaded are used, notices the slow patterns of
// the Django optimization guide, and names the fix in the guide's terms
// (select_related, prefetch_related, only, bulk_create, update(), count(),
// exists(), an index...). Python has this as add-ons (nplusone, Bullet,
// Django Debug Toolbar's similar queries, django-zen-queries); folio builds it in.
//
//     folio::Doctor doctor(db);            // on for its lifetime; findings go to stderr
//     ...                                  // the app runs
//
//     {   // in a test: the code path must be clean
//         folio::DoctorScope scope(db, folio::Doctor::Mode::Throw);
//         render(page);
//         scope.close();                   // throws DoctorError naming each finding
//     }
//
// Off by default. While no Doctor is attached to a Database nothing is
// tracked: objects carry no origin, no EXPLAIN runs, and each hook in the
// core is one branch on a null pointer or a zero id.
//
// How it knows where an object came from (provenance, as nplusone and Bullet
// do): every object a QuerySet evaluation loads is stamped with the id of
// that evaluation; the doctor keeps, per id, the SQL, the row count, which
// fields were read and which eager loads were used. Statements themselves
// come from the SQL log (a listener), grouped by shape (the SQL with every
// literal and placeholder list folded) within a scope.
//
// Its own statements (EXPLAIN QUERY PLAN, one COUNT(*) per large-table
// candidate) run with the SQL log muted: QueryCapture counts and --stats are
// the same with the doctor on or off.
//
// Thread-safety: like the Database it watches, one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "folio/count.hpp"
#include "folio/errors.hpp"

namespace folio {

class Database;
class Object;
class QuerySetBase;

enum class Pattern {
    NPlusOne,              // lazy FK / reverse / M2M load on objects of one multi-row query (sections 7)
    RepeatedQuery,         // the same SELECT shape run many times in one scope (N+1 without provenance)
    OneByOneWrites,        // the same INSERT / UPDATE / DELETE shape run row by row (sections 1-4)
    FullRowUpdate,         // save() rewrote every column while only some changed (section 3)
    LargeResultCached,     // a big QuerySet evaluated into memory and iterated once (section 5)
    RelatedObjectForId,    // a related object loaded only to take its id (section 6)
    UnusedColumns,         // large text columns fetched for many rows and never read (section 8)
    DeferredFieldLoaded,   // a deferred field loaded one query per object (defer/only misuse)
    MissingIndex,          // a filtered lookup scanning a large table (section 9)
    CountByFetching,       // size() fetched every row just to count them (section 10)
    CountVsZero,           // count() compared with zero (section 11)
    SliceAfterEvaluation,  // a whole QuerySet fetched, then sliced in memory (section 12)
    UnusedEagerLoading,    // select_related / prefetch_related results never touched
    UnindexedSort,         // a large table read whole and sorted for an ORDER BY (EXPLAIN QUERY PLAN's
                           // USE TEMP B-TREE FOR ORDER BY): the list page without an index (section 7)
};
// "N+1", "one-by-one writes", ...
std::string_view to_string(Pattern p);
std::ostream& operator<<(std::ostream& out, Pattern p);

struct Finding {
    Pattern pattern = Pattern::NPlusOne;
    std::string what;       // what happened: "Article.author loaded lazily for 20 objects of one query"
    std::string sql;        // the statement behind it (shape with ? placeholders)
    std::size_t count = 0;  // how many times it ran / how many objects
    std::string fix;        // the remedy, in the guide's terms
    std::string key;        // the call-site kind it is reported once for ("n+1:Article.author")

    // One line: "[folio doctor] N+1: ... (20x: SELECT ...) -> fix: select_related(\"author\")".
    std::string to_string() const;
};

// The shape of a statement, as the doctor groups statements (Django Debug
// Toolbar's "similar" queries): `sql` with every string and number literal
// replaced by ?, and lists of placeholders or VALUES rows folded to one, so
// the same query with other values or another IN-list length has the same
// shape. Pure function; thread-safe.
std::string statement_shape(std::string_view sql);

// The findings as a JSON array of {pattern, what, sql, count, fix}: the
// CLI's --stats-json "findings" value.
std::string findings_json(const std::vector<Finding>& findings);

// Thrown by a scope in Throw mode (django-zen-queries style).
class DoctorError : public Error {
public:
    explicit DoctorError(std::vector<Finding> findings);
    const std::vector<Finding>& findings() const noexcept { return findings_; }

private:
    std::vector<Finding> findings_;
};

enum class DoctorMode {
    Report,   // each finding goes to on_finding (default: one line on stderr)
    Collect,  // findings are only kept, for findings() and --stats-json
    Throw,    // a finding throws DoctorError: at once where the library can
              // throw (the call that showed the pattern), otherwise when the
              // scope closes (patterns seen in the SQL log or at destruction)
};

struct DoctorOptions {
    DoctorMode mode = DoctorMode::Report;
    // A statement shape run this many times in one scope is repeated (N+1
    // without provenance, or one-by-one writes).
    std::size_t repeat_threshold = 10;
    // This many objects of one query loading the same relation (or the same
    // deferred field) lazily is an N+1; fewer (a loop over 3) is not.
    std::size_t n_plus_one_threshold = 5;
    // A SELECT scanning a table of at least this many rows on a filtered
    // column is a missing index, and one sorting all of them for its
    // ORDER BY an unindexed sort (the table size is counted once per table).
    std::int64_t scan_min_rows = 1000;
    // An evaluation of at least this many rows iterated once: use iterator().
    std::size_t large_result_rows = 1000;
    // An unlimited text column (Django's TextField: no max_length) never
    // read is reported when one evaluation of at least this many rows
    // fetched at least this many bytes of it: the guide's "potentially huge
    // text of an article", judged by the bytes it moves. In `folio tour`, a
    // page of 20 articles of 1 KB (20 KB, section 7's "after") runs whole in
    // about 0.2 ms; 500 of them (500 KB, section 8's "before") take about
    // 9 ms, 3 ms with only().
    std::size_t unused_columns_min_rows = 10;
    std::size_t unused_columns_min_bytes = 64 * 1024;
    // Patterns not to report (e.g. UnusedColumns on a page that will get only() later).
    std::vector<Pattern> ignore;
    // Report mode's sink; empty means stderr.
    std::function<void(const Finding&)> on_finding;
};

class Doctor {
public:
    using Mode = DoctorMode;
    using Options = DoctorOptions;

    // Attaches to `db` for the lifetime of this object. One doctor per
    // Database at a time (a second one throws Error); use DoctorScope to
    // open nested scopes. The Database must outlive the Doctor.
    explicit Doctor(Database& db, Options options = {});
    // Runs the end-of-scope checks (never throws), then detaches.
    ~Doctor();
    Doctor(const Doctor&) = delete;
    Doctor& operator=(const Doctor&) = delete;

    // Every finding so far, in order (the CLI's --stats-json "findings").
    const std::vector<Finding>& findings() const noexcept;
    void clear() noexcept;
    // Runs now the checks that otherwise wait for the end of the root scope:
    // repeated statement shapes (then counted afresh) and pending EXPLAINs.
    void flush();
    // The options in force: while a DoctorScope that set its own is open,
    // that scope's (changes made to them end with it).
    Options& options() noexcept;

    // The doctor attached to `db`, or nullptr.
    static Doctor* of(const Database& db) noexcept;

    // Internal: the hooks' shared state (weakly held by QuerySet caches and Counts).
    const std::shared_ptr<detail::DoctorState>& state() const noexcept { return state_; }

private:
    std::shared_ptr<detail::DoctorState> state_;
};

// A scope of the doctor: statement shapes are counted per scope, each
// pattern is reported once per call-site kind per scope, and the scope's
// mode decides what a finding does. When `db` has no doctor, the scope
// attaches one for its own lifetime.
class DoctorScope {
public:
    // The options in force on `db` (its doctor's, or the defaults when it
    // has none), with `mode`.
    DoctorScope(Database& db, Doctor::Mode mode = Doctor::Mode::Throw);
    // Every one of `options` applies while the scope is open: mode and ignore
    // to the findings filed in this scope; the thresholds and on_finding to
    // everything the doctor judges and reports meanwhile, in this scope and
    // in scopes opened inside it that do not set their own. Under an attached
    // doctor they replace its options (Doctor::options() returns them) until
    // the scope closes, which puts the previous ones back, also when the
    // scope closes early because an enclosing scope closed first. What is
    // judged after it closes (a QuerySet destroyed later) is judged with the
    // options then in force.
    DoctorScope(Database& db, DoctorOptions options);
    // Closes the scope if close() was not called, and never throws (a
    // destructor may run while an exception unwinds, and a second one would
    // end the program). The findings close() would have thrown in Throw mode
    // are reported instead, as Report mode does: to this scope's
    // on_finding, or one line each on stderr. Call close() to have them
    // thrown.
    ~DoctorScope();
    DoctorScope(const DoctorScope&) = delete;
    DoctorScope& operator=(const DoctorScope&) = delete;

    // Runs the end-of-scope checks, closes the scope and returns its
    // findings; in Throw mode throws DoctorError with the findings not yet
    // thrown (the explicit check of a test: "this code path is clean").
    // Idempotent: a second call returns the same findings and throws nothing.
    std::vector<Finding> close();
    // The findings of this scope so far.
    const std::vector<Finding>& findings() const;

private:
    // Closes the scope; returns the Throw-mode findings not yet thrown.
    std::vector<Finding> finish();

    std::unique_ptr<Doctor> owned_;
    std::shared_ptr<detail::DoctorState> state_;
    std::function<void(const Finding&)> on_finding_;  // the destructor's sink (empty: stderr)
    std::size_t id_ = 0;
    bool closed_ = false;
    std::vector<Finding> result_;
};

namespace detail {
// Hooks called by the library, only after its own one-branch check (the
// object's origin id, or the QuerySet's). Each may throw DoctorError in
// Throw mode, except those called from destructors.
void doctor_rows_used(const QuerySetBase& qs, std::uint32_t origin, bool iterated);
void doctor_sized(const QuerySetBase& qs, std::uint32_t origin);
void doctor_slice_of_cache(const QuerySetBase& qs, std::uint32_t origin, std::size_t rows, std::size_t kept);
void doctor_relation(const Object& owner, std::string_view relation, bool prefetched, const QuerySetBase& lazy);
std::weak_ptr<DoctorState> doctor_weak(const QuerySetBase& qs);
// `row(i)` is the i-th of the `rows_left` rows still in the cache.
void doctor_cache_freed(const std::weak_ptr<DoctorState>& doctor, std::uint32_t origin, std::size_t rows_left,
                        const std::function<const Object&(std::size_t)>& row) noexcept;
} // namespace detail

} // namespace folio
