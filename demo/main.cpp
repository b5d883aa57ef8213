// main.cpp: the `folio` executable: global options, the command groups, and
// the one place where errors become messages and exit codes.
#include <iostream>

#include <fmt/format.h>

#include <folio/io/input_error.hpp>

#include "cli.hpp"

namespace {

// The main help's footer; `readers` names the commands that only read.
std::string footer(const std::string& readers) {
    return fmt::format(R"(Database: --db PATH|URI, else $FOLIO_DB, else ./folio.sqlite3. Commands that write create a missing
SQLite file and migrate the database on first use (a postgresql:// URI names a database that must exist);
commands that only read ({}) open it read-only and create nothing.
Exit codes: 0 success; 1 bad input or a database error (nothing written); 2 usage error.
Start with: folio tour)",
                       readers);
}

int run(int argc, char** argv) {
    using namespace folio_cli;
    CLI::App app{"folio: the data layer of a blog engine on SQLite, after the Django optimization guide", "folio"};
    app.require_subcommand(1, 1);
    // The global options (--db, --sql, --stats ...) may also follow the command
    // (`folio serve --db blog.sqlite3`): an option a command does not know
    // falls through to these. Set before the commands, which inherit it.
    app.fallthrough();
    // FOLIO_VERSION comes from meson's project() version (demo/meson.build).
    app.set_version_flag("--version", fmt::format("folio {}", FOLIO_VERSION),
                         "print folio's version and exit");
    Env env;
    app.add_option("--db", env.db_option,
                   "the database: a SQLite file, or a PostgreSQL conninfo URI (postgresql://user@host:port/dbname)")
        ->option_text("PATH|URI");
    app.add_flag("--sql{top}", env.sql,
                 "print every statement as it runs (on stderr, the guide's log style); the trigger programs a "
                 "statement fires are folded into one line after it, --sql=all prints each one")
        ->check(CLI::IsMember({"top", "all"}));
    app.add_flag("--stats", env.stats, "print a summary when the command ends (on stderr)");
    app.add_option("--stats-json", env.stats_json, "write that summary as JSON to FILE")->option_text("FILE");
    app.add_flag("--doctor", env.doctor,
                 "let the query doctor watch the command and name the guide's fix for each slow pattern it sees");

    Commands commands;
    add_schema_commands(app, commands);
    add_data_commands(app, commands);
    add_blog_commands(app, commands);
    add_tour_command(app, commands);
    add_serve_command(app, commands);
    std::string readers;
    for (const auto& c : commands)
        if (c.read_only) readers += (readers.empty() ? "" : ", ") + c.app->get_name();
    app.footer(footer(readers));
    for (auto& c : commands) {
        const std::string codes = "Exit codes: 0 success; 1 bad input or database error; 2 usage error.";
        const std::string own = c.app->get_footer();
        c.app->footer(own.empty() ? codes : own + "\n\n" + codes);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // A word where the command goes that names none: say so, not only
        // "A subcommand is required".
        const auto rest = app.remaining();
        if (app.get_subcommands().empty() && !rest.empty() && !rest.front().empty() && rest.front()[0] != '-') {
            std::string names;
            for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c.app->get_name();
            std::cerr << fmt::format("folio: usage error: unknown command '{}'. Commands: {}\n"
                                     "Run with --help for more information.\n",
                                     rest.front(), names);
            return Exit::usage;
        }
        // Help and --version are ParseErrors with exit code 0; real mistakes all map to 2.
        const int code = app.exit(e);
        return code == 0 ? Exit::ok : Exit::usage;
    }
    try {
        for (auto& c : commands) {
            if (!c.app->parsed()) continue;
            env.read_only = c.read_only;
            env.open_outputs();  // an unwritable --stats-json fails before any work
            const int rc = c.run(env);
            try {
                env.finish();
            } catch (const std::exception& e) {
                // The work is done (an import committed): failing now would
                // make a script retry it. Say what was not written, exit as the command did.
                std::cerr << "folio: warning: " << one_line(e.what()) << " (the command itself succeeded)\n";
            }
            return rc;
        }
        return Exit::usage;
    } catch (const UsageError& e) {
        std::cerr << "folio: usage error: " << one_line(e.what()) << "\nRun with --help for more information.\n";
        return Exit::usage;
    } catch (const folio::io::InputError& e) {
        std::cerr << "folio: error: " << one_line(e.what()) << '\n';
    } catch (const folio::Error& e) {
        std::cerr << "folio: error: " << one_line(e.what()) << '\n';
    } catch (const std::exception& e) {
        std::cerr << "folio: error: " << one_line(e.what()) << '\n';
    }
    // Still report what ran before the failure (e.g. for a rolled-back import).
    try {
        env.finish();
    } catch (...) {
    }
    return Exit::bad_input;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        // Anything escaping the handlers above (e.g. out of memory while
        // parsing options) still ends as a message, never an abort.
        std::cerr << "folio: error: " << folio_cli::one_line(e.what()) << '\n';
        return folio_cli::Exit::bad_input;
    }
}
