// migrations.hpp (internal): the blog's schema on PostgreSQL, and applying it.
//
// postgresql_migrations() is data: the same names, in the same order, as
// folio::blog_migrations() (0001_initial ... 0005_article_created_at_index),
// each with PostgreSQL's DDL, so showmigrations reads the same on both
// backends and the dialect seam can pick the list by backend.
//
// PostgreSQL has no PRAGMA user_version: applied migrations are rows of
// "folio_migrations" (name, applied_at) in the connection's current schema.
// The version is how many of the known migrations, in order, are applied.
// Each migration runs in its own transaction that first takes a transaction-
// scoped advisory lock (one per schema) and re-reads the table under it, so
// processes migrating the same database at once apply each migration once;
// DDL is transactional on PostgreSQL, so a failed migration leaves nothing.
#pragma once

#include <string>
#include <vector>

#include "folio/migrations.hpp"

namespace folio::backend::postgresql {

class Connection;

// Mirrors folio::Migrator's contract on a PostgreSQL connection.
class Migrator {
public:
    Migrator(Connection& connection, std::vector<Migration> migrations);

    // How many migrations are recorded as applied (0 without the table).
    int current_version() const;
    // current_version(), after checking this code knows every recorded
    // migration in order: a database migrated by newer code raises
    // OperationalError naming the database and the unknown migration.
    int known_version() const;
    int latest_version() const noexcept { return static_cast<int>(migrations_.size()); }
    // Every migration with whether it is applied (showmigrations).
    std::vector<MigrationStatus> status() const;
    // The SQL of one migration by name (sqlmigrate); InvalidQuery if unknown.
    const std::string& sql_of(const std::string& name) const;
    // Applies the pending migrations up to `target` (default: all), each in
    // its own transaction under the advisory lock; returns how many this call
    // applied. Up to date: one read, no lock, nothing written.
    int migrate(int target = -1);

private:
    std::vector<std::string> applied_names() const;

    Connection& connection_;
    std::vector<Migration> migrations_;
};

// The blog's history in PostgreSQL's DDL: tables with identity keys, the
// article foreign key, created_at as a date, comments_on a boolean, the
// username index, articles_count kept by PL/pgSQL triggers, the created_at
// index. Names and order are blog_migrations()'s.
const std::vector<Migration>& postgresql_migrations();

} // namespace folio::backend::postgresql
