// explain.hpp: the plan of one statement, as a public call (SQLite's EXPLAIN
// QUERY PLAN, PostgreSQL's EXPLAIN): what the query doctor reads to spot scans
// and sorts, and what an app's query panel shows next to a statement (Django
// Debug Toolbar's "Explain").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace folio {

class Database;

// One step of a plan, in the backend's own words:
//  - SQLite: one row of EXPLAIN QUERY PLAN ("SCAN article",
//    "USE TEMP B-TREE FOR ORDER BY", "SEARCH author USING INDEX ...");
//  - PostgreSQL: one line of EXPLAIN's text output, without its "->" and
//    indentation: a plan node ("Seq Scan on article", "Sort",
//    "Index Scan using ... on author") or a property of the node above it
//    ("Sort Key: created_at DESC", "Filter: ...").
struct PlanStep {
    int id = 0;          // 1, 2, ... in output order
    int parent = 0;      // id of the step this one nests under (0: top level)
    std::string detail;  // the text of the step, as above
};

// The plan the backend would use for `sql` on `db`, never running it: the
// statement is prepared outside the statement cache and its parameters stay
// unbound. SQLite: without SQLITE_ENABLE_STAT4, bound values do not change a
// plan. PostgreSQL: the generic plan (the one for any parameter values), as
// `plan_cache_mode = force_generic_plan` makes it.
// The EXPLAIN itself is not reported to the SQL log (captures and statement
// counts are the same with or without it).
// Takes: one SELECT (or WITH ... SELECT) statement; anything else throws
// InvalidQuery before touching the database. Throws the folio::Error that
// SQLite's error maps to when the statement does not prepare (e.g.
// OperationalError "no such table"). Thread-safety: that of `db`.
std::vector<PlanStep> explain_query_plan(Database& db, std::string_view sql);

// The name of the command explain_query_plan() runs on `db`'s backend, for
// titles and labels: "EXPLAIN QUERY PLAN" (SQLite) or "EXPLAIN"
// (PostgreSQL). Valid for the program's lifetime; no statement runs.
// Thread-safety: any thread.
std::string_view explain_command(const Database& db) noexcept;

// The steps' details, one per line, indented by nesting depth (two spaces
// per level).
std::string plan_to_string(const std::vector<PlanStep>& plan);

} // namespace folio
