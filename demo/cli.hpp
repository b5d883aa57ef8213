// cli.hpp: what every command of the `folio` CLI shares: the global options,
// the lazily opened database, the --sql/--stats listeners, the progress bar,
// the exit codes, and the registration of command groups.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>

#include <folio/folio.hpp>

#include "output_file.hpp"

namespace folio_cli {

// Documented exit codes (folio --help).
enum Exit : int { ok = 0, bad_input = 1, usage = 2 };

// A command-line mistake found after parsing (e.g. a two-character
// delimiter): exits with code 2 like CLI11's own parse errors.
class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Aggregates what --stats / --stats-json report, without keeping each
// statement (an import may run thousands, each with megabytes of args).
struct Stats {
    std::size_t queries = 0;
    double sql_seconds = 0;
    std::unordered_map<std::string, std::size_t> by_sql;  // SQL text -> runs
    folio::StatementCacheStats cache_at_start;
};

// The global options and the database the command works on.
class Env {
public:
    std::string db_option;     // --db
    std::string sql;           // --sql ("top") or --sql=all; empty: off
    bool stats = false;        // --stats
    std::string stats_json;    // --stats-json FILE
    bool doctor = false;       // --doctor: the query doctor watches the command
    // Set by commands that print the doctor's findings themselves (tour).
    bool findings_shown = false;
    // Set from the command before it runs: a read-only command opens the
    // database read-only and never creates it (a mistyped --db is an error,
    // not a new empty file).
    bool read_only = false;
    // Set by a command's --force (migrate, tour): blog() migrates a database
    // even when it holds tables folio did not create.
    bool allow_foreign_tables = false;

