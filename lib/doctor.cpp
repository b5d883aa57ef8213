// doctor.cpp: the query doctor's frame: attaching to a Database, scopes,
// delivering findings (callback, collection, exceptions), statement shapes
// from the SQL log, and the EXPLAIN QUERY PLAN check for missing indexes.
// The per-object and per-QuerySet hooks are in doctor_hooks.cpp.
#include "folio/doctor.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <exception>
#include <map>
#include <utility>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "folio/database.hpp"
#include "folio/explain.hpp"
#include "lib/backend/operations.hpp"
#include "lib/doctor_state.hpp"

namespace folio {

using detail::DoctorState;
using detail::ScopeState;

std::string_view to_string(Pattern p) {
    switch (p) {
    case Pattern::NPlusOne: return "N+1";
    case Pattern::RepeatedQuery: return "repeated query";
    case Pattern::OneByOneWrites: return "one-by-one writes";
    case Pattern::FullRowUpdate: return "full-row update";
    case Pattern::LargeResultCached: return "large result cached";
    case Pattern::RelatedObjectForId: return "related object loaded for its id";
    case Pattern::UnusedColumns: return "unused columns";
    case Pattern::DeferredFieldLoaded: return "deferred field loaded";
    case Pattern::MissingIndex: return "missing index";
    case Pattern::CountByFetching: return "counting by fetching";
    case Pattern::CountVsZero: return "count compared with zero";
    case Pattern::SliceAfterEvaluation: return "slicing after evaluation";
    case Pattern::UnusedEagerLoading: return "unused eager loading";
    case Pattern::UnindexedSort: return "sort without index";
    }
    return "?";
}

std::ostream& operator<<(std::ostream& out, Pattern p) { return out << to_string(p); }
std::ostream& operator<<(std::ostream& out, const Count& c) { return out << c.value(); }

std::string Finding::to_string() const {
    std::string line = fmt::format("[folio doctor] {}: {}", folio::to_string(pattern), what);
    if (!sql.empty()) line += count > 1 ? fmt::format(" ({}x: {})", count, sql) : fmt::format(" ({})", sql);
    return line + " -> fix: " + fix;
}

std::string findings_json(const std::vector<Finding>& findings) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : findings)
        out.push_back({{"pattern", std::string(to_string(f.pattern))},
                       {"what", f.what},
                       {"sql", f.sql},
                       {"count", f.count},
                       {"fix", f.fix}});
    return out.dump();
}

std::string statement_shape(std::string_view sql) { return detail::statement_shape(sql); }

namespace {
std::string join_findings(const std::vector<Finding>& findings) {
    std::string msg = fmt::format("the query doctor found {} slow pattern(s):", findings.size());
    for (const auto& f : findings) msg += "\n  " + f.to_string();
    return msg;
}
} // namespace

DoctorError::DoctorError(std::vector<Finding> findings)
    : Error(join_findings(findings)), findings_(std::move(findings)) {}

// ---- the state ----

