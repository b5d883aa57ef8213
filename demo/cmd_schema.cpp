// cmd_schema.cpp: Django's migrate, showmigrations and sqlmigrate. These
// open the database without migrating it first, so they show the truth.
#include <iostream>

#include <fmt/format.h>

#include "cli.hpp"

namespace folio_cli {

void add_schema_commands(CLI::App& app, Commands& out) {
    auto* migrate = app.add_subcommand("migrate", "apply the pending schema migrations");
    auto target = std::make_shared<int>(-1);
    migrate->add_option("--target", *target, "stop after migration number N (default: all)")
        ->check(CLI::Range(0, 1000));
    out.push_back({migrate, [target](Env& env) {
                       folio::Database& db = env.database();
                       folio::Migrator m(db, folio::blog_migrations(db));
                       // Refuses a database newer than this code, as the data commands do.
                       const int from = m.known_version();
                       const int to = *target < 0 ? m.latest_version() : std::min(*target, m.latest_version());
                       if (from >= to) {
                           std::cout << "No migrations to apply.\n";
                           return Exit::ok;
                       }
                       const auto status = m.status();
                       // One at a time, to say which one runs (each is its own transaction).
                       for (int v = from; v < to; ++v) {
                           std::cout << "  Applying " << status[static_cast<std::size_t>(v)].name << "..."
                                     << std::flush;
                           // 0: another process applied it meanwhile (migrate re-reads under the lock).
                           std::cout << (m.migrate(v + 1) ? " OK\n" : " already applied by another connection\n");
                       }
                       return Exit::ok;
                   }});

    auto* show = app.add_subcommand("showmigrations", "list the migrations, [X] for applied");
    out.push_back({show, [](Env& env) {
                       folio::Migrator m(env.database(), folio::blog_migrations(env.database()));
                       const auto status = m.status();  // throws before printing on a too-new database
                       std::cout << "blog\n";
                       for (const auto& s : status)
                           std::cout << fmt::format(" [{}] {}\n", s.applied ? 'X' : ' ', s.name);
                       return Exit::ok;
                   }, true});

    auto* sqlm = app.add_subcommand("sqlmigrate", "print the SQL of one migration");
    auto name = std::make_shared<std::string>();
    sqlm->add_option("NAME", *name, "migration name, e.g. 0003_author_username_index")->required();
    out.push_back({sqlm, [name](Env& env) {
                       folio::Migrator m(env.database(), folio::blog_migrations(env.database()));
                       // Refuses a database this code does not know, as every command does.
                       (void)m.known_version();
                       // Built first: an unknown name prints nothing but its error.
                       std::cout << m.sqlmigrate(*name);
                       return Exit::ok;
                   }, true});
}

} // namespace folio_cli