    // --db, else $FOLIO_DB, else ./folio.sqlite3.
    std::string db_path() const;
    // Runs `check` (e.g. a refusal of another program's database) on the
    // database before the command writes to it: on an existing SQLite file
    // through a read-only connection, since opening it read-write already
    // changes it (journal_mode=WAL is written into its header), so that a
    // refusal leaves it byte for byte as it was; else on database().
    void check_before_writing(const std::function<void(folio::Database&)>& check);
    // Creates the --stats-json file's temporary beside it, so that an
    // unwritable place fails before the command does any work.
    void open_outputs();
    // The database opened (created when missing, unless read_only) but not
    // migrated: for migrate/showmigrations/sqlmigrate. Listeners are attached
    // on open.
    folio::Database& database();
    // The blog, migrated to the latest schema on first use (read_only: must
    // already be at the latest schema; nothing is written). A migration
    // pending on a database that holds tables folio did not create is
    // refused (refuse_foreign_tables) unless allow_foreign_tables.
    folio::Blog& blog();
    // Prints/writes the statistics asked for; called once the command ends.
    void finish();

private:
    void attach(folio::Database& db);
    std::unique_ptr<OutputFile> stats_file_;
    std::unique_ptr<folio::Database> db_;
    std::optional<folio::Blog> blog_;
    folio::Database* active_ = nullptr;
    // Declared after blog_: destroyed before the database it watches.
    std::optional<folio::Doctor> doctor_;
    std::shared_ptr<Stats> stats_;
};

// The --sql printer: each statement in the guide's log style. Trigger
// programs (one "-- TRIGGER name" per row a bulk INSERT touches) are counted
// and folded into one line after the statement that fired them, unless
// `all` asks for every one.
class SqlPrinter {
public:
    SqlPrinter(std::ostream& out, bool all) : out_(out), all_(all) {}
    void operator()(const folio::LoggedStatement& s);

private:
    std::ostream& out_;
    bool all_;
    std::vector<std::pair<std::string, std::size_t>> triggers_;  // name -> runs, in order of first run
};

// How a command that only reads opens the database at `path` (--db: a
// file, ":memory:", or a PostgreSQL URI whose transactions are then all
// READ ONLY): read-only, never created, so a mistyped --db is an
// error and not a new empty blog. Throws std::runtime_error naming `path`
// when no file is there, folio::OperationalError when SQLite cannot open
// it. In a directory this process cannot write, a WAL database without a
// PATH-wal file is opened immutable (SQLite could not create PATH-shm);
// with a PATH-wal file, SQLite needs PATH-shm to exist and be readable.
std::unique_ptr<folio::Database> open_read_only(const std::string& path);

// Throws std::runtime_error saying to run `folio migrate` when `db` is not at
// the blog's latest schema (naming db.path(), where a conninfo's password is
// masked): a command that only reads does not migrate. folio::Error when the
// version cannot be read, or is one this folio does not know (newer, negative).
void require_latest_schema(folio::Database& db);

// Throws when `db` holds tables folio did not create (folio::foreign_tables):
// the command would add the blog's tables to another program's database (a
// mistyped --db, $FOLIO_DB naming an app's file, a version-0 database with
// its own `author` table). The message names db.path(), those tables (the
// first five, then how many more), what the command would do (`doing`) and
// the way out (`way_out`). UsageError (exit 2) when `usage` (the way out is an
// option of the command), std::runtime_error (exit 1) otherwise.
void refuse_foreign_tables(folio::Database& db, std::string_view doing, std::string_view way_out, bool usage);

// One registered subcommand and what it runs once parsing succeeded.
struct Command {
    CLI::App* app;
    std::function<int(Env&)> run;
    bool read_only = false;  // only reads the database: opened read-only, never created
};
using Commands = std::vector<Command>;

// Command groups, one file each.
void add_schema_commands(CLI::App& app, Commands& out);  // cmd_schema.cpp
void add_data_commands(CLI::App& app, Commands& out);    // cmd_data.cpp
void add_blog_commands(CLI::App& app, Commands& out);    // cmd_blog.cpp
void add_tour_command(CLI::App& app, Commands& out);     // tour.cpp
void add_serve_command(CLI::App& app, Commands& out);    // cmd_serve.cpp, demo/serve/

// A one-line progress bar on stderr, drawn only when stderr is a terminal
// (so pipes, logs and tests see nothing), at most ten times a second.
class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    // `done` of `total` units (bytes; total 0 = unknown), `records` so far.
    void update(std::uint64_t done, std::uint64_t total, std::uint64_t records);
    // Redraws the last state with `status` ("committing...", "committed")
    // in place of the rate: what the command does once the input is read,
    // said when it starts and when it returns.
    void status(std::string_view status);
    void finish();
    bool enabled() const noexcept { return enabled_; }
    // The text drawn for that state, at most `columns` - 1 wide (no wrap);
    // `status` empty shows the rate.
    std::string line(std::uint64_t done, std::uint64_t total, std::uint64_t records, double secs,
                     std::size_t columns, std::string_view status = {}) const;

private:
    void draw(std::chrono::steady_clock::time_point now, std::string_view status);
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::uint64_t done_ = 0, total_ = 0, records_ = 0;  // the last update()
    std::chrono::steady_clock::time_point start_, last_;
};

// Counts the statements run while it lives, like folio::QueryCapture but
// without keeping them: a bulk import's statements carry megabytes of args.
class StatementCounter {
public:
    explicit StatementCounter(folio::Database& db);
    ~StatementCounter();
    StatementCounter(const StatementCounter&) = delete;
    StatementCounter& operator=(const StatementCounter&) = delete;
    std::size_t count() const noexcept { return *count_; }

private:
    folio::Database& db_;
    std::shared_ptr<std::size_t> count_ = std::make_shared<std::size_t>(0);
    std::size_t id_;
};

// An integer option's check: a whole number >= `min`. Its error names the
// value and the bound (CLI::PositiveNumber's prints DBL_MAX in 309 digits).
CLI::Validator at_least(std::int64_t min);

// Replaces line breaks so that an error stays on one line.
std::string one_line(std::string s);
// `word` as one POSIX shell word (for commands a message suggests), quoted
// in '...' only when it holds anything but [A-Za-z0-9_-./+=:,@].
std::string shell_quote(const std::string& word);

} // namespace folio_cli
