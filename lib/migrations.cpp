// migrations.cpp: applying versioned migrations, and the blog's history.
#include "folio/migrations.hpp"

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "folio/transaction.hpp"

namespace folio {

Migrator::Migrator(Database& db, std::vector<Migration> migrations) : db_(db), migrations_(std::move(migrations)) {}

int Migrator::current_version() const {
    return static_cast<int>(db_.scalar("PRAGMA user_version").as_integer());
}

std::vector<MigrationStatus> Migrator::status() const {
    int current = current_version();
    std::vector<MigrationStatus> out;
    for (std::size_t i = 0; i < migrations_.size(); ++i)
        out.push_back({migrations_[i].name, static_cast<int>(i) < current});
    return out;
}

const std::string& Migrator::sql_of(const std::string& name) const {
    for (const auto& m : migrations_)
        if (m.name == name) return m.sql;
    std::string known;
    for (const auto& m : migrations_) known += (known.empty() ? "" : ", ") + m.name;
    throw InvalidQuery(fmt::format("No migration named '{}'. Known migrations: {}", name, known));
}

int Migrator::migrate(int target) {
    if (target < 0 || target > latest_version()) target = latest_version();
    int current = current_version();
    if (current > latest_version())
        throw OperationalError(fmt::format("database '{}' is at schema version {}, newer than this folio knows ({})",
                                           db_.path(), current, latest_version()));
    int applied = 0;
    for (int v = current; v < target; ++v) {
        // The script and the version bump commit together or not at all.
        Transaction tx(db_);
        db_.execute_script(migrations_[static_cast<std::size_t>(v)].sql);
        // The version is our own integer, never user input; PRAGMA takes no parameters.
        db_.execute(fmt::format("PRAGMA user_version = {}", v + 1));
        tx.commit();
        ++applied;
    }
    // One-off DDL statements would only take room in the statement cache.
    if (applied) db_.statement_cache().clear();
    return applied;
}

const std::vector<Migration>& blog_migrations() {
    static const std::vector<Migration> migrations = {
        {"0001_initial",
         R"sql(CREATE TABLE "author" (
    "id" INTEGER PRIMARY KEY,
    "username" TEXT NOT NULL,
    "email" TEXT NOT NULL DEFAULT '',
    "bio" TEXT NOT NULL DEFAULT ''
);
CREATE TABLE "tag" (
    "id" INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL UNIQUE
);
CREATE TABLE "article" (
    "id" INTEGER PRIMARY KEY,
    "title" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "created_at" TEXT NOT NULL,
    "author_id" INTEGER NOT NULL REFERENCES "author" ("id") ON DELETE CASCADE
);
CREATE INDEX "article_author_id" ON "article" ("author_id");
CREATE TABLE "article_tags" (
    "id" INTEGER PRIMARY KEY,
    "article_id" INTEGER NOT NULL REFERENCES "article" ("id") ON DELETE CASCADE,
    "tag_id" INTEGER NOT NULL REFERENCES "tag" ("id") ON DELETE CASCADE,
    UNIQUE ("article_id", "tag_id")
);
CREATE INDEX "article_tags_tag_id" ON "article_tags" ("tag_id");)sql"},
        {"0002_article_comments_on",
         R"sql(ALTER TABLE "article" ADD COLUMN "comments_on" INTEGER NOT NULL DEFAULT 1;)sql"},
        {"0003_author_username_index",
         R"sql(CREATE INDEX "author_username" ON "author" ("username");)sql"},
        {"0004_author_articles_count",
         R"sql(ALTER TABLE "author" ADD COLUMN "articles_count" INTEGER NOT NULL DEFAULT 0;
UPDATE "author" SET "articles_count" = (SELECT COUNT(*) FROM "article" WHERE "article"."author_id" = "author"."id");
CREATE TRIGGER "article_count_insert" AFTER INSERT ON "article" BEGIN
    UPDATE "author" SET "articles_count" = "articles_count" + 1 WHERE "id" = NEW."author_id";
END;
CREATE TRIGGER "article_count_delete" AFTER DELETE ON "article" BEGIN
    UPDATE "author" SET "articles_count" = "articles_count" - 1 WHERE "id" = OLD."author_id";
END;
CREATE TRIGGER "article_count_move" AFTER UPDATE OF "author_id" ON "article"
WHEN OLD."author_id" IS NOT NEW."author_id" BEGIN
    UPDATE "author" SET "articles_count" = "articles_count" - 1 WHERE "id" = OLD."author_id";
    UPDATE "author" SET "articles_count" = "articles_count" + 1 WHERE "id" = NEW."author_id";
END;)sql"},
        // The list page (guide section 7) orders by created_at, newest first,
        // and shows 20: without this index every page sorts the whole
        // article table. The index's implicit rowid tail also serves the
        // "-id" tie-break (ORDER BY created_at DESC, id DESC).
        {"0005_article_created_at_index",
         R"sql(CREATE INDEX "article_created_at" ON "article" ("created_at");)sql"},
    };
    return migrations;
}

} // namespace folio