namespace detail {

Record* DoctorState::record(std::uint32_t id) {
    if (id == last_id && last) return last;
    auto it = records.find(id);
    if (it == records.end()) return nullptr;
    last_id = id;
    last = &it->second;
    return last;
}

void DoctorState::forget(std::uint32_t id) {
    if (id == last_id) last = nullptr;
    records.erase(id);
}

std::uint32_t DoctorState::add_record(Record r) {
    // Ids are unique across doctors, so an object stamped by an earlier
    // doctor is never mistaken for one of this doctor's evaluations.
    static std::atomic<std::uint32_t> next{0};  // Databases (and doctors) may live on several threads
    std::uint32_t id = ++next;
    if (id == 0) id = ++next;  // 0 means "no origin"
    records.emplace(id, std::move(r));
    return id;
}

void DoctorState::report(Finding f, bool can_throw) {
    ScopeState& scope = scopes.back();
    if (std::find(scope.ignore.begin(), scope.ignore.end(), f.pattern) != scope.ignore.end()) return;
    if (!scope.reported.insert(f.key).second) return;  // once per call-site kind and scope
    all.push_back(f);
    scope.findings.push_back(f);
    switch (scope.mode) {
    case DoctorMode::Report: deliver(f); break;
    case DoctorMode::Collect: break;
    case DoctorMode::Throw:
        if (can_throw) {
            scope.thrown = scope.findings.size();
            throw DoctorError({std::move(f)});
        }
        break;  // thrown when the scope closes
    }
}

bool DoctorState::add_to_count(const std::string& key, std::size_t by,
                               const std::function<std::string(std::size_t)>& what) {
    ScopeState& scope = scopes.back();
    auto mine = std::find_if(scope.findings.rbegin(), scope.findings.rend(), [&](const Finding& f) { return f.key == key; });
    if (mine == scope.findings.rend()) return false;
    mine->count += by;
    mine->what = what(mine->count);
    // The same finding in the Doctor's list of all of them: the latest filed.
    auto in_all = std::find_if(all.rbegin(), all.rend(), [&](const Finding& f) { return f.key == key; });
    if (in_all != all.rend()) {
        in_all->count = mine->count;
        in_all->what = mine->what;
    }
    return true;
}

void DoctorState::pop_scope() {
    if (scopes.back().restore) options = std::move(*scopes.back().restore);
    scopes.pop_back();
}

void DoctorState::deliver(const Finding& f) const {
    if (options.on_finding) options.on_finding(f);
    else std::cerr << f.to_string() << '\n';
}

std::string statement_shape(std::string_view sql, bool* multi) {
    // Literals become ?, so raw SQL with values inlined groups like folio's own.
    std::string out;
    out.reserve(sql.size());
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (c == '\'') {
            std::size_t j = i + 1;
            while (j < sql.size() && !(sql[j] == '\'' && (j + 1 >= sql.size() || sql[j + 1] != '\''))) j += sql[j] == '\'' ? 2 : 1;
            out += '?';
            i = j;
        } else if (std::isdigit(static_cast<unsigned char>(c)) &&
                   (out.empty() || !(std::isalnum(static_cast<unsigned char>(out.back())) || out.back() == '_' ||
                                     out.back() == '"'))) {
            while (i + 1 < sql.size() && (std::isdigit(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '.')) ++i;
            out += '?';
        } else {
            out += c;
        }
    }
    // A multi-row VALUES list or an IN list of several values is a bulk form.
    if (multi)
        *multi = out.find("), (") != std::string::npos || out.find("),(") != std::string::npos ||
                 out.find("IN (?, ?") != std::string::npos || out.find("IN (?,?") != std::string::npos;
    // Fold placeholder lists and multi-row VALUES groups.
    for (const char* pat : {"?, ?", "?,?", "(?), (?)", "(?),(?)"}) {
        const std::string p(pat);
        const std::string one = p.substr(0, p.find(','));
        for (std::size_t at = out.find(p); at != std::string::npos; at = out.find(p, at)) out.replace(at, p.size(), one);
    }
    return out;
}

void DoctorState::on_statement(const std::string& sql, bool counts) {
    if (!counts || scopes.empty()) return;
    std::size_t b = sql.find_first_not_of(" \t\r\n(");
    if (b == std::string::npos) return;
    std::string verb;
    for (std::size_t i = b; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i)
        verb += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
    if (verb == "WITH") {
        // A CTE around a write is that write (PostgreSQL's INSERT of rows
        // with ids, Operations::insert_with_keys_sql): its first word after
        // "AS (" names it; any other WITH is a SELECT.
        verb = "SELECT";
        if (std::size_t as = sql.find(" AS ("); as != std::string::npos) {
            std::string inner;
            for (std::size_t i = as + 5; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i)
                inner += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
            if (inner == "INSERT" || inner == "UPDATE" || inner == "DELETE") verb = inner;
        }
    }
    if (verb == "VALUES") verb = "SELECT";
    if (verb == "CREATE" || verb == "DROP" || verb == "ALTER") {
        // A new or dropped index changes the plans: EXPLAIN each shape again.
        explain_seen.clear();
        table_rows.clear();
        return;
    }
    if (verb != "SELECT" && verb != "INSERT" && verb != "UPDATE" && verb != "DELETE" && verb != "REPLACE") return;
    bool multi = false;
    std::string shape = statement_shape(sql, &multi);
    if (verb == "SELECT" && explain_seen.size() < 10000 && explain_seen.insert(shape).second)
        explain_pending.push_back(sql);
    Shape& s = scopes.back().shapes[std::move(shape)];
    if (s.count++ == 0) {
        s.verb = verb;
        s.multi = multi;
    }
}

void DoctorState::check_scope(ScopeState& scope) {
    run_explains(false);
    // Report in a stable order: most frequent first.
    std::vector<std::pair<const std::string*, const Shape*>> hits;
    for (const auto& [shape, s] : scope.shapes)
        if (s.count >= options.repeat_threshold && !explained.contains(shape)) hits.emplace_back(&shape, &s);
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return a.second->count != b.second->count ? a.second->count > b.second->count : *a.first < *b.first;
    });
    std::vector<Finding> found;
    for (const auto& [shape, s] : hits) {
        Finding f;
        f.sql = *shape;
        f.count = s->count;
        if (s->verb == "SELECT") {
            f.pattern = Pattern::RepeatedQuery;
            f.what = fmt::format("the same SELECT ran {} times in one scope (N+1)", s->count);
            f.fix = "fetch the rows in one query: select_related() / prefetch_related() for related objects, "
                    "filter(<field>__in=[...]) for lookups by value, only() for what is shown";
        } else if (s->multi) {
            continue;  // a bulk statement run per batch is the cure, not the disease
        } else {
            f.pattern = Pattern::OneByOneWrites;
            f.what = fmt::format("{} one row at a time, {} statements in one scope", s->verb, s->count);
            if (s->verb == "UPDATE")
                f.fix = "one QuerySet update() for all the rows (update({{\"field\", value}})), not save() per object";
            else if (s->verb == "DELETE")
                f.fix = "one QuerySet remove() (Django's QuerySet delete()): a constant number of statements";
            else
                f.fix = "bulk_create() (one INSERT per batch; bulk_link() or one add() with every target for "
                        "many-to-many links)";
        }
        // One finding per write verb and scope: removing objects one by one
        // deletes their links too (DELETE article_tags, then DELETE article),
        // which is one mistake with one fix, named once by its most
        // frequent statement (hits are sorted by count).
        f.key = std::string(to_string(f.pattern)) + ":" + (f.pattern == Pattern::OneByOneWrites ? s->verb : *shape);
        found.push_back(std::move(f));
    }
    scope.shapes.clear();
    // report() files into the innermost scope, which is `scope` when closing.
    for (auto& f : found) report(std::move(f), false);
}

