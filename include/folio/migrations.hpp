// migrations.hpp: versioned schema migrations, like Django's migrate /
// showmigrations / sqlmigrate.
//
// The schema version is PRAGMA user_version: the number of migrations
// applied. Each migration is a named SQL script applied in its own
// transaction together with the version bump, so a failure leaves the
// database at the previous version with nothing half-applied. Migrating a
// database that is up to date does nothing.
#pragma once

#include <string>
#include <vector>

namespace folio {

class Database;

struct Migration {
    std::string name;  // "0002_article_comments_on"
    std::string sql;   // one or more statements
};

struct MigrationStatus {
    std::string name;
    bool applied = false;
};

class Migrator {
public:
    Migrator(Database& db, std::vector<Migration> migrations);

    int current_version() const;
    int latest_version() const noexcept { return static_cast<int>(migrations_.size()); }
    // Every migration with whether it is applied (showmigrations).
    std::vector<MigrationStatus> status() const;
    // The SQL of one migration by name (sqlmigrate); InvalidQuery if unknown.
    const std::string& sql_of(const std::string& name) const;
    // Applies the pending migrations up to `target` (default: all), each in
    // its own transaction. Returns how many were applied. A database newer
    // than this code (version > latest) raises OperationalError instead of
    // being touched.
    int migrate(int target = -1);

private:
    Database& db_;
    std::vector<Migration> migrations_;
};

// The blog's history, in the guide's order: initial tables; comments_on;
// the index on author.username; the denormalized author.articles_count; the
// index on article.created_at that serves the list page's newest-first order.
const std::vector<Migration>& blog_migrations();

} // namespace folio
