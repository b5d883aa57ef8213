// cli.cpp: the shared machinery of the `folio` CLI: database resolution and
// opening, the --sql printer, the --stats aggregation and report, and the
// progress bar.
#include "cli.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace folio_cli {

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

CLI::Validator at_least(std::int64_t min) {
    return CLI::Validator(
        [min](std::string& text) -> std::string {
            std::int64_t v = 0;
            const char* end = text.data() + text.size();
            auto [ptr, ec] = std::from_chars(text.data(), end, v);
            if (ec == std::errc::result_out_of_range) return fmt::format("'{}' is too large", text);
            if (ec != std::errc() || ptr != end) return fmt::format("'{}' is not a whole number", text);
            if (v < min) return fmt::format("{} is below the smallest allowed value, {}", text, min);
            return {};
        },
        fmt::format("INT>={}", min));
}

std::string Env::db_path() const {
    if (!db_option.empty()) return db_option;
    if (const char* env = std::getenv("FOLIO_DB"); env && *env) return env;
    return "folio.sqlite3";
}

void Env::attach(folio::Database& db) {
    active_ = &db;
    // SQL goes to stderr: stdout may be a CSV export (export-articles -).
    if (!sql.empty()) db.log().add_listener(SqlPrinter(std::cerr, sql == "all"));
    if (stats || !stats_json.empty()) {
        stats_ = std::make_shared<Stats>();
        stats_->cache_at_start = db.statement_cache().stats();
        db.log().add_listener([s = stats_](const folio::LoggedStatement& st) {
            if (!st.counts()) return;
            ++s->queries;
            s->sql_seconds += st.seconds;
            ++s->by_sql[st.sql];
        }, folio::SqlLog::ListenerNeeds::SqlOnly);
    }
}

void Env::open_outputs() {
    if (!stats_json.empty() && !stats_file_) stats_file_ = std::make_unique<OutputFile>(stats_json);
}

std::unique_ptr<folio::Database> open_read_only(const std::string& path) {
    folio::DatabaseOptions options;
    if (folio::is_postgresql_address(path)) {
        options.read_only = true;  // every transaction READ ONLY on the server
    } else if (path != ":memory:") {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            throw std::runtime_error(fmt::format("no database at '{}' (this command only reads and creates none; "
                                                 "check --db or $FOLIO_DB)", path));
        // A hot journal (an --exclusive import killed midway leaves one) is
        // rolled back by the first connection that reads the file, which a
        // read-only one cannot do (SQLITE_READONLY_ROLLBACK): a read-write
        // open does it first, as any SQLite program opening the file would.
        if (std::filesystem::file_size(path + "-journal", ec) > 0 && !ec &&
            ::access(path.c_str(), W_OK) == 0)
            folio::Database recover(path);  // opening reads the schema, which rolls the journal back
        ec.clear();
        options.read_only = true;
        // In a directory we cannot write, a WAL database with no -wal file
        // has no writer (one would need that file): read it as immutable,
        // the only way SQLite opens it without creating PATH-shm.
        const std::filesystem::path dir = std::filesystem::path(path).parent_path();
        options.immutable = ::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0 &&
                            !std::filesystem::exists(path + "-wal", ec);
    }
    return std::make_unique<folio::Database>(path, options);
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+=:,@") ==
            std::string::npos)
        return word;
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void require_latest_schema(folio::Database& db) {
    folio::Migrator m(db, folio::blog_migrations(db));
    if (const int v = m.known_version(); v < m.latest_version())
        // db.path(), not `path`: a conninfo's password is masked there.
        throw std::runtime_error(fmt::format("database '{}' is at schema version {} of {}: run `folio --db {} "
                                             "migrate` first (this command only reads)",
                                             db.path(), v, m.latest_version(), shell_quote(db.path())));
}

void refuse_foreign_tables(folio::Database& db, std::string_view doing, std::string_view way_out, bool usage) {
    const std::vector<std::string> foreign = folio::foreign_tables(db);
    if (foreign.empty()) return;
    // Named, so the user sees whose tables they are (a version-0 database's
    // own `author` is listed like any other); a long list is cut short.
    constexpr std::size_t named = 5;
    std::string tables;
    for (std::size_t i = 0; i < foreign.size() && i < named; ++i)
        tables += fmt::format("{}'{}'", i ? ", " : "", foreign[i]);
    if (foreign.size() > named) tables += fmt::format(" (and {} more)", foreign.size() - named);
    // A table named like one of the blog's (a database folio never migrated
    // that holds its own `author`): --force cannot put the blog's table beside
    // it, so the way out is another database, not --force.
    const std::vector<std::string> blog_tables = folio::blog_table_names();
    const auto clash = std::find_first_of(foreign.begin(), foreign.end(), blog_tables.begin(), blog_tables.end());
    const std::string clash_way_out =
        clash == foreign.end()
            ? std::string(way_out)
            : fmt::format("Its table '{}' has the name of one of the blog's, so folio cannot add the blog's tables "
                          "there (not even with --force): use a database of folio's own (--db)",
                          *clash);
    const std::string message =
        fmt::format("database '{}' holds table{} {}, which folio did not create: {}. {}", db.path(),
                    foreign.size() > 1 ? "s" : "", tables, doing, clash_way_out);
    if (usage) throw UsageError(message);
    throw std::runtime_error(message);
}

