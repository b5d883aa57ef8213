// explain.cpp: EXPLAIN QUERY PLAN through the C API, with the SQL log muted
// so that the plan's own statement never counts as one of the program's.
#include "folio/explain.hpp"

#include <sqlite3.h>

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "lib/sqlite_errors.hpp"

namespace folio {

namespace {

// The statement's first keyword, upper-cased ("SELECT", "WITH", ...).
std::string first_keyword(std::string_view sql) {
    std::size_t i = 0;
    while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) ++i;
    std::string word;
    for (; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i)
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
    return word;
}

// Restores the log's muted state on every way out (the doctor calls this
// while already muted; a nested call must not unmute it).
class MutedLog {
public:
    explicit MutedLog(SqlLog& log) : log_(log), was_(log.muted()) { log_.set_muted(true); }
    ~MutedLog() { log_.set_muted(was_); }
    MutedLog(const MutedLog&) = delete;
    MutedLog& operator=(const MutedLog&) = delete;

private:
    SqlLog& log_;
    bool was_;
};

} // namespace

std::vector<PlanStep> explain_query_plan(Database& db, std::string_view sql) {
    const std::string verb = first_keyword(sql);
    if (verb != "SELECT" && verb != "WITH")
        throw InvalidQuery(fmt::format("EXPLAIN QUERY PLAN takes one SELECT statement, not '{}'",
                                       detail::shorten_sql(sql)));
    const std::string explain = "EXPLAIN QUERY PLAN " + std::string(sql);
    MutedLog muted(db.log());
    // EXPLAIN QUERY PLAN opens no transaction, so it would plan with the
    // schema this connection loaded last, even after another connection
    // dropped an index. Reading sqlite_schema checks the schema cookie first
    // and reloads the schema when it changed.
    sqlite3_stmt* probe = nullptr;
    if (sqlite3_prepare_v2(db.handle(), "SELECT 1 FROM sqlite_schema LIMIT 1", -1, &probe, nullptr) == SQLITE_OK)
        sqlite3_step(probe);
    sqlite3_finalize(probe);
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db.handle(), explain.c_str(), static_cast<int>(explain.size()), &st, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        db.raise(rc, sql);
    }
    struct Finalize {
        sqlite3_stmt* st;
        ~Finalize() { sqlite3_finalize(st); }
    } finalize{st};
    // A second statement after the first would silently go unexplained.
    for (; tail && *tail; ++tail)
        if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';')
            throw InvalidQuery(fmt::format("EXPLAIN QUERY PLAN takes one statement; text follows it in '{}'",
                                           detail::shorten_sql(sql)));
    std::vector<PlanStep> plan;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        PlanStep step;
        step.id = sqlite3_column_int(st, 0);
        step.parent = sqlite3_column_int(st, 1);
        if (const auto* d = sqlite3_column_text(st, 3)) step.detail = reinterpret_cast<const char*>(d);
        plan.push_back(std::move(step));
    }
    if (rc != SQLITE_DONE) db.raise(rc, sql);
    return plan;
}

std::string plan_to_string(const std::vector<PlanStep>& plan) {
    std::map<int, int> depth;  // step id -> nesting depth (parents come first)
    std::string out;
    for (const auto& step : plan) {
        auto parent = depth.find(step.parent);
        const int d = parent == depth.end() ? 0 : parent->second + 1;
        depth[step.id] = d;
        out += std::string(static_cast<std::size_t>(d) * 2, ' ') + step.detail + '\n';
    }
    return out;
}

} // namespace folio
