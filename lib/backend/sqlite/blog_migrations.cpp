// blog_migrations.cpp: the blog's schema history in SQLite's DDL (the
// migration text set of the SQLite backend; migrations.cpp applies it).
#include "lib/backend/migration_text.hpp"
#include "lib/backend/sqlite/operations.hpp"

namespace folio::backend::sqlite {

namespace {

constexpr MigrationText history[] = {
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
    // The counting triggers of 0004 add and subtract with SQLite's
    // arithmetic, which turns a result past 64 bits into a REAL and
    // stores it. These refuse it instead: the writing statement fails
    // with nothing changed, and errors.cpp maps the RAISE to DataError
    // (the error an F() update past 64 bits gives).
    {"0006_article_count_overflow_guard",
     R"sql(DROP TRIGGER "article_count_insert";
DROP TRIGGER "article_count_delete";
DROP TRIGGER "article_count_move";
CREATE TRIGGER "article_count_insert" AFTER INSERT ON "article" BEGIN
    SELECT RAISE(ABORT, 'integer overflow: Author.articles_count is 9223372036854775807, the largest 64-bit integer, and cannot count one more article')
    FROM "author" WHERE "id" = NEW."author_id" AND "articles_count" = 9223372036854775807;
    UPDATE "author" SET "articles_count" = "articles_count" + 1 WHERE "id" = NEW."author_id";
END;
CREATE TRIGGER "article_count_delete" AFTER DELETE ON "article" BEGIN
    SELECT RAISE(ABORT, 'integer overflow: Author.articles_count is -9223372036854775808, the smallest 64-bit integer, and cannot count one article less')
    FROM "author" WHERE "id" = OLD."author_id" AND "articles_count" = -9223372036854775807 - 1;
    UPDATE "author" SET "articles_count" = "articles_count" - 1 WHERE "id" = OLD."author_id";
END;
CREATE TRIGGER "article_count_move" AFTER UPDATE OF "author_id" ON "article"
WHEN OLD."author_id" IS NOT NEW."author_id" BEGIN
    SELECT RAISE(ABORT, 'integer overflow: Author.articles_count is -9223372036854775808, the smallest 64-bit integer, and cannot count one article less')
    FROM "author" WHERE "id" = OLD."author_id" AND "articles_count" = -9223372036854775807 - 1;
    SELECT RAISE(ABORT, 'integer overflow: Author.articles_count is 9223372036854775807, the largest 64-bit integer, and cannot count one more article')
    FROM "author" WHERE "id" = NEW."author_id" AND "articles_count" = 9223372036854775807;
    UPDATE "author" SET "articles_count" = "articles_count" - 1 WHERE "id" = OLD."author_id";
    UPDATE "author" SET "articles_count" = "articles_count" + 1 WHERE "id" = NEW."author_id";
END;)sql"},
};

} // namespace

const std::vector<Migration>& blog_migrations() {
    static const std::vector<Migration> migrations = migration_list(history);
    return migrations;
}

} // namespace folio::backend::sqlite
