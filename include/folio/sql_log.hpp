// sql_log.hpp: the SQL log, what the guide gets from Django's SQL logging and
// Debug Toolbar: every statement SQLite runs, with arguments, time and rows.
//
// The log is the backend's trace sink (lib/backend/connection.hpp). On
// SQLite that is sqlite3_trace_v2, so it sees everything the connection runs:
// folio's own statements, the user's raw SQL and the statements run by
// triggers; on PostgreSQL, which has no trace hook, folio times each
// statement it runs from its first step to its end. It is off by default,
// and while nobody listens the trace is not even installed, so the cost is nil. Listeners are a printer (the
// guide's `(0.001) SELECT ...; args=(...)` lines), scoped captures (tests,
// benchmarks, the CLI's --stats) and any callback the embedding app adds.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "folio/value.hpp"

namespace folio::backend {
class Connection;
class Statement;
class TraceSink;
} // namespace folio::backend

namespace folio {

class Database;
class StatementCache;

struct LoggedStatement {
    enum class Kind {
        Query,               // a statement the connection ran at top level
        TransactionControl,  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE
        Trigger,             // a trigger program started by a Query
    };
    std::string sql;          // the SQL text as prepared (with ? placeholders)
    std::vector<Value> args;  // bound values, when folio prepared the statement
    // False while no listener needs arguments (SqlLog::ListenerNeeds::SqlOnly
    // only), for raw statements (sql is then expanded, values inline), for
    // a statement that failed to prepare before its arguments were given
    // (Database::prepare(sql) binds after preparing), and for a run of which
    // a value was bound while no listener needed arguments (one added
    // between a Statement's bind() and its step(): folio did not record that
    // value, and shows none rather than a missing or older one). `args` is
    // then empty; to_string() says "args unknown" for a failed statement and
    // prints "args=()" for one that ran.
    bool args_known = false;
    // The run, from the statement's first step to its end, as SQLite's
    // profile measures it but on a steady clock with sub-microsecond
    // resolution (SQLite's own figure, taken from the VFS clock, counts
    // whole milliseconds).
    double seconds = 0;
    std::int64_t rows = -1;   // rows returned (SELECT) or changed; -1 unknown
    Kind kind = Kind::Query;
    // Empty when the statement ran; else the message of the folio::Error it
    // ended in (the database refused to prepare it, or a step failed). As
    // Django's debug cursor logs a query whose execute() raised, a failed
    // statement is reported and counts as a query: `args` are the values
    // bound before the failure (when the prepare failed: those the caller
    // passed to prepare(sql, args), else none and args_known is false),
    // `seconds` the failing call's time, `rows` -1.
    std::string error;

    // The guide's log line: `(0.001) SELECT ...; args=(1, 'x')`, and for a
    // failed statement `; error=<message>` after it.
    std::string to_string() const;
    bool failed() const noexcept { return !error.empty(); }
    // True for statements that count as queries: not transaction control,
    // not a trigger's sub-program. Statement counts in folio mean these.
    bool counts() const noexcept { return kind == Kind::Query; }
};

class SqlLog {
public:
    using Listener = std::function<void(const LoggedStatement&)>;

    // Listens to `connection` once a listener is added; reads bound values
    // from `cache`. Both outlive the log.
    SqlLog(backend::Connection& connection, const StatementCache& cache);
    ~SqlLog();
    SqlLog(const SqlLog&) = delete;
    SqlLog& operator=(const SqlLog&) = delete;

    // Adds a listener; the returned id removes it. Installing the first
    // listener installs the trace hook; removing the last uninstalls it.
    // Listeners may run inside SQLite's trace callback, where no exception may
    // unwind (C frames): one a listener throws is caught there, the other
    // listeners of that statement are skipped, and it is rethrown to the
    // caller of the Statement::step() that ran the statement (or, when the
    // statement ended in a reset, of the next step() on this Database).
    //
    // `needs`: Arguments (the default) has folio keep a copy of every value
    // bound to a statement it prepares, for LoggedStatement::args: a bulk
    // insert's whole content (the 100 MB import copied its content twice,
    // and ran at about half speed). SqlOnly is for listeners that read the
    // rest (counting statements, their SQL, time, rows, errors): while only
    // such listeners listen nothing is copied, and each LoggedStatement has
    // no args and args_known false.
    enum class ListenerNeeds { Arguments, SqlOnly };
    std::size_t add_listener(Listener listener, ListenerNeeds needs = ListenerNeeds::Arguments);
    void remove_listener(std::size_t id);
    // True while anyone listens: statements are traced and timed.
    bool active() const noexcept { return active_; }
    // True while a listener needs the arguments: folio records them only then.
    bool records_args() const noexcept { return records_args_; }
    // While muted, statements are not reported: the query doctor's own
    // EXPLAINs must not show in captures and statement counts.
    void set_muted(bool muted) noexcept { muted_ = muted; }
    bool muted() const noexcept { return muted_; }

    // Prints every statement to `out` in the guide's style (nullptr stops).
    void print_to(std::ostream* out);

    // Rethrows, once, what a listener threw inside the trace callback.
    void rethrow_listener_error() {
        if (listener_error_) rethrow_pending();
    }

private:
    friend class Statement;  // reports the statements that fail
    class Sink;
    // A statement folio prepared (or tried to) ended in `error`: reported to
    // the listeners unless muted. Called by folio::Statement only.
    // `args`: nullopt when the statement failed to prepare before its caller
    // said what it would bind (LoggedStatement::args_known is then false).
    void report_failure(std::string_view sql, std::optional<std::vector<Value>> args, double seconds,
                        std::string_view error);
    void report(const LoggedStatement& s);
    void keep_error() noexcept;
    void update_hook();
    [[noreturn]] void rethrow_pending();

    backend::Connection& connection_;
    const StatementCache& cache_;
    std::unique_ptr<backend::TraceSink> sink_;
    bool active_ = false;
    bool records_args_ = false;
    bool muted_ = false;
    std::size_t next_id_ = 1;
    struct Entry {
        std::size_t id;
        Listener listener;
        ListenerNeeds needs;
    };
    std::vector<Entry> listeners_;
    std::size_t printer_id_ = 0;
    std::exception_ptr listener_error_;
};

// A scoped capture, like Django's CaptureQueriesContext / assertNumQueries:
// every statement run on its Database while it lives is recorded (captures
// nest: each sees every statement). Lifetime: the Database must outlive it.
// Thread-safety: that of the Database.
//
//     folio::QueryCapture q(db);
//     blog.authors().bulk_create(authors);
//     assert(q.count() == 1);
class QueryCapture {
public:
    explicit QueryCapture(Database& db);
    ~QueryCapture();
    QueryCapture(const QueryCapture&) = delete;
    QueryCapture& operator=(const QueryCapture&) = delete;

    // Statements that count as queries (LoggedStatement::counts()).
    std::size_t count() const;
    // Those statements, in order.
    std::vector<LoggedStatement> queries() const;
    // Everything recorded, transaction control and trigger programs included.
    const std::vector<LoggedStatement>& all() const noexcept { return entries_; }
    // Total time of the counted statements, in seconds (LoggedStatement::seconds).
    double seconds() const;
    // Counted statements whose SQL starts with `prefix` (e.g. "SELECT").
    std::size_t count_starting_with(std::string_view prefix) const;
    void clear() noexcept { entries_.clear(); }

private:
    Database& db_;
    std::size_t id_;
    std::vector<LoggedStatement> entries_;
};

} // namespace folio
