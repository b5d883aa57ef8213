// targets.cpp: issue 5's performance targets (§7's tightened by issue 12), checked against one run's
// Report (ratios from the same run, so a noisy machine shifts both sides).
// They are printed, not enforced: timings of a tiny run on a shared CI box
// mean little. What the exit status enforces is the statement counts.
#include "targets.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ostream>
#include <string>
#include <tuple>

namespace folio::bench {
namespace {

std::optional<double> seconds_of(const Report& r, int section, const std::string& variant) {
    const Result* x = r.find(section, variant);
    return x ? x->seconds : std::nullopt;
}

std::optional<double> peak_of(const Report& r, int section, const std::string& variant) {
    const Result* x = r.find(section, variant);
    return x ? x->peak_rss_mb : std::nullopt;
}

// A ratio target: value <= limit (or >= limit when `at_least`).
void ratio_target(std::vector<Target>& out, int section, std::string what, std::optional<double> num,
                  std::optional<double> den, double limit, bool at_least, const char* unit = "x") {
    Target t{section, std::move(what), fmt::format("{} {:g}{}", at_least ? ">=" : "<=", limit, unit), "not run",
             std::nullopt};
    if (num && den && *den > 0) {
        const double v = *num / *den;
        t.measured = fmt::format("{:.3g}{}", v, unit);
        t.met = at_least ? v >= limit : v <= limit;
    }
    out.push_back(std::move(t));
}

// Flat memory: the peak of `variant` at the bigger §5 size within 10% of
// its peak at the smaller one.
void flat_peak_target(std::vector<Target>& out, const Report& r, int section, const std::string& variant,
                      const Sizes& z) {
    Target t{section, fmt::format("{} peak RSS, {} MB vs {} MB", variant, z.s5_mb[1], z.s5_mb[0]), "within 10%",
             "not run", std::nullopt};
    auto a = peak_of(r, section, fmt::format("{} @{}MB", variant, z.s5_mb[0]));
    auto b = peak_of(r, section, fmt::format("{} @{}MB", variant, z.s5_mb[1]));
    if (a && b && *a > 0) {
        const double d = (*b - *a) / *a;
        t.measured = fmt::format("{:+.1f}% ({:.1f} -> {:.1f} MB)", d * 100, *a, *b);
        t.met = std::abs(d) <= 0.10;
    }
    out.push_back(std::move(t));
}

}  // namespace

std::vector<Target> evaluate_targets(const Report& r, const Sizes& z, bool judge_all) {
    std::vector<Target> out;
    std::size_t memory_targets = 0;  // §5's flat memory: the first two §5 targets below
    const std::string big = fmt::format("({})", z.s1_authors_big);
    ratio_target(out, 1, fmt::format("bulk_create of {} authors vs raw", z.s1_authors_big),
                 seconds_of(r, 1, "bulk_create " + big), seconds_of(r, 1, "raw " + big), 1.25, false);

    const std::string lo = fmt::format(" @{}MB", z.s5_mb[0]), hi = fmt::format(" @{}MB", z.s5_mb[1]);
    {
        Target t{5, fmt::format("iterator() export peak RSS at {} MB", z.s5_mb[1]), "< 16 MB", "not run", std::nullopt};
        if (auto p = peak_of(r, 5, "iterator()" + hi)) {
            t.measured = fmt::format("{:.1f} MB", *p);
            t.met = *p < 16.0;
        }
        out.push_back(std::move(t));
    }
    flat_peak_target(out, r, 5, "iterator()", z);
    memory_targets = out.size();
    ratio_target(out, 5, fmt::format("iterator() export time vs raw at {} MB", z.s5_mb[1]),
                 seconds_of(r, 5, "iterator()" + hi), seconds_of(r, 5, "raw" + hi), 1.5, false);

    // Issue 11: the import at disk speed, and the export at its raw limit.
    ratio_target(out, 5, fmt::format("iterator() export time vs raw at {} MB (issue 11)", z.s5_mb[1]),
                 seconds_of(r, 5, "iterator()" + hi), seconds_of(r, 5, "raw" + hi), 1.25, false);
    ratio_target(out, 1, fmt::format("bulk_create of {} authors vs raw tuned", z.s1_authors_big),
                 seconds_of(r, 1, "bulk_create, own page cache " + big),
                 seconds_of(r, 1, "raw tuned, cache 256 MB " + big),
                 1.25, false);
    ratio_target(out, 14, fmt::format("import_articles vs raw importer at {} MB", z.s5_mb[1]),
                 seconds_of(r, 14, "import_articles" + hi), seconds_of(r, 14, "raw importer" + hi), 1.5, false);
    ratio_target(out, 14, fmt::format("import_articles, ExclusiveLoad vs raw importer, rollback journal at {} MB",
                                      z.s5_mb[1]),
                 seconds_of(r, 14, "import_articles, ExclusiveLoad" + hi),
                 seconds_of(r, 14, "raw importer, rollback journal" + hi), 1.5, false);
    // Issue 11's "100 MB/s end to end on the 100 MB file", counted in MB of
    // content (the file holds a little more: its JSON), for the default
    // import and for the one that has the file to itself.
    for (const std::string variant : {"import_articles", "import_articles, ExclusiveLoad"})
        ratio_target(out, 14, fmt::format("{} at {} MB: MB of content per second", variant, z.s5_mb[0]),
                     static_cast<double>(z.s5_mb[0]), seconds_of(r, 14, variant + lo), 100, true, " MB/s");
    for (const std::string& at : {lo, hi}) {
        Target t{14, "import_articles peak RSS" + at, "<= 64 MB", "not run", std::nullopt};
        if (auto p = peak_of(r, 14, "import_articles" + at)) {
            t.measured = fmt::format("{:.1f} MB", *p);
            t.met = *p <= 64.0;
        }
        out.push_back(std::move(t));
    }
    flat_peak_target(out, r, 14, "import_articles", z);
    // Issue 11's memory for the other inputs that grew it: authors, and tags per batch.
    for (const auto& [variant, lo_n, hi_n] :
         {std::tuple<std::string, std::size_t, std::size_t>{"import_authors", 3000 * z.s5_mb[0], 6000 * z.s5_mb[0]},
          {"import_articles, 100 new tags each", 20 * z.s5_mb[0], 40 * z.s5_mb[0]}}) {
        const std::string a = fmt::format("{} @{}", variant, lo_n), b = fmt::format("{} @{}", variant, hi_n);
        Target peak{14, b + " peak RSS", "<= 64 MB", "not run", std::nullopt};
        Target flat{14, fmt::format("{} peak RSS, {} vs {}", variant, hi_n, lo_n), "within 10%", "not run",
                    std::nullopt};
        const auto pa = peak_of(r, 14, a), pb = peak_of(r, 14, b);
        if (pb) {
            peak.measured = fmt::format("{:.1f} MB", *pb);
            peak.met = *pb <= 64.0;
        }
        if (pa && pb && *pa > 0) {
            const double d = (*pb - *pa) / *pa;
            flat.measured = fmt::format("{:+.1f}% ({:.1f} -> {:.1f} MB)", d * 100, *pa, *pb);
            flat.met = std::abs(d) <= 0.10;
        }
        out.push_back(std::move(peak));
        out.push_back(std::move(flat));
    }

    // §14's flat peaks compare two imports that each fill the import's page
    // cache (bulk_load_cache_kib, 16 MB) only at --scale full; below it the
    // cache is still growing with the pages written, so they are reported.
    if (z.s5_mb[0] < 100)
        for (Target& t : out)
            if (t.section == 14 && t.goal == "within 10%") {
                t.judged = false;
                t.met.reset();
                t.reported_as = "reported (judged at --scale full, where the 16 MB page cache fills)";
            }

    const std::string page = "select_related + prefetch_related";
    // Issue 12: with migration 0005's index on created_at, fewer statements must buy time too.
    ratio_target(out, 7, "optimized page vs hand-written SQL page", seconds_of(r, 7, page), seconds_of(r, 7, "raw"),
                 1.5, false);
    ratio_target(out, 7, "optimized page vs naive page", seconds_of(r, 7, page), seconds_of(r, 7, "naive"), 0.5,
                 false);
    {
        Target t{7, "optimized page statements", "2", "not run", std::nullopt};
        if (const Result* x = r.find(7, page); x && x->statements) {
            t.measured = std::to_string(*x->statements);
            t.met = *x->statements == 2;
        }
        out.push_back(std::move(t));
    }
    ratio_target(out, 9, "indexed get() vs raw lookup", seconds_of(r, 9, "get() with index"), seconds_of(r, 9, "raw"),
                 2.0, false);
    ratio_target(out, 13, "statement cache speed-up (prepare each time / cache)",
                 seconds_of(r, 13, "prepare every time"), seconds_of(r, 13, "statement cache"), 2.0, true);
    // Issue 9's, judged at --scale small (its words); reported at every scale.
    ratio_target(out, 9, "indexed get() vs raw lookup (issue 9)", seconds_of(r, 9, "get() with index"),
                 seconds_of(r, 9, "raw"), 1.15, false);
    ratio_target(out, 13, "cached pk lookup vs raw (issue 9)", seconds_of(r, 13, "statement cache"),
                 seconds_of(r, 13, "raw"), 1.15, false);
    if (!judge_all) {
        // Issue 10 names §5's flat memory (< 16 MB at 200 MB) for PostgreSQL
        // too; the others are SQLite's goals: reported, not judged.
        for (std::size_t i = 0; i < out.size(); ++i)
            if (!(out[i].section == 5 && i < memory_targets)) {
                out[i].judged = false;
                out[i].met.reset();
            }
    }
    return out;
}

void print_targets(std::ostream& out, const std::vector<Target>& targets, bool markdown) {
    auto status = [](const Target& t) {
        if (!t.judged) return t.measured == "not run" ? std::string("not run") : t.reported_as;
        return std::string(!t.met ? "not run" : *t.met ? "met" : "MISSED");
    };
    if (markdown) {
        out << "| § | target | goal | measured | status |\n|---|---|---|---|---|\n";
        for (const Target& t : targets)
            out << fmt::format("| {} | {} | {} | {} | {} |\n", t.section, t.what, t.goal, t.measured, status(t));
        return;
    }
    out << "\nTargets (issues 5, 9 and 11; ratios from this run):\n";
    for (const Target& t : targets)
        out << fmt::format("  §{:<2} {:<58} goal {:<11} measured {:<28} {}\n", t.section, t.what, t.goal, t.measured,
                           status(t));
}

}  // namespace folio::bench