std::int64_t DoctorState::rows_of(const std::string& table) {
    auto it = table_rows.find(table);
    if (it != table_rows.end()) return it->second;
    const std::int64_t n = db->operations().count_rows(*db, table);
    table_rows.emplace(table, n);
    return n;
}

namespace {
// The first column of `table` the WHERE clause of `sql` names, or "".
std::string filtered_column(const std::string& sql, const std::string& table) {
    std::size_t where = sql.find(" WHERE ");
    if (where == std::string::npos) return {};
    for (const std::string& prefix : {"\"" + table + "\".\"", table + "."}) {
        std::size_t at = sql.find(prefix, where);
        if (at == std::string::npos) continue;
        at += prefix.size();
        std::size_t end = at;
        while (end < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) ++end;
        if (end > at) return sql.substr(at, end - at);
    }
    return {};
}
} // namespace

namespace {
// The table and column of the first ORDER BY term of `sql` ("article",
// "created_at" for `ORDER BY "article"."created_at" DESC`); the table is ""
// when the term names only a column. Both are "" when the term is not a
// column (an expression such as length("bio"), or a position such as
// ORDER BY 2): an index on a column of that name would be no fix.
std::pair<std::string, std::string> order_by_column(const std::string& sql) {
    std::size_t at = sql.find(" ORDER BY ");
    if (at == std::string::npos) return {};
    at += 10;
    // A column term ends at the end, a comma, a parenthesis or a word after
    // a blank (DESC, NULLS, LIMIT); not at an operator or a call's "(".
    auto term_ends = [&] {
        std::size_t i = at;
        while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
        return i >= sql.size() || sql[i] == ',' || sql[i] == ')' || sql[i] == ';' ||
               (i > at && std::isalpha(static_cast<unsigned char>(sql[i])));
    };
    auto identifier = [&](std::string& out) {
        while (at < sql.size() && sql[at] == ' ') ++at;
        if (at < sql.size() && sql[at] == '"') {
            std::size_t end = sql.find('"', at + 1);
            if (end == std::string::npos) return false;
            out = sql.substr(at + 1, end - at - 1);
            at = end + 1;
            return true;
        }
        std::size_t end = at;
        while (end < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) ++end;
        out = sql.substr(at, end - at);
        at = end;
        return !out.empty() && !std::isdigit(static_cast<unsigned char>(out.front()));
    };
    std::string first, second;
    if (!identifier(first)) return {};
    if (at < sql.size() && sql[at] == '.') {
        ++at;
        if (identifier(second) && term_ends()) return {first, second};
        return {};
    }
    if (!term_ends()) return {};
    return {"", first};
}

} // namespace

