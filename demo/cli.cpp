// cli.cpp: the shared machinery of the `folio` CLI: database resolution and
// opening, the --sql printer, the --stats aggregation and report, and the
// progress bar.
#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace folio_cli {

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

std::string Env::db_path() const {
    if (!db_option.empty()) return db_option;
    if (const char* env = std::getenv("FOLIO_DB"); env && *env) return env;
    return "folio.sqlite3";
}

void Env::attach(folio::Database& db) {
    active_ = &db;
    // SQL goes to stderr: stdout may be a CSV export (export-articles -).
    if (sql) db.log().print_to(&std::cerr);
    if (stats || !stats_json.empty()) {
        stats_ = std::make_shared<Stats>();
        stats_->cache_at_start = db.statement_cache().stats();
        db.log().add_listener([s = stats_](const folio::LoggedStatement& st) {
            if (!st.counts()) return;
            ++s->queries;
            s->sql_seconds += st.seconds;
            ++s->by_sql[st.sql];
        });
    }
}

folio::Database& Env::database() {
    if (active_) return *active_;
    db_ = std::make_unique<folio::Database>(db_path());
    attach(*db_);
    return *db_;
}

folio::Blog& Env::blog() {
    if (blog_) return *blog_;
    if (!db_) database();
    blog_.emplace(std::move(db_));  // migrates: "created and migrated on first use"
    // The stats describe the command, not the opening checks and migrations.
    if (stats_) {
        *stats_ = Stats{};
        stats_->cache_at_start = active_->statement_cache().stats();
    }
    // Collected, then printed once the command ends: stdout may be a CSV.
    if (doctor) {
        folio::DoctorOptions options;
        options.mode = folio::DoctorMode::Collect;
        doctor_.emplace(blog_->db(), options);
    }
    return *blog_;
}

namespace {
// Statements run more than once with the same SQL: where N+1 loops show.
std::vector<std::pair<std::string, std::size_t>> suspects(const Stats& s) {
    std::vector<std::pair<std::string, std::size_t>> out;
    for (const auto& [sql, n] : s.by_sql)
        if (n > 1) out.emplace_back(sql, n);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (out.size() > 10) out.resize(10);
    return out;
}
std::string shorten(const std::string& sql) {
    std::string s = one_line(sql);
    return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}
} // namespace

void Env::finish() {
    std::vector<folio::Finding> findings;
    if (doctor_) findings = doctor_->findings();
    if (doctor && !findings_shown) {
        std::cerr << fmt::format("-- doctor: {} finding(s)\n", findings.size());
        for (const auto& f : findings) std::cerr << "   " << f.to_string() << '\n';
    }
    if (!stats_ || !active_) {
        // Nothing ran against a database: the stats are all zero.
        if (!stats && stats_json.empty()) return;
        stats_ = std::make_shared<Stats>();
    }
    folio::StatementCacheStats now = active_ ? active_->statement_cache().stats() : folio::StatementCacheStats{};
    const std::uint64_t hits = now.hits - stats_->cache_at_start.hits;
    const std::uint64_t misses = now.misses - stats_->cache_at_start.misses;
    auto sus = suspects(*stats_);
    if (stats) {
        std::cerr << fmt::format("-- stats: {} statements, {:.3f} s SQL time, statement cache {} hits / {} misses\n",
                                 stats_->queries, stats_->sql_seconds, hits, misses);
        if (!sus.empty()) std::cerr << "-- repeated statements (N+1 suspects):\n";
        for (const auto& [sql, n] : sus) std::cerr << fmt::format("   {:>6}x  {}\n", n, shorten(sql));
    }
    if (!stats_json.empty()) {
        nlohmann::json j = {{"queries", stats_->queries},
                            {"sql_seconds", stats_->sql_seconds},
                            {"cache_hits", hits},
                            {"cache_misses", misses},
                            {"repeated", nlohmann::json::array()}};
        for (const auto& [sql, n] : sus) j["repeated"].push_back({{"sql", sql}, {"count", n}});
        j["findings"] = nlohmann::json::parse(folio::findings_json(findings));
        std::ofstream out(stats_json, std::ios::trunc);
        out << j.dump(2) << '\n';
        if (!out) throw std::runtime_error(fmt::format("cannot write stats to '{}'", stats_json));
    }
}

StatementCounter::StatementCounter(folio::Database& db)
    : db_(db), id_(db.log().add_listener([c = count_](const folio::LoggedStatement& s) {
          if (s.counts()) ++*c;
      })) {}

StatementCounter::~StatementCounter() { db_.log().remove_listener(id_); }

// ---- progress bar ----

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, std::uint64_t total, std::uint64_t records) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && !(total && done >= total)) return;
    last_ = now;
    drawn_ = true;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(records) / secs : 0;
    std::string bar;
    if (total) {
        const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        const int width = 30, full = static_cast<int>(frac * width);
        bar = fmt::format("[{}{}] {:3.0f}% ", std::string(static_cast<std::size_t>(full), '#'),
                          std::string(static_cast<std::size_t>(width - full), ' '), frac * 100);
    }
    std::cerr << fmt::format("\r{} {}{} records, {:.0f} records/s\x1b[K", label_, bar, records, rate) << std::flush;
}

void ProgressBar::finish() {
    if (enabled_ && drawn_) std::cerr << '\n' << std::flush;
    drawn_ = false;
    enabled_ = false;
}

} // namespace folio_cli