folio::Database& Env::database() {
    if (active_) return *active_;
    const std::string path = db_path();
    db_ = read_only ? open_read_only(path) : std::make_unique<folio::Database>(path);
    attach(*db_);
    return *db_;
}

void Env::check_before_writing(const std::function<void(folio::Database&)>& check) {
    if (active_ || read_only) {
        check(database());
        return;
    }
    const std::string path = db_path();
    std::error_code ec;
    const bool existing_file = !folio::is_postgresql_address(path) && path != ":memory:" && !path.empty() &&
                               std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) > 0;
    if (!existing_file || ec) {
        check(database());
        return;
    }
    const std::unique_ptr<folio::Database> probe = open_read_only(path);
    check(*probe);
}

folio::Blog& Env::blog() {
    if (blog_) return *blog_;
    if (read_only) {
        if (!db_) database();
        require_latest_schema(*db_);
    } else if (!allow_foreign_tables) {
        check_before_writing([](folio::Database& db) {
            folio::Migrator m(db, folio::blog_migrations(db));
            if (m.known_version() < m.latest_version())
                refuse_foreign_tables(db, "this command would add the blog's tables to it (migrate it)",
                                      fmt::format("Use a database of folio's own (--db), or run `folio --db {} "
                                                  "migrate --force` to add them anyway",
                                                  shell_quote(db.path())),
                                      false);
        });
    }
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
    if (doctor_) {
        // Repeated statement shapes are checked when a scope ends: end the
        // command's scope first, or the one-by-one writes go unseen.
        doctor_->flush();
        findings = doctor_->findings();
    }
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
        open_outputs();
        stats_file_->stream() << j.dump(2) << '\n';
        std::unique_ptr<OutputFile> file = std::move(stats_file_);  // written once, even if finish() runs again
        file->commit();
    }
}

void SqlPrinter::operator()(const folio::LoggedStatement& s) {
    if (s.kind == folio::LoggedStatement::Kind::Trigger && !all_) {
        // SQLite reports a trigger program when it starts, before the
        // statement that fired it ends and is logged.
        auto it = std::find_if(triggers_.begin(), triggers_.end(), [&](const auto& t) { return t.first == s.sql; });
        if (it == triggers_.end()) triggers_.emplace_back(s.sql, 1);
        else ++it->second;
        return;
    }
    out_ << s.to_string() << '\n';
    for (const auto& [text, n] : triggers_) out_ << fmt::format("    {} (x{})\n", text, n);
    triggers_.clear();
}

StatementCounter::StatementCounter(folio::Database& db)
    : db_(db), id_(db.log().add_listener([c = count_](const folio::LoggedStatement& s) {
          if (s.counts()) ++*c;
      }, folio::SqlLog::ListenerNeeds::SqlOnly)) {}

StatementCounter::~StatementCounter() { db_.log().remove_listener(id_); }

// ---- progress bar ----

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

namespace {
// Columns of the terminal on stderr: a line wider than it wraps, and every
// redraw then leaves a line behind.
std::size_t terminal_columns() {
    winsize w{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
    return 80;
}
} // namespace

std::string ProgressBar::line(std::uint64_t done, std::uint64_t total, std::uint64_t records, double secs,
                              std::size_t columns, std::string_view status) const {
    const double rate = secs > 0 ? static_cast<double>(records) / secs : 0;
    const std::string tail = status.empty() ? fmt::format(" {} records, {:.0f} records/s", records, rate)
                                            : fmt::format(" {} records, {}", records, status);
    std::string bar;
    if (total) {
        const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        const std::string percent = fmt::format(" {:3.0f}%", frac * 100);
        // "label [###   ] 100% tail" within the line, the bar taking what is left (at most 30).
        const std::size_t fixed = label_.size() + 3 + percent.size() + tail.size();
        const std::size_t width = columns > fixed + 5 ? std::min<std::size_t>(30, columns - 1 - fixed) : 0;
        const auto full = static_cast<std::size_t>(frac * static_cast<double>(width));
        bar = width ? fmt::format(" [{}{}]{}", std::string(full, '#'), std::string(width - full, ' '), percent)
                    : percent;
    }
    std::string out = label_ + bar + tail;
    if (columns > 1 && out.size() > columns - 1) out.resize(columns - 1);
    return out;
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, std::uint64_t records) {
    if (!enabled_) return;
    done_ = done;
    total_ = total;
    records_ = records;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && !(total && done >= total)) return;
    draw(now, {});
}

void ProgressBar::status(std::string_view status) {
    if (enabled_) draw(std::chrono::steady_clock::now(), status);
}

void ProgressBar::draw(std::chrono::steady_clock::time_point now, std::string_view status) {
    last_ = now;
    drawn_ = true;
    const double secs = std::chrono::duration<double>(now - start_).count();
    std::cerr << '\r' << line(done_, total_, records_, secs, terminal_columns(), status) << "\x1b[K" << std::flush;
}

void ProgressBar::finish() {
    if (enabled_ && drawn_) std::cerr << '\n' << std::flush;
    drawn_ = false;
    enabled_ = false;
}

} // namespace folio_cli