// The rules read the plan through the backend (Operations::read_plan), so
// they are written once: a filtered full read of a large table, and a sort
// of every row of a large table for an ORDER BY.
void DoctorState::check_plan(const std::string& sql, const std::vector<PlanStep>& plan, std::vector<Finding>& found) {
    const backend::PlanReading reading = db->operations().read_plan(plan);
    for (const auto& scan : reading.scans) {
        // A read in an index's order does not filter either, but an index
        // exists there: leave it.
        if (scan.by_index || !scan.filtered) continue;
        const std::string column = filtered_column(sql, scan.table);
        if (column.empty()) continue;
        const std::int64_t rows = rows_of(scan.table);
        if (rows < options.scan_min_rows) continue;
        Finding f;
        f.pattern = Pattern::MissingIndex;
        f.what = fmt::format("the lookup reads all {} rows of {} (EXPLAIN: {})", rows, scan.table, scan.line);
        f.sql = statement_shape(sql);
        f.count = 1;
        f.fix = fmt::format("an index on {}.{} (db_index=True: {})", scan.table, column,
                            db->operations().create_index_sql(scan.table + "_" + column, scan.table, column));
        f.key = "index:" + scan.table + "." + column;
        found.push_back(std::move(f));
    }
    if (reading.sorts.empty()) return;
    // A sort of every row of a large table, to keep a few (a page): an index
    // on the ORDER BY column hands the rows over in order instead. The sort
    // and the scan belong to the same query block.
    auto [table, column] = order_by_column(sql);
    for (const auto& scan : reading.scans) {
        const auto sort = std::find_if(reading.sorts.begin(), reading.sorts.end(),
                                       [&](const backend::PlanReading::Sort& s) { return s.block == scan.block; });
        if (sort == reading.sorts.end()) continue;
        if (!table.empty() && scan.table != table) continue;
        if (column.empty()) break;
        const std::int64_t rows = rows_of(scan.table);
        if (rows < options.scan_min_rows) continue;
        // An index leading with the column is there already (PostgreSQL may
        // sort a whole read rather than walk it): a second one is no fix.
        if (!db->scalar(db->operations().index_leading_with_sql(), {Value(scan.table), Value(column)}).is_null())
            break;
        Finding f;
        f.pattern = Pattern::UnindexedSort;
        f.what = fmt::format("every row of {} ({} rows) is read and sorted for ORDER BY {} (EXPLAIN: {})",
                             scan.table, rows, column, sort->line);
        f.sql = statement_shape(sql);
        f.count = 1;
        f.fix = fmt::format("an index serving the ORDER BY (Meta.indexes / db_index=True on {}: {}), so the "
                            "database reads the first rows in order instead of sorting the table",
                            column, db->operations().create_index_sql(scan.table + "_" + column, scan.table, column));
        f.key = "sort:" + scan.table + "." + column;
        found.push_back(std::move(f));
        break;
    }
}

void DoctorState::run_explains(bool can_throw) {
    if (!db || explain_pending.empty()) return;
    std::vector<std::string> pending;
    pending.swap(explain_pending);
    std::vector<Finding> found;
    {
        // Muted: the doctor's statements (the EXPLAINs, rows_of()'s COUNT(*))
        // are not the program's.
        db->log().set_muted(true);
        struct Unmute {
            Database* db;
            ~Unmute() { db->log().set_muted(false); }
        } unmute{db};
        for (const std::string& sql : pending) {
            try {
                check_plan(sql, explain_query_plan(*db, sql), found);
            } catch (const Error&) {
                // A statement that no longer prepares (the schema changed since): nothing to say.
            }
        }
    }
    for (auto& f : found) report(std::move(f), can_throw);
}

} // namespace detail

// ---- Doctor ----

Doctor::Doctor(Database& db, Options options) : state_(std::make_shared<DoctorState>()) {
    if (db.doctor_) throw Error("a query doctor is already attached to database '" + db.path() + "'");
    state_->db = &db;
    state_->options = std::move(options);
    ScopeState root;
    root.mode = state_->options.mode;
    root.ignore = state_->options.ignore;
    state_->scopes.push_back(std::move(root));
    DoctorState* s = state_.get();
    // A statement that failed has no plan to read and no pattern to show.
    state_->listener = db.log().add_listener([s](const LoggedStatement& st) {
        if (!st.failed()) s->on_statement(st.sql, st.counts());
    }, SqlLog::ListenerNeeds::SqlOnly);
    db.doctor_ = this;
}

