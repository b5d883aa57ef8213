// folio-bench harness: timing (median/min of N runs), memory (peak RSS in a
// forked child, RSS-over-time sampling), SQL statement counting, and the
// Report that prints tables and writes JSON and SVG charts per guide section.
// Independent of the folio library so raw and library variants share it.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace folio::bench {

// How much data a run uses; the concrete sizes belong to the bench driver.
enum class Scale { tiny, small, full };
Scale parse_scale(std::string_view text);  // throws std::invalid_argument
std::string_view to_string(Scale s);

class Stopwatch {
public:
    using clock = std::chrono::steady_clock;
    Stopwatch() : start_(clock::now()) {}
    void restart() { start_ = clock::now(); }
    double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

private:
    clock::time_point start_;
};

struct Timing {
    double median = 0;  // seconds
    double min = 0;     // seconds
    int runs = 0;
    std::vector<double> samples;  // every run, in run order
};

// Runs `body` `runs` times and times each run; `setup` (may be empty) runs
// untimed before every run so writing variants start from fresh data.
Timing time_runs(int runs, const std::function<void()>& setup, const std::function<void()>& body);
Timing time_runs(int runs, const std::function<void()>& body);
// Fills t.runs, t.min and t.median from t.samples (at least one).
void summarize(Timing& t);
// Times `a` and `b` in turns, one run of each `pairs` times (a, b, a, b...):
// on a shared machine both see the same drift, which sequential runs of
// short bodies (milliseconds) do not. Returns {a's timing, b's timing}.
std::pair<Timing, Timing> time_alternating(int pairs, const std::function<void()>& a, const std::function<void()>& b);
// The same for any number of bodies: `rounds` rounds, each running every
// body once in the order given (a, b, c, a, b, c...). Returns their timings
// in that order.
std::vector<Timing> time_in_turns(int rounds, const std::vector<std::function<void()>>& bodies);

struct MemSample {
    double t_seconds;
    double rss_mb;
};

// Current and peak resident set size of this process, in MiB.
double current_rss_mb();
double peak_rss_mb();

// Samples this process's RSS (/proc/self/statm) every `period` on a helper
// thread while `body` runs on the calling thread; the first sample is taken
// before and the last after `body`. Exceptions from `body` propagate.
std::vector<MemSample> sample_memory(const std::function<void()>& body,
                                     std::chrono::milliseconds period = std::chrono::milliseconds(10));

struct ChildMemory {
    double start_rss_mb = 0;  // RSS when the child began (pages shared with the parent)
    double peak_rss_mb = 0;   // VmHWM of the child, reset at its start
    double seconds = 0;       // wall time of `body` alone, measured in the child
    std::vector<MemSample> samples;    // empty unless sampling was asked for
    std::vector<std::int64_t> values;  // what `body` returned (statement counts, bytes...)
};

// Runs `body` in a forked child so its peak is its own and not a leftover
// of an earlier variant in this process. The child inherits the parent's
// memory as it is, so build big inputs inside `body` for a clean figure.
// SQLite connections must not cross fork(): `body` opens its own. Throws
// std::runtime_error if the child fails or `body` throws there.
ChildMemory measure_in_child(const std::function<std::vector<std::int64_t>()>& body, bool sample = false,
                             std::chrono::milliseconds period = std::chrono::milliseconds(10));
inline ChildMemory measure_in_child(const std::function<void()>& body, bool sample = false,
                                    std::chrono::milliseconds period = std::chrono::milliseconds(10)) {
    return measure_in_child(std::function<std::vector<std::int64_t>()>([&body] {
                                body();
                                return std::vector<std::int64_t>{};
                            }),
                            sample, period);
}
inline double peak_rss_in_child(const std::function<void()>& body) {
    return measure_in_child(body).peak_rss_mb;
}

