// panel.cpp: recording a request's statements and findings, grouping them
// the way Django Debug Toolbar does (similar: the same shape; duplicates:
// the same shape and arguments), and showing them as HTML and JSON.
#include "panel.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "html.hpp"
#include "pages.hpp"
#include "text.hpp"

namespace folio_cli::web {

namespace {
folio::DoctorOptions collect() {
    folio::DoctorOptions o;
    o.mode = folio::Doctor::Mode::Collect;
    return o;
}

std::string args_text(const folio::LoggedStatement& s) {
    std::string out;
    for (const auto& v : s.args) out += (out.empty() ? "" : ", ") + v.repr();
    return out;
}

// A statement's arguments as a JSON array of numbers, strings and nulls: the
// one shape of "args" everywhere in the panel's JSON.
nlohmann::json args_json(const folio::LoggedStatement& s) {
    nlohmann::json args = nlohmann::json::array();
    for (const auto& v : s.args) {
        if (v.is_null()) args.push_back(nullptr);
        else if (v.is_integer()) args.push_back(v.as_integer());
        else if (v.is_real()) args.push_back(v.as_real());
        else args.push_back(v.as_text());
    }
    return args;
}

// Milliseconds rounded to the microsecond, the resolution of the timing.
double ms(double seconds) { return std::round(seconds * 1e6) / 1e3; }

// Per statement: its shape, and how many of the request's statements share
// the shape (similar) and the shape with the same arguments (duplicates).
struct Groups {
    struct Group {
        std::size_t count = 0;
        std::size_t first = 0;  // the first statement of the group
    };
    std::vector<std::string> shape;
    std::vector<std::size_t> similar, duplicates;
    std::map<std::string, Group> by_shape;
    std::map<std::pair<std::string, std::string>, Group> by_call;

