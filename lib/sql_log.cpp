// sql_log.cpp: the SQL log, fed by the backend's trace (sqlite3_trace_v2 on
// SQLite, folio's own timing on PostgreSQL), and scoped captures.
#include "folio/sql_log.hpp"

#include <algorithm>
#include <ostream>
#include <utility>

#include <fmt/format.h>

#include "folio/database.hpp"
#include "lib/backend/connection.hpp"

namespace folio {

std::string LoggedStatement::to_string() const {
    std::string line = fmt::format("({:.3f}) {}", seconds, sql);
    if (kind == Kind::Trigger) return line;
    if (failed() && !args_known) return line + "; args unknown; error=" + error;
    line += "; args=(";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i) line += ", ";
        line += args[i].repr();
    }
    // A one-element tuple prints as (x,) in the guide's Python log.
    if (args.size() == 1) line += ",";
    line += ")";
    if (failed()) line += "; error=" + error;
    return line;
}

// The log's face towards the backend: turns each reported run into a
// LoggedStatement, with the arguments folio recorded for its handle.
class SqlLog::Sink final : public backend::TraceSink {
public:
    explicit Sink(SqlLog& log) : log_(log) {}

    void statement_ran(const backend::Statement* statement, std::string_view raw_sql, double seconds,
                       std::int64_t rows) override {
        if (log_.muted_) return;
        // Nothing may unwind from here (SQLite's C frames may be below): what
        // a listener, or the recording itself, throws waits for Statement::step().
        try {
            LoggedStatement s;
            s.seconds = seconds;
            s.rows = rows;
            if (const detail::CachedStatement* e = statement ? log_.cache_.find(statement) : nullptr) {
                s.sql = *e->sql;
                // Only what was recorded for every bind of this run: a value
                // bound before an argument-reading listener came would be
                // missing, or an older one shown in its place.
                if (log_.records_args_ && !e->args_missed) {
                    s.args = e->args;
                    s.args_known = true;
                }
                if (e->transaction_control) s.kind = LoggedStatement::Kind::TransactionControl;
            } else {
                // Not prepared by folio: the user's raw SQL, as the backend shows it.
                s.sql = statement ? std::string(statement->sql()) : std::string(raw_sql);
                if (log_.connection_.is_transaction_control(s.sql)) s.kind = LoggedStatement::Kind::TransactionControl;
            }
            log_.report(s);
        } catch (...) {
            log_.keep_error();
        }
    }

    void trigger_started(std::string_view text) override {
        if (log_.muted_) return;
        try {
            LoggedStatement s;
            s.sql = text;
            s.kind = LoggedStatement::Kind::Trigger;
            log_.report(s);
        } catch (...) {
            log_.keep_error();
        }
    }

private:
    SqlLog& log_;
};

SqlLog::SqlLog(backend::Connection& connection, const StatementCache& cache)
    : connection_(connection), cache_(cache), sink_(std::make_unique<Sink>(*this)) {}

SqlLog::~SqlLog() {
    if (active_) connection_.set_trace(nullptr);
}

std::size_t SqlLog::add_listener(Listener listener, ListenerNeeds needs) {
    std::size_t id = next_id_++;
    listeners_.push_back({id, std::move(listener), needs});
    update_hook();
    return id;
}

void SqlLog::remove_listener(std::size_t id) {
    std::erase_if(listeners_, [id](const Entry& l) { return l.id == id; });
    update_hook();
}

void SqlLog::update_hook() {
    records_args_ = std::any_of(listeners_.begin(), listeners_.end(),
                                [](const Entry& l) { return l.needs == ListenerNeeds::Arguments; });
    bool want = !listeners_.empty();
    if (want == active_) return;
    active_ = want;
    connection_.set_trace(want ? sink_.get() : nullptr);
}

void SqlLog::print_to(std::ostream* out) {
    if (printer_id_) {
        remove_listener(printer_id_);
        printer_id_ = 0;
    }
    if (out)
        printer_id_ = add_listener([out](const LoggedStatement& s) { *out << s.to_string() << '\n'; });
}

void SqlLog::report_failure(std::string_view sql, std::optional<std::vector<Value>> args, double seconds,
                            std::string_view error) {
    if (muted_ || !active_) return;
    LoggedStatement s;
    s.sql = sql;
    s.args_known = args.has_value() && records_args_;
    if (s.args_known) s.args = std::move(*args);
    s.seconds = seconds;
    s.error = error.empty() ? "unknown error" : error;
    if (connection_.is_transaction_control(s.sql)) s.kind = LoggedStatement::Kind::TransactionControl;
    // Called while the error unwinds: a listener's exception must not replace it.
    try {
        report(s);
    } catch (...) {
        keep_error();
    }
}

void SqlLog::report(const LoggedStatement& s) {
    for (auto& l : listeners_) l.listener(s);
}

void SqlLog::keep_error() noexcept {
    if (!listener_error_) listener_error_ = std::current_exception();
}

void SqlLog::rethrow_pending() {
    std::exception_ptr e = std::exchange(listener_error_, nullptr);
    std::rethrow_exception(e);
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
