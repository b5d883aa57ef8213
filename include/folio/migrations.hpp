// migrations.hpp: versioned schema migrations, like Django's migrate /
// showmigrations / sqlmigrate.
//
// The schema version is the number of migrations applied, kept where the
// backend keeps it (SQLite: PRAGMA user_version). Each migration is a named SQL script applied in its own
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

// Lifetime: a Migrator keeps a reference to `db`, which must outlive it.
// Thread-safety: that of the Database; several processes (each with its own
// Database) may migrate the same database at once (migrate()).
class Migrator {
public:
    // `migrations` in order; migration N (1-based) takes the version from
    // N-1 to N. Nothing runs until a member is called.
    Migrator(Database& db, std::vector<Migration> migrations);

    // The stored schema version (SQLite: PRAGMA user_version; PostgreSQL:
    // the rows of folio_migrations), whatever it holds.
    int current_version() const;
    // current_version(), after checking this code knows it: a database newer
    // than the code (version > latest), or at a negative version (none that
    // folio writes), raises OperationalError naming the path and the
    // versions, as status() and migrate() do.
    int known_version() const;
    int latest_version() const noexcept { return static_cast<int>(migrations_.size()); }
    // Every migration with whether it is applied (showmigrations); throws
    // OperationalError on a database newer than this code (known_version()).
    std::vector<MigrationStatus> status() const;
    // The SQL of one migration by name or unique prefix ("0004", as Django's
    // sqlmigrate); InvalidQuery if unknown or ambiguous. Valid as this Migrator.
    const std::string& sql_of(const std::string& name) const;
    // What Django's sqlmigrate prints: sql_of(name) inside the transaction
    // verbs of the Database's dialect ("BEGIN;\n...\nCOMMIT;\n" on SQLite).
    // `name` as sql_of() takes it; InvalidQuery if unknown or ambiguous.
    std::string sqlmigrate(const std::string& name) const;
    // Applies the pending migrations up to `target` (-1, the default: all;
    // a target at or below the current version applies none: folio has no
    // backward migrations), each in
    // its own BEGIN IMMEDIATE transaction that re-reads the version under the
    // write lock: safe when several processes migrate the same file at once
    // (each migration is applied by exactly one of them). Returns how many
    // this call applied. Up to date: takes no lock and writes nothing. A
    // database newer than this code (version > latest) raises
    // OperationalError instead of being touched; a `target` below -1 or past
    // latest_version() raises InvalidQuery naming the known range, before
    // anything is read.
    int migrate(int target = -1);

private:
    Database& db_;
    std::vector<Migration> migrations_;
};

// The blog's history, in the guide's order: initial tables; comments_on;
// the index on author.username; the denormalized author.articles_count; the
// index on article.created_at that serves the list page's newest-first order;
// the guard that keeps articles_count's triggers within 64 bits (DataError).
// blog_migrations(db) is spelled in db's dialect; blog_migrations() is
// SQLite's, the embedded default. Both live as long as the program.
const std::vector<Migration>& blog_migrations();
const std::vector<Migration>& blog_migrations(const Database& db);

// Drops the index named `index` (Django's SchemaEditor.remove_index), in db's
// dialect. Throws InvalidQuery naming it when the database has no such index,
// and folio::Error subclasses when the database refuses. DDL: inside a
// Transaction it is undone by a rollback (SQLite), which is how the CLI's tour
// shows a lookup before and after its index. Thread-safety: that of `db`.
void drop_index(Database& db, const std::string& index);

} // namespace folio
