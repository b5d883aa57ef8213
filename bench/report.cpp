// folio-bench harness implementation, part 2: the Report. Prints one aligned
// table per guide section, writes the JSON results and hand-written SVG
// charts (time per variant as horizontal bars, memory over time as lines).
// SVG is written as text so the bench needs no plotting dependency.
#include "harness.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <ostream>
#include <set>
#include <stdexcept>

namespace folio::bench {

void Report::add(Result r) { results_.push_back(std::move(r)); }

void Report::add_memory_series(int section, std::string variant, std::vector<MemSample> samples) {
    memory_[section].emplace_back(std::move(variant), std::move(samples));
}

const Result* Report::find(int section, std::string_view variant) const {
    for (const Result& r : results_)
        if (r.section == section && r.variant == variant) return &r;
    return nullptr;
}

std::vector<int> Report::sections() const {
    std::set<int> s;
    for (const Result& r : results_) s.insert(r.section);
    for (const auto& [section, unused] : memory_) s.insert(section);
    return {s.begin(), s.end()};
}

namespace {

std::optional<double> time_ratio(const Result& r, const Result* base) {
    if (!base || base == &r || !r.seconds || !base->seconds || *base->seconds <= 0) return std::nullopt;
    return *r.seconds / *base->seconds;
}

std::string cell(const std::optional<double>& v, const char* spec) {
    return v ? fmt::format(fmt::runtime(spec), *v) : std::string("-");
}

}  // namespace

std::optional<double> Report::ratio(const Result& r) const {
    return r.ratio_to.empty() ? std::nullopt : time_ratio(r, find(r.section, r.ratio_to));
}

std::optional<double> Report::vs_limit(const Result& r) const {
    if (is_limit_row(r)) return std::nullopt;
    return time_ratio(r, find(r.section, r.limit_to.empty() ? limit_ : r.limit_to));
}

void Report::print(std::ostream& out) const {
    for (int section : sections()) {
        std::vector<const Result*> rows;
        for (const Result& r : results_)
            if (r.section == section) rows.push_back(&r);
        if (rows.empty()) continue;
        std::size_t vw = 8, rw = 6;
        for (const Result* r : rows) {
            vw = std::max(vw, r->variant.size());
            rw = std::max(rw, r->ratio_to.size() + 11);  // "0.00123x " + name
        }
        out << fmt::format("\n§{} {}  [scale: {}, {}]\n", section, rows.front()->section_title,
                           rows.front()->scale, backend_);
        const std::string limit_col = "vs " + limit_;
        out << fmt::format("  {:<{}}  {:>6}  {:>10}  {:>8}  {:<{}}  {:>9}  {}\n", "variant", vw, "stmts",
                           "time", "peak MB", "ratio", rw, limit_col, "notes");
        for (const Result* r : rows) {
            const auto ra = ratio(*r);
            const std::string ratio_txt = ra ? fmt::format("{:.3g}x {}", *ra, r->ratio_to) : "-";
            const auto vl = vs_limit(*r);
            out << fmt::format("  {:<{}}  {:>6}  {:>10}  {:>8}  {:<{}}  {:>9}  {}\n", r->variant, vw,
                               r->statements ? std::to_string(*r->statements) : "-",
                               r->seconds ? format_seconds(*r->seconds) : "-",
                               cell(r->peak_rss_mb, "{:.1f}"), ratio_txt, rw,
                               is_limit_row(*r) ? "limit" : cell(vl, "{:.3g}x"), r->notes);
        }
    }
    out.flush();
}

std::string Report::to_json() const {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    auto opt = [](const auto& v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr); };
    for (const Result& r : results_) {
        nlohmann::ordered_json o;
        o["section"] = r.section;
        o["section_title"] = r.section_title;
        o["variant"] = r.variant;
        o["statements"] = opt(r.statements);
        o["seconds"] = opt(r.seconds);
        o["peak_rss_mb"] = opt(r.peak_rss_mb);
        o["scale"] = r.scale;
        if (auto ra = ratio(r)) {
            o["ratio_to"] = r.ratio_to;
            o["ratio"] = *ra;
        }
        if (auto vl = vs_limit(r)) o["vs_limit"] = *vl;
        if (!r.notes.empty()) o["notes"] = r.notes;
        arr.push_back(std::move(o));
    }
    return arr.dump(2);
}