Doctor::~Doctor() {
    DoctorState& s = *state_;
    try {
        for (auto& scope : s.scopes) scope.mode = scope.mode == DoctorMode::Throw ? DoctorMode::Collect : scope.mode;
        while (s.scopes.size() > 1) s.pop_scope();  // scopes left open by mistake
        s.check_scope(s.scopes.back());
    } catch (...) {
        // A destructor reports, it does not throw.
    }
    s.db->log().remove_listener(s.listener);
    s.db->doctor_ = nullptr;
    s.db = nullptr;
}

const std::vector<Finding>& Doctor::findings() const noexcept { return state_->all; }
void Doctor::clear() noexcept {
    state_->all.clear();
    for (auto& scope : state_->scopes) {
        scope.findings.clear();
        scope.reported.clear();
        scope.thrown = 0;
    }
}
void Doctor::flush() { state_->check_scope(state_->scopes.back()); }
Doctor::Options& Doctor::options() noexcept { return state_->options; }
Doctor* Doctor::of(const Database& db) noexcept { return db.doctor(); }

// ---- DoctorScope ----

namespace {
// The options in force on `db` (its doctor's, or the defaults) with `mode`.
DoctorOptions in_force_with_mode(const Database& db, DoctorMode mode) {
    DoctorOptions o = db.doctor() ? db.doctor()->options() : DoctorOptions{};
    o.mode = mode;
    return o;
}
} // namespace

DoctorScope::DoctorScope(Database& db, Doctor::Mode mode) : DoctorScope(db, in_force_with_mode(db, mode)) {}

DoctorScope::DoctorScope(Database& db, DoctorOptions options) {
    Doctor* doctor = db.doctor();
    ScopeState scope;
    scope.mode = options.mode;
    scope.ignore = options.ignore;
    on_finding_ = options.on_finding;
    if (!doctor) {
        options.mode = DoctorMode::Collect;  // the root of an owned doctor stays quiet
        owned_ = std::make_unique<Doctor>(db, std::move(options));
        doctor = owned_.get();
        state_ = doctor->state();
    } else {
        // Thresholds and on_finding are the doctor's, in force for every
        // scope: this scope's replace them until it closes.
        state_ = doctor->state();
        scope.restore = std::exchange(state_->options, std::move(options));
    }
    // Table sizes are counted afresh per scope: a table that grew since an
    // earlier scope (the tour's 20,000 scratch authors) must not hide a scan.
    state_->table_rows.clear();
    scope.id = id_ = state_->next_scope++;
    state_->scopes.push_back(std::move(scope));
}

DoctorScope::~DoctorScope() {
    if (closed_) return;
    try {
        // Reported, not thrown: this may run while an exception unwinds. To
        // this scope's on_finding, which finish() took out of force.
        for (const Finding& f : finish()) {
            if (on_finding_) on_finding_(f);
            else std::cerr << f.to_string() << '\n';
        }
    } catch (...) {
        // Out of memory while reporting, or on_finding threw: a destructor does not throw.
    }
}

std::vector<Finding> DoctorScope::close() {
    if (closed_) return result_;
    std::vector<Finding> pending = finish();
    if (!pending.empty()) throw DoctorError(std::move(pending));
    return result_;
}

std::vector<Finding> DoctorScope::finish() {
    closed_ = true;
    auto& scopes = state_->scopes;
    // Already closed by an enclosing scope that closed first, or by the
    // Doctor's end: nothing of it is left (and scopes opened since are not its).
    if (std::none_of(scopes.begin() + 1, scopes.end(), [&](const ScopeState& s) { return s.id == id_; })) return {};
    // Scopes opened inside this one and left open close with it.
    while (scopes.back().id != id_) state_->pop_scope();
    ScopeState* scope = &scopes.back();
    std::exception_ptr error;
    try {
        state_->check_scope(*scope);
    } catch (...) {
        error = std::current_exception();
    }
    scope = &scopes.back();
    result_ = scope->findings;
    std::vector<Finding> pending;
    if (scope->mode == DoctorMode::Throw)
        pending.assign(scope->findings.begin() + static_cast<std::ptrdiff_t>(scope->thrown), scope->findings.end());
    state_->pop_scope();
    owned_.reset();
    if (error) std::rethrow_exception(error);
    return pending;
}

const std::vector<Finding>& DoctorScope::findings() const {
    if (closed_) return result_;
    for (const auto& s : state_->scopes)
        if (s.id == id_) return s.findings;
    return result_;
}

} // namespace folio