// Counts the SQL statements a connection runs while alive, the way the
// guide counts queries: one per run of a top-level statement, counted when
// the run ends; trigger bodies, foreign-key actions and (by default)
// BEGIN/COMMIT/END/ROLLBACK/SAVEPOINT/RELEASE are not counted. Uses
// sqlite3_trace_v2, so it replaces any trace callback on `db` and clears it
// when destroyed; the callback costs two clock reads per statement.
class StatementCounter {
public:
    explicit StatementCounter(sqlite3* db, bool count_transaction_control = false);
    StatementCounter(const StatementCounter&) = delete;
    StatementCounter& operator=(const StatementCounter&) = delete;
    ~StatementCounter();
    int count() const { return count_; }
    void reset() { count_ = 0; }

private:
    static int on_trace(unsigned type, void* self, void* stmt, void* sql);
    sqlite3* db_;
    bool count_tx_;
    int count_ = 0;
};

// One measured variant of one guide section.
struct Result {
    int section = 0;
    std::string section_title;
    std::string variant;
    std::optional<int> statements;
    std::optional<double> seconds;
    std::optional<double> peak_rss_mb;
    std::string ratio_to;  // variant of the same section this one is compared with ("" none)
    std::string scale;
    std::string notes;
    // The "SQLite limit" row this one is compared with; empty means the
    // section's row named like Report's limit variant ("raw"). A section
    // with two data sizes (§1: 200 and 1,000,000 authors) needs two limits.
    std::string limit_to = {};
};

// A section's headline comparison for the summary table and chart: the
// guide's "before" and "after" variants (and optionally the limit row).
struct Headline {
    int section = 0;
    std::string label;
    std::string before;
    std::string after;
};

// Collects Results (and memory series) and renders them. The variant named
// `limit_variant` in a section is its "SQLite limit" row; every other row
// also gets a "vs limit" time ratio.
class Report {
public:
    explicit Report(std::string limit_variant = "raw") : limit_(std::move(limit_variant)) {}

    // The backend the rows ran on ("SQLite", "PostgreSQL"): names the limit
    // rows in headings and charts (hand-written code for that backend).
    void set_backend(std::string name) { backend_ = std::move(name); }
    const std::string& backend() const { return backend_; }

    void add(Result r);
    void add_headline(Headline h) { headlines_.push_back(std::move(h)); }
    const Result* find(int section, std::string_view variant) const;
    // Rows named "raw..." are limit rows: they get no "vs limit" ratio.
    static bool is_limit_row(const Result& r) { return r.variant.rfind("raw", 0) == 0; }
    void add_memory_series(int section, std::string variant, std::vector<MemSample> samples);
    const std::vector<Result>& results() const { return results_; }

    // Time ratio of `r` to its ratio_to variant, and to the section's limit.
    std::optional<double> ratio(const Result& r) const;
    std::optional<double> vs_limit(const Result& r) const;

    void print(std::ostream& out) const;  // one aligned table per section
    std::string to_json() const;          // array, one object per variant
    void write_json(const std::filesystem::path& file) const;
    // section-NN-time.svg per section with timings, section-NN-memory.svg per
    // section with memory series; returns the files written.
    std::vector<std::filesystem::path> write_svgs(const std::filesystem::path& dir) const;
    // summary.cpp: the headline of every section as a Markdown table (for the
    // README and RESULTS.md), every row as Markdown tables, and summary.svg:
    // per section, the speed-up after/before and the after/limit ratio.
    void print_markdown_summary(std::ostream& out) const;
    void print_markdown_tables(std::ostream& out) const;
    std::filesystem::path write_summary_svg(const std::filesystem::path& dir) const;

private:
    std::vector<int> sections() const;

    std::string limit_;
    std::string backend_ = "SQLite";
    std::vector<Headline> headlines_;
    std::vector<Result> results_;  // insertion order is display order
    std::map<int, std::vector<std::pair<std::string, std::vector<MemSample>>>> memory_;
};

// "1.23 s", "45.6 ms", "789 µs": durations for tables and chart labels.
std::string format_seconds(double s);

}  // namespace folio::bench
