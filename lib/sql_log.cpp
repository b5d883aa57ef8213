// sql_log.cpp: the SQL log, fed by sqlite3_trace_v2, and scoped captures.
#include "folio/sql_log.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <ostream>
#include <utility>

#include <fmt/format.h>

#include "folio/database.hpp"
#include "lib/backend/sqlite/operations.hpp"

namespace folio {

std::string LoggedStatement::to_string() const {
    std::string line = fmt::format("({:.3f}) {}", seconds, sql);
    if (kind == Kind::Trigger) return line;
    line += "; args=(";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i) line += ", ";
        line += args[i].repr();
    }
    // A one-element tuple prints as (x,) in the guide's Python log.
    if (args.size() == 1) line += ",";
    line += ")";
    return line;
}

SqlLog::SqlLog(sqlite3* db, const StatementCache& cache) : db_(db), cache_(cache) {}

SqlLog::~SqlLog() {
    if (active_) sqlite3_trace_v2(db_, 0, nullptr, nullptr);
}

std::size_t SqlLog::add_listener(Listener listener) {
    std::size_t id = next_id_++;
    listeners_.emplace_back(id, std::move(listener));
    update_hook();
    return id;
}

void SqlLog::remove_listener(std::size_t id) {
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
    update_hook();
}

void SqlLog::update_hook() {
    bool want = !listeners_.empty();
    if (want == active_) return;
    active_ = want;
    if (want)
        sqlite3_trace_v2(db_, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, &SqlLog::trace_callback, this);
    else
        sqlite3_trace_v2(db_, 0, nullptr, nullptr);
    started_.clear();
}

void SqlLog::print_to(std::ostream* out) {
    if (printer_id_) {
        remove_listener(printer_id_);
        printer_id_ = 0;
    }
    if (out)
        printer_id_ = add_listener([out](const LoggedStatement& s) { *out << s.to_string() << '\n'; });
}

int SqlLog::trace_callback(unsigned type, void* ctx, void* p, void* x) {
    auto* self = static_cast<SqlLog*>(ctx);
    if (self->muted_) return 0;
    // Called from SQLite's C frames: nothing may unwind through them. What a
    // listener (or the recording itself) throws waits for Statement::step().
    try {
        if (type == SQLITE_TRACE_PROFILE) {
            self->on_profile(p, *static_cast<sqlite3_int64*>(x));
        } else if (type == SQLITE_TRACE_STMT) {
            // X is the SQL text for a top-level statement (reported at its end by
            // the PROFILE event, timed from here), or a "-- TRIGGER name"
            // comment when a trigger program starts (recorded now).
            const char* text = static_cast<const char*>(x);
            if (text && text[0] == '-' && text[1] == '-') self->on_trigger(text);
            else self->on_start(p);
        }
    } catch (...) {
        if (!self->listener_error_) self->listener_error_ = std::current_exception();
    }
    return 0;
}

void SqlLog::rethrow_pending() {
    std::exception_ptr e = std::exchange(listener_error_, nullptr);
    std::rethrow_exception(e);
}

void SqlLog::on_start(const void* stmt) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& [s, at] : started_)
        if (s == stmt) {
            at = now;
            return;
        }
    started_.emplace_back(stmt, now);
}

void SqlLog::on_profile(void* p, std::int64_t nanoseconds) {
    auto* stmt = static_cast<sqlite3_stmt*>(p);
    LoggedStatement s;
    // SQLite's nanoseconds are whole milliseconds (its VFS clock): use the
    // steady clock from the statement's start when we saw it.
    s.seconds = static_cast<double>(nanoseconds) / 1e9;
    const auto end = std::chrono::steady_clock::now();
    for (auto it = started_.begin(); it != started_.end(); ++it)
        if (it->first == stmt) {
            s.seconds = std::chrono::duration<double>(end - it->second).count();
            started_.erase(it);
            break;
        }
    if (const detail::CachedStatement* e = cache_.find(stmt)) {
        s.sql = *e->sql;
        s.args = e->args;
        s.args_known = true;
        s.kind = e->transaction_control ? LoggedStatement::Kind::TransactionControl : LoggedStatement::Kind::Query;
        s.rows = sqlite3_stmt_readonly(stmt) ? e->rows : sqlite3_changes64(db_);
    } else {
        // Not prepared by folio: the user's raw SQL. SQLite can expand the
        // bound values into the text, which is the best we can show.
        char* expanded = sqlite3_expanded_sql(stmt);
        s.sql = expanded ? expanded : sqlite3_sql(stmt);
        sqlite3_free(expanded);
        if (backend::sqlite::is_transaction_control(s.sql)) s.kind = LoggedStatement::Kind::TransactionControl;
        s.rows = sqlite3_stmt_readonly(stmt) ? -1 : sqlite3_changes64(db_);
    }
    if (stmt == held_) {
        pending_ = std::move(s); // a later run of the same step replaces it
        return;
    }
    for (auto& [id, listener] : listeners_) listener(s);
}

void SqlLog::release_profile(bool finished) {
    held_ = nullptr;
    if (!pending_) return;
    LoggedStatement s = std::move(*pending_);
    pending_.reset();
    if (!finished) return;
    // Outside SQLite's C frames now, but a listener's exception takes the
    // same path as one thrown in the callback: step() rethrows it.
    try {
        for (auto& [id, listener] : listeners_) listener(s);
    } catch (...) {
        if (!listener_error_) listener_error_ = std::current_exception();
    }
}

void SqlLog::on_trigger(const char* text) {
    LoggedStatement s;
    s.sql = text;
    s.kind = LoggedStatement::Kind::Trigger;
    for (auto& [id, listener] : listeners_) listener(s);
}

QueryCapture::QueryCapture(Database& db) : db_(db) {
    id_ = db_.log().add_listener([this](const LoggedStatement& s) { entries_.push_back(s); });
}

QueryCapture::~QueryCapture() { db_.log().remove_listener(id_); }

std::size_t QueryCapture::count() const {
    return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), [](const auto& s) { return s.counts(); }));
}

std::vector<LoggedStatement> QueryCapture::queries() const {
    std::vector<LoggedStatement> out;
    for (const auto& s : entries_)
        if (s.counts()) out.push_back(s);
    return out;
}

double QueryCapture::seconds() const {
    double total = 0;
    for (const auto& s : entries_)
        if (s.counts()) total += s.seconds;
    return total;
}

std::size_t QueryCapture::count_starting_with(std::string_view prefix) const {
    std::size_t n = 0;
    for (const auto& s : entries_)
        if (s.counts() && std::string_view(s.sql).substr(0, prefix.size()) == prefix) ++n;
    return n;
}

} // namespace folio
