// migrations.cpp: applying versioned migrations, and the blog's history.
#include "folio/migrations.hpp"

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "folio/transaction.hpp"
#include "lib/backend/operations.hpp"
#include "lib/backend/sqlite/operations.hpp"  // the default history

namespace folio {

Migrator::Migrator(Database& db, std::vector<Migration> migrations) : db_(db), migrations_(std::move(migrations)) {}

int Migrator::current_version() const {
    return db_.operations().schema_version(db_);
}

int Migrator::known_version() const {
    const int current = current_version();
    // A negative version is none folio ever writes (it counts migrations
    // from 0): another program's file, or a damaged one. Indexing the
    // migration list with it would read out of range.
    if (current < 0)
        throw OperationalError(fmt::format("database '{}' is at schema version {}, which no folio writes "
                                           "(versions run from 0 to {}): not a folio database, or damaged",
                                           db_.path(), current, latest_version()));
    if (current > latest_version())
        throw OperationalError(fmt::format("database '{}' is at schema version {}, newer than this folio knows ({})",
                                           db_.path(), current, latest_version()));
    return current;
}

std::vector<MigrationStatus> Migrator::status() const {
    const int current = known_version();
    std::vector<MigrationStatus> out;
    for (std::size_t i = 0; i < migrations_.size(); ++i)
        out.push_back({migrations_[i].name, static_cast<int>(i) < current});
    return out;
}

namespace {
// A migration by its name or a prefix of it only one has ("0004"), as
// Django's MigrationLoader.get_migration_by_prefix finds sqlmigrate's.
const Migration& by_name_or_prefix(const std::vector<Migration>& migrations, const std::string& name) {
    for (const auto& m : migrations)
        if (m.name == name) return m;
    std::vector<const Migration*> matches;
    for (const auto& m : migrations)
        if (!name.empty() && m.name.starts_with(name)) matches.push_back(&m);
    if (matches.size() == 1) return *matches.front();
    std::string listed;
    for (const auto* m : matches) listed += (listed.empty() ? "" : ", ") + m->name;
    if (!matches.empty())
        throw InvalidQuery(
            fmt::format("More than one migration matches '{}': {}. Please be more specific", name, listed));
    for (const auto& m : migrations) listed += (listed.empty() ? "" : ", ") + m.name;
    throw InvalidQuery(fmt::format("No migration named '{}'. Known migrations: {}", name, listed));
}
} // namespace

const std::string& Migrator::sql_of(const std::string& name) const { return by_name_or_prefix(migrations_, name).sql; }

std::string Migrator::sqlmigrate(const std::string& name) const {
    // Throws first for an unknown or ambiguous name, naming the known ones.
    return db_.operations().migration_script(by_name_or_prefix(migrations_, name));
}

int Migrator::migrate(int target) {
    if (target == -1) target = latest_version();
    // 99 once meant "all": a number past the history (or below -1) is a
    // mistake to name, not a migration to reach.
    if (target < 0 || target > latest_version())
        throw InvalidQuery(fmt::format("No migration number {} in database '{}': the known migrations are 0 (none) "
                                       "to {}{}",
                                       target, db_.path(), latest_version(),
                                       migrations_.empty() ? "" : " (" + migrations_.back().name + ")"));
    // Up to date: the loop takes no write lock, so read-only connections open fine.
    int applied = 0;
    while (known_version() < target) {
        // The script and the version bump commit together or not at all.
        // BEGIN IMMEDIATE takes the write lock first; the version is read
        // again under it, so processes migrating a new file at the same time
        // apply each migration once (the others see it done and skip it).
        Transaction tx(db_);
        db_.operations().lock_schema(db_);
        const int v = known_version();
        if (v >= target) break;  // another connection applied the rest meanwhile
        db_.execute_script(migrations_[static_cast<std::size_t>(v)].sql);
        db_.operations().record_migration(db_, migrations_[static_cast<std::size_t>(v)], v + 1);
        tx.commit();
        ++applied;
    }
    // One-off DDL statements would only take room in the statement cache.
    if (applied) db_.statement_cache().clear();
    return applied;
}

const std::vector<Migration>& blog_migrations() { return backend::sqlite::blog_migrations(); }

const std::vector<Migration>& blog_migrations(const Database& db) { return db.operations().blog_migrations(); }

} // namespace folio

namespace folio {

void drop_index(Database& db, const std::string& index) {
    const backend::Operations& ops = db.operations();
    if (db.scalar(ops.index_exists_sql(), {Value(index)}).is_null())
        throw InvalidQuery(fmt::format("No index named '{}' in database '{}'", index, db.path()));
    db.execute(ops.drop_index_sql(index));
}

} // namespace folio