    explicit Groups(const PanelRecord& r) {
        for (std::size_t i = 0; i < r.statements.size(); ++i) {
            shape.push_back(folio::statement_shape(r.statements[i].sql));
            for (Group* g : {&by_shape[shape[i]], &by_call[{shape[i], args_text(r.statements[i])}]})
                if (g->count++ == 0) g->first = i;
        }
        for (std::size_t i = 0; i < r.statements.size(); ++i) {
            similar.push_back(by_shape[shape[i]].count);
            duplicates.push_back(by_call[{shape[i], args_text(r.statements[i])}].count);
        }
    }
};

bool is_select(const std::string& sql) {
    const std::size_t b = sql.find_first_not_of(" \t\r\n(");
    if (b == std::string::npos) return false;
    for (const char* verb : {"SELECT", "select", "WITH", "with"})
        if (sql.compare(b, std::char_traits<char>::length(verb), verb) == 0) return true;
    return false;
}

double total_sql_seconds(const PanelRecord& r) {
    double seconds = 0;
    for (const auto& s : r.statements) seconds += s.seconds;
    return seconds;
}
} // namespace

RequestPanel::RequestPanel(folio::Database& db) : capture_(db), doctor_(db, collect()) {}

PanelRecord RequestPanel::finish() {
    PanelRecord r;
    r.statements = capture_.queries();
    try {
        r.findings = doctor_.close();
    } catch (const std::exception& e) {
        // The end-of-scope checks run EXPLAINs; after a database error they
        // may fail too. The statements are still worth showing.
        r.note = std::string("the doctor could not finish: ") + e.what();
    }
    r.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
    return r;
}

void PanelStore::add(PanelRecord record) {
    std::lock_guard lock(mutex_);
    records_.push_back(std::move(record));
    while (records_.size() > capacity_) records_.pop_front();
}

std::optional<PanelRecord> PanelStore::get(std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    for (const auto& r : records_)
        if (r.id == id) return r;
    return std::nullopt;
}

std::string panel_html(const PanelRecord& r) {
    const Groups g(r);
    std::size_t similar_groups = 0, duplicate_groups = 0;
    for (const auto& [shape, group] : g.by_shape) similar_groups += group.count > 1;
    for (const auto& [call, group] : g.by_call) duplicate_groups += group.count > 1;
    const auto n = static_cast<std::int64_t>(r.statements.size());
    std::string out = fmt::format(
        "<details id=\"folio-panel\" data-request-id=\"{}\">\n<summary>Query panel: <span id=\"folio-panel-count\">{}</span> "
        "{}, {:.3f} ms of SQL in {:.3f} ms, {}, {}, <span id=\"folio-panel-findings\">{}</span> {}</summary>\n"
        "<p>Request #{} &middot; <a href=\"/__panel/{}.json\">JSON</a></p>\n",
        r.id, n, n == 1 ? "statement" : "statements", ms(total_sql_seconds(r)), r.total_ms,
        count_of(static_cast<std::int64_t>(similar_groups), "similar group", "similar groups"),
        count_of(static_cast<std::int64_t>(duplicate_groups), "duplicate group", "duplicate groups"), r.findings.size(),
        r.findings.size() == 1 ? "finding" : "findings", r.id, r.id);
    if (!r.note.empty()) out += fmt::format("<p class=\"note\">{}</p>\n", escape(r.note));
    if (!r.findings.empty()) {
        out += "<h3>The doctor's findings</h3>\n";
        for (const auto& f : r.findings)
            out += fmt::format("<div class=\"finding\"><b>{}</b>: {}<br><code>{}</code><br>fix: {}</div>\n",
                               escape(folio::to_string(f.pattern)), escape(f.what), escape(f.sql), escape(f.fix));
    }
    out += "<table class=\"statements\"><tr><th>#</th><th>ms</th><th>rows</th><th>SQL</th><th>args</th>"
           "<th>similar</th><th>duplicates</th><th></th></tr>\n";
    for (std::size_t i = 0; i < r.statements.size(); ++i) {
        const auto& s = r.statements[i];
        out += fmt::format("<tr class=\"statement\"><td>{}</td><td>{:.3f}</td><td>{}</td><td><code>{}</code></td>"
                           "<td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                           i + 1, ms(s.seconds), s.rows, escape(s.sql),
                           s.failed() && !s.args_known ? "unknown" : escape(args_text(s)),
                           g.similar[i] > 1 ? fmt::format("{}x", g.similar[i]) : "",
                           g.duplicates[i] > 1 ? fmt::format("{}x", g.duplicates[i]) : "",
                           is_select(s.sql) && !s.failed()
                               ? fmt::format("<a href=\"/__panel/{}/explain/{}\">explain</a>", r.id, i + 1)
                               : "");
        if (s.failed())
            out += fmt::format("<tr class=\"failed\"><td></td><td colspan=\"7\">statement {} failed: <code>{}</code></td></tr>\n",
                               i + 1, escape(s.error));
    }
    return out + "</table>\n</details>\n";
}

std::string panel_json(const PanelRecord& r) {
    const Groups g(r);
    nlohmann::json statements = nlohmann::json::array();
    for (std::size_t i = 0; i < r.statements.size(); ++i) {
        const auto& s = r.statements[i];
        statements.push_back({{"sql", s.sql}, {"args", args_json(s)}, {"ms", ms(s.seconds)}, {"rows", s.rows},
                              {"shape", g.shape[i]}, {"similar", g.similar[i]}, {"duplicates", g.duplicates[i]}});
        if (s.failed()) statements.back()["error"] = s.error;
        if (s.failed() && !s.args_known) statements.back()["args_known"] = false;
    }
    nlohmann::json similar = nlohmann::json::array(), duplicates = nlohmann::json::array();
    for (const auto& [shape, group] : g.by_shape)
        if (group.count > 1) similar.push_back({{"shape", shape}, {"count", group.count}});
    for (const auto& [call, group] : g.by_call)
        if (group.count > 1)
            duplicates.push_back(
                {{"shape", call.first}, {"args", args_json(r.statements[group.first])}, {"count", group.count}});
    nlohmann::json out = {{"request_id", r.id},
                          {"method", r.method},
                          {"path", r.target},
                          {"status", r.status},
                          {"time_ms", std::round(r.total_ms * 1e3) / 1e3},
                          {"sql_ms", ms(total_sql_seconds(r))},
                          {"count", r.statements.size()},
                          {"statements", std::move(statements)},
                          {"similar", std::move(similar)},
                          {"duplicates", std::move(duplicates)},
                          {"findings", nlohmann::json::parse(folio::findings_json(r.findings))}};
    if (!r.note.empty()) out["note"] = r.note;
    // Text from the database or the address may hold bytes that are not
    // UTF-8: shown as U+FFFD rather than failing the whole answer.
    return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string explain_body(const PanelRecord& r, std::size_t n, folio::Database& db) {
    if (n < 1 || n > r.statements.size())
        throw HttpError(404, fmt::format("request #{} ran {}; there is no statement {}", r.id,
                                         count_of(static_cast<std::int64_t>(r.statements.size()), "statement", "statements"), n));
    const auto& s = r.statements[n - 1];
    if (!is_select(s.sql)) throw HttpError(400, fmt::format("statement {} is not a SELECT: nothing to explain", n));
    if (s.failed()) throw HttpError(400, fmt::format("statement {} failed: it has no plan to explain", n));
    const std::string plan = folio::plan_to_string(folio::explain_query_plan(db, s.sql));
    return fmt::format("<h2>{}</h2>\n<p>Statement {} of request <a href=\"/__panel/{}.json\">#{}</a> "
                       "({})</p>\n<pre><code>{}</code></pre>\n<h3>Plan</h3>\n<pre id=\"plan\">{}</pre>\n",
                       folio::explain_command(db), n, r.id, r.id, escape(r.target), escape(s.sql), escape(plan));
}

} // namespace folio_cli::web
