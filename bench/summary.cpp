// folio-bench harness, part 3: the summary views of a Report. A Markdown
// table of each section's headline (before -> after, for the README and
// RESULTS.md), every row as Markdown tables, and summary.svg: per section the
// speed-up of "after" over "before" on a log scale, with "after" against
// the SQLite limit written next to it.
#include "harness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <ostream>
#include <stdexcept>

namespace folio::bench {
namespace {

std::string stmts(const Result* r) { return r && r->statements ? std::to_string(*r->statements) : "-"; }
std::string secs(const Result* r) { return r && r->seconds ? format_seconds(*r->seconds) : "-"; }

std::string esc(std::string_view s) {
    std::string o;
    for (char c : s) {
        if (c == '&') o += "&amp;";
        else if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else o += c;
    }
    return o;
}

// Sections may run out of order (§5 first); show them in guide order.
std::vector<Headline> sorted_headlines(std::vector<Headline> h) {
    std::stable_sort(h.begin(), h.end(), [](const Headline& a, const Headline& b) { return a.section < b.section; });
    return h;
}

}  // namespace

void Report::print_markdown_summary(std::ostream& out) const {
    out << "| § | before → after | statements | before | after | speed-up | after vs " << backend_ << " limit |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const Headline& h : sorted_headlines(headlines_)) {
        const Result* b = find(h.section, h.before);
        const Result* a = find(h.section, h.after);
        std::string speedup = "-", limit = "-";
        if (a && b && a->seconds && b->seconds && *a->seconds > 0)
            speedup = fmt::format("{:.3g}x", *b->seconds / *a->seconds);
        if (a)
            if (auto vl = vs_limit(*a)) limit = fmt::format("{:.3g}x", *vl);
        out << fmt::format("| {} | {} | {} → {} | {} | {} | {} | {} |\n", h.section, h.label, stmts(b), stmts(a),
                           secs(b), secs(a), speedup, limit);
    }
}

void Report::print_markdown_tables(std::ostream& out) const {
    for (int section : sections()) {
        const Result* first = nullptr;
        for (const Result& r : results_)
            if (r.section == section && !first) first = &r;
        if (!first) continue;
        out << fmt::format("\n### §{} {}\n\n", section, first->section_title);
        out << "| variant | statements | time | peak RSS (MB) | ratio | vs limit | notes |\n"
               "|---|---:|---:|---:|---|---:|---|\n";
        for (const Result& r : results_) {
            if (r.section != section) continue;
            const auto ra = ratio(r);
            const auto vl = vs_limit(r);
            out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", r.variant, stmts(&r), secs(&r),
                               r.peak_rss_mb ? fmt::format("{:.1f}", *r.peak_rss_mb) : "-",
                               ra ? fmt::format("{:.3g}x {}", *ra, r.ratio_to) : "-",
                               is_limit_row(r) ? "limit" : vl ? fmt::format("{:.3g}x", *vl) : "-", r.notes);
        }
    }
}

std::filesystem::path Report::write_summary_svg(const std::filesystem::path& dir) const {
    struct Row {
        std::string label;
        double speedup;
        std::optional<double> vs_limit;
    };
    std::vector<Row> rows;
    for (const Headline& h : sorted_headlines(headlines_)) {
        const Result* b = find(h.section, h.before);
        const Result* a = find(h.section, h.after);
        if (!a || !b || !a->seconds || !b->seconds || *a->seconds <= 0) continue;
        rows.push_back({fmt::format("§{} {}", h.section, h.label), *b->seconds / *a->seconds, vs_limit(*a)});
    }
    const int left = 430, right = 190, top = 64, bar_h = 20, gap = 10, width = 1040;
    const int plot_w = width - left - right, plot_h = static_cast<int>(rows.size()) * (bar_h + gap);
    const int height = top + plot_h + 70;
    double max_x = 10;
    for (const Row& r : rows) max_x = std::max(max_x, r.speedup);
    const double decades = std::ceil(std::log10(max_x));
    auto x_of = [&](double v) { return left + std::log10(std::max(v, 1.0)) / decades * plot_w; };

    std::string svg = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">folio-bench: speed-up of "
        "the guide's optimized code over its naive code</text>\n"
        "<text x=\"16\" y=\"44\" font-size=\"12\" fill=\"#666\">scale: {2}; log scale; right: the optimized "
        "variant's time over hand-written sqlite3 C-API code</text>\n",
        width, height, results_.empty() ? std::string("?") : results_.front().scale);
    for (int d = 0; d <= static_cast<int>(decades); ++d) {
        const double v = std::pow(10.0, d);
        svg += fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e4e4e4\"/>"
            "<text x=\"{0:.1f}\" y=\"{3}\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">{4:g}x</text>\n",
            x_of(v), top - 6, top + plot_h, top + plot_h + 16, v);
    }
    int y = top + gap / 2;
    for (const Row& r : rows) {
        const double x = x_of(r.speedup);
        svg += fmt::format(
            "<text x=\"{0}\" y=\"{1}\" font-size=\"12\" fill=\"#222\" text-anchor=\"end\">{2}</text>\n"
            "<rect x=\"{3}\" y=\"{4}\" width=\"{5:.1f}\" height=\"{6}\" fill=\"#2a9d8f\" rx=\"2\"/>\n"
            "<text x=\"{7:.1f}\" y=\"{1}\" font-size=\"12\" fill=\"#333\">{8:.3g}x</text>\n"
            "<text x=\"{9}\" y=\"{1}\" font-size=\"12\" fill=\"#457b9d\">{10}</text>\n",
            left - 8, y + bar_h / 2 + 4, esc(r.label), left, y, std::max(1.0, x - left), bar_h, x + 6, r.speedup,
            left + plot_w + 70, r.vs_limit ? fmt::format("{:.3g}x limit", *r.vs_limit) : std::string("-"));
        y += bar_h + gap;
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\">"
                       "time before / time after</text>\n</svg>\n",
                       left + plot_w / 2, top + plot_h + 36);
    std::filesystem::create_directories(dir);
    const auto file = dir / "summary.svg";
    std::ofstream out(file, std::ios::binary);
    out << svg;
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
}

}  // namespace folio::bench
