// explain.hpp: EXPLAIN QUERY PLAN of one statement, as a public call: what
// the query doctor reads to spot scans and sorts, and what an app's query
// panel shows next to a statement (Django Debug Toolbar's "Explain").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace folio {

class Database;

// One row of SQLite's EXPLAIN QUERY PLAN output.
struct PlanStep {
    int id = 0;
    int parent = 0;      // id of the step this one nests under (0: top level)
    std::string detail;  // "SCAN article", "USE TEMP B-TREE FOR ORDER BY", ...
};

// The plan SQLite would use for `sql` on `db`: the statement is prepared
// (outside the statement cache) and never run, so its parameters stay
// unbound; without SQLITE_ENABLE_STAT4, bound values do not change a plan.
// The EXPLAIN itself is not reported to the SQL log (captures and statement
// counts are the same with or without it).
// Takes: one SELECT (or WITH ... SELECT) statement; anything else throws
// InvalidQuery before touching the database. Throws the folio::Error that
// SQLite's error maps to when the statement does not prepare (e.g.
// OperationalError "no such table"). Thread-safety: that of `db`.
std::vector<PlanStep> explain_query_plan(Database& db, std::string_view sql);

// The steps' details, one per line, indented by nesting depth.
std::string plan_to_string(const std::vector<PlanStep>& plan);

} // namespace folio
