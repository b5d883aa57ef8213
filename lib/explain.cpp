// explain.cpp: a statement's plan from the backend (its EXPLAIN, spelled in
// lib/backend/), with the SQL log muted so that the plan's own statement never
// counts as one of the program's.
#include "folio/explain.hpp"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "lib/backend/operations.hpp"
#include "lib/backend/sql_text.hpp"

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
        throw InvalidQuery(fmt::format("{} takes one SELECT statement, not '{}'", explain_command(db),
                                       detail::shorten_sql(sql)));
    MutedLog muted(db.log());
    return db.operations().explain_query_plan(db, sql);
}

std::string_view explain_command(const Database& db) noexcept { return db.operations().explain_command(); }

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
