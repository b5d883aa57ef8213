// plan_reading.cpp: PostgreSQL's EXPLAIN as the query doctor reads it
// (Operations::read_plan). explain_query_plan() keeps EXPLAIN's tree: a
// node ("Seq Scan on t  (cost=...)") is the parent of its properties
// ("Filter: ...", "Sort Key: ...") and of the nodes under it. "Seq Scan on
// t" is a full read, filtered when a "Filter:" hangs under it; a "Sort" node
// sorts every row of the nodes under it, down to a subquery's boundary
// (whose rows the subquery already cut: a page). "Incremental Sort" (an index
// orders the leading keys) is not such a sort.
#include <map>

#include "lib/backend/postgresql/operations.hpp"

namespace folio::backend::postgresql {

namespace {
bool is_node(const std::string& detail) { return detail.find("(cost=") != std::string::npos; }

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// The table of a "Seq Scan on t  (cost=...)" / "Parallel Seq Scan on t a"
// node, unquoted; "" for any other node.
std::string seq_scanned_table(const std::string& detail) {
    for (const std::string_view kind : {"Seq Scan on ", "Parallel Seq Scan on "}) {
        if (!starts_with(detail, kind)) continue;
        std::string table = detail.substr(kind.size());
        table = table.substr(0, table.find(' '));
        if (table.size() > 1 && table.front() == '"') table = table.substr(1, table.size() - 2);
        return table;
    }
    return {};
}
} // namespace

PlanReading Operations::read_plan(const std::vector<PlanStep>& plan) const {
    std::map<int, const PlanStep*> by_id;
    for (const auto& step : plan) by_id[step.id] = &step;
    PlanReading reading;
    for (const auto& step : plan) {
        if (!is_node(step.detail)) continue;
        if (starts_with(step.detail, "Sort ")) {
            std::string line = "Sort";
            for (const auto& p : plan)
                if (p.parent == step.id && starts_with(p.detail, "Sort Key: ")) line += " (" + p.detail + ")";
            reading.sorts.push_back({step.id, line});
        }
        const std::string table = seq_scanned_table(step.detail);
        if (table.empty()) continue;
        bool filtered = false;
        for (const auto& p : plan) filtered |= p.parent == step.id && starts_with(p.detail, "Filter: ");
        // The block: the nearest Sort above the scan, unless a subquery's
        // boundary comes first; a scan no Sort reads for is a block of its own.
        int block = -step.id;
        for (auto up = by_id.find(step.parent); up != by_id.end(); up = by_id.find(up->second->parent)) {
            const std::string& d = up->second->detail;
            if (starts_with(d, "Subquery Scan") || starts_with(d, "CTE Scan") || starts_with(d, "Incremental Sort"))
                break;
            if (starts_with(d, "Sort ")) {
                block = up->second->id;
                break;
            }
        }
        const std::string line = step.detail.substr(0, step.detail.find("  (cost="));
        reading.scans.push_back({table, block, false, filtered, filtered ? line + " with a Filter" : line});
    }
    return reading;
}

} // namespace folio::backend::postgresql