void Report::write_json(const std::filesystem::path& file) const {
    std::ofstream out(file, std::ios::binary);
    out << to_json() << '\n';
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

// ---- SVG ------------------------------------------------------------------

namespace {

constexpr const char* kPalette[] = {"#e76f51", "#2a9d8f", "#457b9d", "#e9c46a", "#8e44ad", "#264653"};
constexpr const char* kFont = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

std::string esc(std::string_view s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '&': o += "&amp;"; break;
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

// A "nice" axis: 0..top in steps of 1, 2 or 5 times a power of ten.
struct Axis {
    double top, step;
};
Axis nice_axis(double max_value, int ticks = 5) {
    if (!(max_value > 0)) max_value = 1;
    const double raw = max_value / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    const double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
    return {std::ceil(max_value / step - 1e-9) * step, step};
}

// One unit for a whole axis so tick labels compare at a glance.
std::pair<double, const char*> time_unit(double top) {
    if (top >= 1) return {1, "s"};
    if (top >= 1e-3) return {1e3, "ms"};
    if (top >= 1e-6) return {1e6, "µs"};
    return {1e9, "ns"};
}

std::string svg_open(int w, int h, const std::string& title, const std::string& subtitle) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" {2}>\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">{3}</text>\n"
        "<text x=\"16\" y=\"44\" font-size=\"12\" fill=\"#666\">{4}</text>\n",
        w, h, kFont, esc(title), esc(subtitle));
}

void write_file(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

std::vector<std::filesystem::path> Report::write_svgs(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> written;
    for (int section : sections()) {
        std::vector<const Result*> rows;
        std::set<std::string> baselines;  // variants others compare with: the "before" rows
        for (const Result& r : results_)
            if (r.section == section) {
                if (r.seconds) rows.push_back(&r);
                if (!r.ratio_to.empty()) baselines.insert(r.ratio_to);
            }
        const Result* any = nullptr;
        for (const Result& r : results_)
            if (r.section == section) any = &r;
        const std::string title = any ? fmt::format("§{} {}", section, any->section_title)
                                      : fmt::format("§{}", section);
        const std::string scale = any ? "scale: " + any->scale : "";

        if (!rows.empty()) {  // horizontal bars: time per variant
            std::size_t label_chars = 8;
            for (const Result* r : rows) label_chars = std::max(label_chars, r->variant.size());
            const int left = 24 + static_cast<int>(label_chars * 7.2), right = 170, top = 64;
            const int bar_h = 24, gap = 12, width = 860, plot_w = width - left - right;
            const int plot_h = static_cast<int>(rows.size()) * (bar_h + gap);
            const int height = top + plot_h + 80;
            double max_s = 0;
            for (const Result* r : rows) max_s = std::max(max_s, *r->seconds);
            const Axis ax = nice_axis(max_s);
            const auto [factor, unit] = time_unit(ax.top);
            auto x_of = [&](double s) { return left + s / ax.top * plot_w; };

            std::string svg = svg_open(width, height, title + " — time per variant", scale + ", median of runs");
            for (double t = 0; t <= ax.top + ax.step / 2; t += ax.step) {
                svg += fmt::format(
                    "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e4e4e4\"/>\n"
                    "<text x=\"{0:.1f}\" y=\"{3}\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">{4:g}</text>\n",
                    x_of(t), top - 6, top + plot_h, top + plot_h + 16, t * factor);
            }
            svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", left,
                               top + plot_h, left + plot_w);
            svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\">time ({})</text>\n",
                               left + plot_w / 2, top + plot_h + 36, unit);
            int y = top + gap / 2;
            for (const Result* r : rows) {
                const char* color = is_limit_row(*r) ? kPalette[1] : baselines.count(r->variant) ? kPalette[0] : kPalette[2];
                std::string value = format_seconds(*r->seconds);
                if (auto vl = vs_limit(*r)) value += fmt::format("  ({:.3g}x limit)", *vl);
                svg += fmt::format(
                    "<text x=\"{0}\" y=\"{1}\" font-size=\"13\" fill=\"#222\" text-anchor=\"end\">{2}</text>\n"
                    "<rect x=\"{3}\" y=\"{4}\" width=\"{5:.1f}\" height=\"{6}\" fill=\"{7}\" rx=\"2\"/>\n"
                    "<text x=\"{8:.1f}\" y=\"{1}\" font-size=\"12\" fill=\"#333\">{9}</text>\n",
                    left - 8, y + bar_h / 2 + 5, esc(r->variant), left, y,
                    std::max(1.0, x_of(*r->seconds) - left), bar_h, color, x_of(*r->seconds) + 6, esc(value));
                y += bar_h + gap;
            }
            int lx = left;  // legend: which colour means what
            const std::pair<const char*, std::string> legend[] = {
                {kPalette[0], "before"}, {kPalette[2], "after / other"}, {kPalette[1], backend_ + " limit (" + limit_ + ")"}};
            for (const auto& [color, name] : legend) {
                svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                                   "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#333\">{}</text>\n",
                                   lx, height - 26, color, lx + 17, height - 16, esc(name));
                lx += 40 + static_cast<int>(name.size() * 7);
            }
            svg += "</svg>\n";
            written.push_back(dir / fmt::format("section-{:02}-time.svg", section));
            write_file(written.back(), svg);
        }

        auto mem = memory_.find(section);
        if (mem != memory_.end() && !mem->second.empty()) {  // lines: RSS over time
            const int left = 72, right = 200, top = 64, width = 860, height = 460;
            const int plot_w = width - left - right, plot_h = height - top - 64;
            double max_t = 0, max_mb = 0;
            for (const auto& [name, samples] : mem->second)
                for (const MemSample& s : samples) {
                    max_t = std::max(max_t, s.t_seconds);
                    max_mb = std::max(max_mb, s.rss_mb);
                }
            const Axis xa = nice_axis(max_t), ya = nice_axis(max_mb * 1.05);
            auto px = [&](double t) { return left + t / xa.top * plot_w; };
            auto py = [&](double mb) { return top + plot_h - mb / ya.top * plot_h; };

            std::string svg = svg_open(width, height, title + " — memory over time", scale + ", resident set size sampled every ~10 ms");
            for (double t = 0; t <= xa.top + xa.step / 2; t += xa.step)
                svg += fmt::format(
                    "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e4e4e4\"/>"
                    "<text x=\"{0:.1f}\" y=\"{3}\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">{4:g}</text>\n",
                    px(t), top, top + plot_h, top + plot_h + 16, t);
            for (double mb = 0; mb <= ya.top + ya.step / 2; mb += ya.step)
                svg += fmt::format(
                    "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e4e4e4\"/>"
                    "<text x=\"{3}\" y=\"{4:.1f}\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">{5:g}</text>\n",
                    left, py(mb), left + plot_w, left - 6, py(mb) + 4, mb);
            svg += fmt::format(
                "<polyline points=\"{0},{1} {0},{2} {3},{2}\" fill=\"none\" stroke=\"#333\"/>\n"
                "<text x=\"{4}\" y=\"{5}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\">time (s)</text>\n"
                "<text x=\"18\" y=\"{6}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\" "
                "transform=\"rotate(-90 18 {6})\">RSS (MiB)</text>\n",
                left, top, top + plot_h, left + plot_w, left + plot_w / 2, top + plot_h + 38, top + plot_h / 2);
            int i = 0;
            for (const auto& [name, samples] : mem->second) {
                const char* color = kPalette[i % std::size(kPalette)];
                const std::size_t stride = samples.size() / 3000 + 1;  // keep files small
                std::string pts;
                for (std::size_t k = 0; k < samples.size(); k += stride)
                    pts += fmt::format("{:.1f},{:.1f} ", px(samples[k].t_seconds), py(samples[k].rss_mb));
                if (!samples.empty())
                    pts += fmt::format("{:.1f},{:.1f}", px(samples.back().t_seconds), py(samples.back().rss_mb));
                const int ly = top + 8 + i * 22;
                svg += fmt::format(
                    "<polyline points=\"{0}\" fill=\"none\" stroke=\"{1}\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
                    "<line x1=\"{2}\" y1=\"{3}\" x2=\"{4}\" y2=\"{3}\" stroke=\"{1}\" stroke-width=\"3\"/>"
                    "<text x=\"{5}\" y=\"{6}\" font-size=\"12\" fill=\"#222\">{7}</text>\n",
                    pts, color, left + plot_w + 16, ly, left + plot_w + 40, left + plot_w + 46, ly + 4, esc(name));
                ++i;
            }
            svg += "</svg>\n";
            written.push_back(dir / fmt::format("section-{:02}-memory.svg", section));
            write_file(written.back(), svg);
        }
    }
    return written;
}

}  // namespace folio::bench
