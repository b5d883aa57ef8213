// targets.hpp: issue 5's performance targets, evaluated on a Report.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"

namespace folio::bench {

struct Target {
    int section = 0;
    std::string what;
    std::string goal;      // "<= 1.25x", "< 16 MB"
    std::string measured;  // "1.31x", "not run" when the section was skipped
    std::optional<bool> met;
    // False when the figure is only reported: SQLite's targets on a
    // PostgreSQL run, except the one the PostgreSQL issue names (§5 memory).
    bool judged = true;
    // What the status says when it is not judged.
    std::string reported_as = "reported (SQLite's goal)";
};

// `judge_all`: false on a PostgreSQL run (see Target::judged).
std::vector<Target> evaluate_targets(const Report& report, const Sizes& sizes, bool judge_all = true);
// A plain table for the terminal, or a Markdown table.
void print_targets(std::ostream& out, const std::vector<Target>& targets, bool markdown);

}  // namespace folio::bench
