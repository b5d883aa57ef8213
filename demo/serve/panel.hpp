// panel.hpp: the query panel of `folio serve --panel`, folio's Django Debug
// Toolbar: what one request cost. It watches through folio's public API
// only: a QueryCapture for the statements (SQL, arguments, time, rows), a
// DoctorScope in Collect mode for the findings, explain_query_plan() for a
// plan asked for afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <folio/folio.hpp>

namespace folio_cli::web {

// What one request ran, kept for its page and for /__panel/<id>.json.
struct PanelRecord {
    std::uint64_t id = 0;
    std::string method;
    std::string target;  // path and query string, printable() (as the access log writes it)
    int status = 0;      // the status the request was answered with
    double total_ms = 0;
    std::vector<folio::LoggedStatement> statements;  // the counted ones, in order, failed ones included
    std::vector<folio::Finding> findings;
    std::string note;  // why the record is incomplete ("" when it is not)
};

// Watches one request on the worker thread's Database while it lives.
// Declare it before the request's QuerySets so that their objects die
// before finish() (the doctor's end-of-life checks see them).
class RequestPanel {
public:
    explicit RequestPanel(folio::Database& db);
    RequestPanel(const RequestPanel&) = delete;
    RequestPanel& operator=(const RequestPanel&) = delete;
    // Closes the doctor's scope and returns the record (id, method, target
    // and status are the caller's to fill). Call once.
    PanelRecord finish();

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    folio::QueryCapture capture_;
    folio::DoctorScope doctor_;  // after capture_: closes first
};

// The last `capacity` records, shared by the worker threads.
class PanelStore {
public:
    explicit PanelStore(std::size_t capacity = 200) : capacity_(capacity) {}
    void add(PanelRecord record);
    std::optional<PanelRecord> get(std::uint64_t id) const;

private:
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::deque<PanelRecord> records_;
};

// The collapsible block at the bottom of a page (a <details>, no script).
std::string panel_html(const PanelRecord& r);
// The record for tools, /__panel/<id>.json; times in milliseconds with
// microsecond resolution, "args" always an array of the bound values (JSON
// numbers, strings and nulls), in statements and duplicates alike:
//   {"request_id": 7, "method": "GET", "path": "/?page=2", "status": 200,
//    "time_ms": 3.215, "sql_ms": 1.402, "count": 2,
//    "statements": [{"sql": "SELECT ...", "args": [20, 20], "ms": 1.1, "rows": 20,
//                    "shape": "SELECT ...", "similar": 1, "duplicates": 1}, ...],
//                   (a statement that failed, the last of a 500, has "rows": -1
//                    and "error": "<the database's message>", and, when it failed
//                    to prepare before its arguments were known, "args": []
//                    with "args_known": false)
//    "similar":    [{"shape": "SELECT ...", "count": 20}, ...],      (groups of 2 or more)
//    "duplicates": [{"shape": "SELECT ...", "args": [3], "count": 7}, ...],
//    "findings":   [{"pattern": "N+1", "what": ..., "sql": ..., "count": 20, "fix": ...}, ...],
//    "note": "..."}                                                   (only when set)
// Bytes that are not UTF-8 are written as U+FFFD.
std::string panel_json(const PanelRecord& r);
// The body of /__panel/<id>/explain/<n>: statement n's plan (the backend's
// explain_command(): EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN)
// on `db`. Throws HttpError 404 for a statement that is not there, 400 for
// one that is not a SELECT.
std::string explain_body(const PanelRecord& r, std::size_t n, folio::Database& db);

} // namespace folio_cli::web
