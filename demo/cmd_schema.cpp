// cmd_schema.cpp: Django's migrate, showmigrations and sqlmigrate. These
// open the database without migrating it first, so they show the truth.
#include <charconv>
#include <iostream>

#include <fmt/format.h>

#include "cli.hpp"

namespace folio_cli {

namespace {

// --target's check: a migration number this folio knows, 0 (none) to the
// last; the error names the range and the last migration (CLI11's Range
// would accept 99 and then migrate to the end, or say "not in range" for a
// word). Every dialect's history has the same migrations.
CLI::Validator known_migration_number() {
    const auto& history = folio::blog_migrations();
    const int last = static_cast<int>(history.size());
    return CLI::Validator(
        [&history, last](std::string& text) -> std::string {
            int v = -1;
            const char* end = text.data() + text.size();
            auto [ptr, ec] = std::from_chars(text.data(), end, v);
            if (ec == std::errc() && ptr == end && v >= 0 && v <= last) return {};
            return fmt::format("'{}' is not a migration number of this folio: it knows 0 (none) to {} ({})", text,
                               last, history.back().name);
        },
        fmt::format("0..{}", last));
}

} // namespace

void add_schema_commands(CLI::App& app, Commands& out) {
    auto* migrate = app.add_subcommand("migrate", "apply the pending schema migrations");
    auto target = std::make_shared<int>(-1);
    migrate->add_option("--target", *target, "stop after migration number N (default: all)")
        ->check(known_migration_number());
    auto force = std::make_shared<bool>(false);
    migrate->add_flag("--force", *force,
                      "migrate even a database that holds tables folio did not create (adds the blog's tables "
                      "beside them)");
    out.push_back({migrate, [target, force](Env& env) {
                       int from = 0, to = 0;
                       // Checked before anything is written (a refusal leaves the file as it was).
                       env.check_before_writing([&](folio::Database& db) {
                           folio::Migrator m(db, folio::blog_migrations(db));
                           // Refuses a database newer than this code, as the data commands do.
                           from = m.known_version();
                           to = *target < 0 ? m.latest_version() : *target;
                           // Django would unapply down to the target; folio has no
                           // backward migrations, and "nothing to apply" would hide that.
                           if (from > to)
                               throw std::runtime_error(fmt::format(
                                   "database '{}' is at schema version {}, past --target {}: folio does not "
                                   "unapply migrations (nothing changed)",
                                   db.path(), from, to));
                           if (from != to && !*force)
                               refuse_foreign_tables(db, "migrate would add the blog's tables to it",
                                                     "Pass --force to add them anyway, or use a database of "
                                                     "folio's own (--db)",
                                                     true);
                       });
                       if (from == to) {
                           std::cout << "No migrations to apply.\n";
                           return Exit::ok;
                       }
                       folio::Database& db = env.database();
                       folio::Migrator m(db, folio::blog_migrations(db));
                       from = m.known_version();  // another process may have migrated meanwhile
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
    sqlm->add_option("NAME", *name, "migration name or a unique prefix of it, e.g. 0003_author_username_index or 0003")->required();
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
