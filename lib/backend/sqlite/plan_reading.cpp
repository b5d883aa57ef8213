// plan_reading.cpp: SQLite's EXPLAIN QUERY PLAN as the query doctor reads it
// (Operations::read_plan): "SCAN t" is a full read, "SCAN t USING INDEX i"
// one in an index's order, "USE TEMP B-TREE FOR ORDER BY" a sort no index
// serves; steps are grouped into query blocks by their parent step.
#include <map>

#include "lib/backend/sqlite/operations.hpp"

namespace folio::backend::sqlite {

namespace {
// The table a "SCAN x ..." line reads in full, or "".
std::string scanned_table(const std::string& line) {
    if (line.rfind("SCAN ", 0) != 0) return {};
    std::string table = line.substr(5);
    if (table.rfind("TABLE ", 0) == 0) table = table.substr(6);  // SQLite < 3.36
    return table.substr(0, table.find(' '));
}
} // namespace

PlanReading Operations::read_plan(const std::vector<PlanStep>& plan) const {
    // Subqueries in FROM show as "MATERIALIZE x" / "CO-ROUTINE x"; a later
    // "SCAN x" outside them reads the subquery's rows (a page of 20 the
    // compiler cut first), not table x.
    std::map<std::string, int> subqueries;  // name -> step id
    for (const auto& step : plan)
        for (const std::string kind : {"MATERIALIZE ", "CO-ROUTINE "})
            if (step.detail.rfind(kind, 0) == 0) subqueries[step.detail.substr(kind.size())] = step.id;
    PlanReading reading;
    for (const auto& step : plan) {
        const std::string& line = step.detail;
        // "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" is an index serving the
        // leading terms: a partial sort, not a sort of every row.
        if (line == "USE TEMP B-TREE FOR ORDER BY") reading.sorts.push_back({step.parent, line});
        const std::string table = scanned_table(line);
        if (table.empty()) continue;
        if (auto sub = subqueries.find(table); sub != subqueries.end() && step.parent != sub->second) continue;
        // SQLite's plan does not say whether a scan filters: the SQL's WHERE
        // does (the doctor reads it).
        reading.scans.push_back({table, step.parent, line.find(" USING ") != std::string::npos, true, line});
    }
    return reading;
}

} // namespace folio::backend::sqlite
