// panel.cpp: recording a request's statements and findings, grouping them
// the way Django Debug Toolbar does (similar: the same shape; duplicates:
// the same shape and arguments), and showing them as HTML and JSON.
#include "panel.hpp"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "html.hpp"
#include "pages.hpp"

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

// Per statement: its shape, and how many of the request's statements share
// the shape (similar) and the shape with the same arguments (duplicates).
struct Groups {
    std::vector<std::string> shape;
    std::vector<std::size_t> similar, duplicates;
    std::map<std::string, std::size_t> by_shape;
    std::map<std::pair<std::string, std::string>, std::size_t> by_call;

    explicit Groups(const PanelRecord& r) {
        for (const auto& s : r.statements) {
            shape.push_back(folio::statement_shape(s.sql));
            ++by_shape[shape.back()];
            ++by_call[{shape.back(), args_text(s)}];
        }
        for (std::size_t i = 0; i < r.statements.size(); ++i) {
            similar.push_back(by_shape[shape[i]]);
            duplicates.push_back(by_call[{shape[i], args_text(r.statements[i])}]);
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

double total_sql_ms(const PanelRecord& r) {
    double ms = 0;
    for (const auto& s : r.statements) ms += s.seconds * 1000;
    return ms;
}
} // namespace

RequestPanel::RequestPanel(folio::Database& db) : capture_(db), doctor_(db, collect()) {}

PanelRecord RequestPanel::finish() {
    PanelRecord r;
    r.findings = doctor_.close();
    r.statements = capture_.queries();
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
    for (const auto& [shape, n] : g.by_shape) similar_groups += n > 1;
    for (const auto& [call, n] : g.by_call) duplicate_groups += n > 1;
    std::string out = fmt::format(
        "<details id=\"folio-panel\" data-request-id=\"{}\">\n<summary>Query panel: <span id=\"folio-panel-count\">{}</span> "
        "statements, {:.2f} ms of SQL in {:.2f} ms, {} similar group(s), {} duplicate group(s), "
        "<span id=\"folio-panel-findings\">{}</span> finding(s)</summary>\n"
        "<p>Request #{} &middot; <a href=\"/__panel/{}.json\">JSON</a></p>\n",
        r.id, r.statements.size(), total_sql_ms(r), r.total_ms, similar_groups, duplicate_groups, r.findings.size(), r.id,
        r.id);
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
                           i + 1, s.seconds * 1000, s.rows, escape(s.sql), escape(args_text(s)),
                           g.similar[i] > 1 ? fmt::format("{}x", g.similar[i]) : "",
                           g.duplicates[i] > 1 ? fmt::format("{}x", g.duplicates[i]) : "",
                           is_select(s.sql) ? fmt::format("<a href=\"/__panel/{}/explain/{}\">explain</a>", r.id, i + 1)
                                            : "");
    }
    return out + "</table>\n</details>\n";
}

std::string panel_json(const PanelRecord& r) {
    const Groups g(r);
    nlohmann::json statements = nlohmann::json::array();
    for (std::size_t i = 0; i < r.statements.size(); ++i) {
        const auto& s = r.statements[i];
        nlohmann::json args = nlohmann::json::array();
        for (const auto& v : s.args) {
            if (v.is_null()) args.push_back(nullptr);
            else if (v.is_integer()) args.push_back(v.as_integer());
            else if (v.is_real()) args.push_back(v.as_real());
            else args.push_back(v.as_text());
        }
        statements.push_back({{"sql", s.sql}, {"args", std::move(args)}, {"ms", s.seconds * 1000}, {"rows", s.rows},
                              {"shape", g.shape[i]}, {"similar", g.similar[i]}, {"duplicates", g.duplicates[i]}});
    }
    nlohmann::json similar = nlohmann::json::array(), duplicates = nlohmann::json::array();
    for (const auto& [shape, n] : g.by_shape)
        if (n > 1) similar.push_back({{"shape", shape}, {"count", n}});
    for (const auto& [call, n] : g.by_call)
        if (n > 1) duplicates.push_back({{"shape", call.first}, {"args", call.second}, {"count", n}});
    nlohmann::json out = {{"request_id", r.id},       {"method", r.method},
                          {"path", r.target},         {"status", r.status},
                          {"time_ms", r.total_ms},    {"sql_ms", total_sql_ms(r)},
                          {"count", r.statements.size()}, {"statements", std::move(statements)},
                          {"similar", std::move(similar)}, {"duplicates", std::move(duplicates)},
                          {"findings", nlohmann::json::parse(folio::findings_json(r.findings))}};
    return out.dump(2);
}

std::string explain_body(const PanelRecord& r, std::size_t n, folio::Database& db) {
    if (n < 1 || n > r.statements.size())
        throw HttpError(404, fmt::format("request #{} ran {} statements; there is no statement {}", r.id,
                                         r.statements.size(), n));
    const auto& s = r.statements[n - 1];
    if (!is_select(s.sql)) throw HttpError(400, fmt::format("statement {} is not a SELECT: nothing to explain", n));
    const std::string plan = folio::plan_to_string(folio::explain_query_plan(db, s.sql));
    return fmt::format("<h2>EXPLAIN QUERY PLAN</h2>\n<p>Statement {} of request <a href=\"/__panel/{}.json\">#{}</a> "
                       "({})</p>\n<pre><code>{}</code></pre>\n<h3>Plan</h3>\n<pre id=\"plan\">{}</pre>\n",
                       n, r.id, r.id, escape(r.target), escape(s.sql), escape(plan));
}

} // namespace folio_cli::web
