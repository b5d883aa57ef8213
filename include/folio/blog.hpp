// blog.hpp: the guide's models (Tag, Author, Article) and folio::Blog, the
// handle an app opens.
//
//     folio::Blog blog = folio::Blog::open("blog.sqlite3");  // creates or migrates
//     blog.articles().filter("created_at__year__lt", 2012).update({{"comments_on", false}});
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "folio/database.hpp"
#include "folio/migrations.hpp"
#include "folio/model.hpp"
#include "folio/queryset.hpp"

namespace folio {

class Article;

class Tag : public Model<Tag> {
public:
    enum Field : std::size_t { ID, NAME };
    static const ModelMeta& meta();

    Tag() = default;
    explicit Tag(std::string name) { set_name(std::move(name)); }

    std::int64_t id() const { return pk(); }
    const std::string& name() const { return text(NAME); }
    Tag& set_name(std::string v) { set(NAME, std::move(v)); return *this; }

    // The articles carrying this tag (reverse of Article.tags).
    QuerySet<Article> articles() const;
};

class Author : public Model<Author> {
public:
    enum Field : std::size_t { ID, USERNAME, EMAIL, BIO, ARTICLES_COUNT };
    static const ModelMeta& meta();

    Author() = default;
    Author(std::string username, std::string email, std::string bio) {
        set_username(std::move(username)).set_email(std::move(email)).set_bio(std::move(bio));
    }

    std::int64_t id() const { return pk(); }
    const std::string& username() const { return text(USERNAME); }
    const std::string& email() const { return text(EMAIL); }
    const std::string& bio() const { return text(BIO); }
    // Kept equal to the number of the author's articles by triggers.
    std::int64_t articles_count() const { return integer(ARTICLES_COUNT); }

    Author& set_username(std::string v) { set(USERNAME, std::move(v)); return *this; }
    Author& set_email(std::string v) { set(EMAIL, std::move(v)); return *this; }
    Author& set_bio(std::string v) { set(BIO, std::move(v)); return *this; }

    // The author's articles (reverse of Article.author): a QuerySet, served
    // from the prefetch when there was one.
    QuerySet<Article> articles() const;
};

class Article : public Model<Article> {
public:
    enum Field : std::size_t { ID, TITLE, CONTENT, CREATED_AT, AUTHOR, COMMENTS_ON };
    static const ModelMeta& meta();

    std::int64_t id() const { return pk(); }
    const std::string& title() const { return text(TITLE); }
    const std::string& content() const { return text(CONTENT); }
    const std::string& created_at() const { return text(CREATED_AT); }  // "YYYY-MM-DD"
    bool comments_on() const { return boolean(COMMENTS_ON); }
    // The foreign key's value: costs no query.
    std::int64_t author_id() const { return integer(AUTHOR); }
    // The author object: one query on first use unless select_related("author").
    const Author& author() const { return static_cast<const Author&>(related_object(AUTHOR)); }
    // The tags: a QuerySet that can also add/remove/set/clear links.
    ManyToMany<Tag> tags() const;

    Article& set_title(std::string v) { set(TITLE, std::move(v)); return *this; }
    Article& set_content(std::string v) { set(CONTENT, std::move(v)); return *this; }
    Article& set_created_at(std::string v) { set(CREATED_AT, std::move(v)); return *this; }
    Article& set_comments_on(bool v) { set(COMMENTS_ON, v); return *this; }
    Article& set_author_id(std::int64_t id) { set(AUTHOR, id); return *this; }
    Article& set_author(const Author& a) { set_related_object(AUTHOR, a); return *this; }
};

// An open blog database, migrated to the latest schema.
//
// Lifetime: a Blog owns its Database; the QuerySets it hands out, the
// instances they load and the Migrator refer to it and must not be used after
// the Blog is destroyed (moving the Blog keeps them valid: the Database does
// not move). Thread-safety: that of the Database, one Blog per thread.
class Blog {
public:
    // Opens `path` (a SQLite file, created if missing and options.create,
    // ":memory:", or a PostgreSQL conninfo: Database's constructor) and
    // applies every pending migration (Migrator::migrate(), safe when several
    // processes open the same database at once). Throws OperationalError when
    // the database cannot be opened or is newer than this code (naming the
    // path and both schema versions), and folio::Error subclasses when a
    // migration fails (nothing of it is applied).
    static Blog open(const std::string& path, DatabaseOptions options = {});
    // Wraps a Database someone else opened and migrates it, as open() does.
    // A database at the latest version is only read (no lock, no write), so a
    // read-only Database works when it is up to date; with a migration
    // pending it throws OperationalError (the database is read-only).
    explicit Blog(std::unique_ptr<Database> db);

    Database& db() noexcept { return *db_; }
    QuerySet<Author> authors() { return QuerySet<Author>(*db_); }
    QuerySet<Article> articles() { return QuerySet<Article>(*db_); }
    QuerySet<Tag> tags() { return QuerySet<Tag>(*db_); }
    Migrator migrator() { return Migrator(*db_, blog_migrations(*db_)); }

private:
    std::unique_ptr<Database> db_;
};

// The names of the blog's tables, from its models' metadata: each model's
// table (tag, author, article) and each many-to-many's through table
// (article_tags), in that order. Touches no database; registers the three
// models on first use (the registry's own thread-safety: safe from any
// thread). Throws only std::bad_alloc.
std::vector<std::string> blog_table_names();

// The tables of `db` that the blog did not create, sorted by name: every
// table except the backend's own (SQLite's sqlite_* tables, the
// schema-version table on PostgreSQL) and those the blog's migrations
// applied so far (the recorded schema version: SQLite's user_version,
// PostgreSQL's folio_migrations rows) created. At version 0 (a new database,
// or one folio never migrated) every table is foreign, also one named like
// the blog's (`author`, ...); once 0001_initial is recorded, tag, author,
// article and article_tags are folio's. Looks in the database's main file on
// SQLite and in the current schema (search_path) on PostgreSQL. Empty for a
// new database and for one only folio has written. Blog::open() migrates a
// database whatever it holds (an app may keep the blog's tables beside its
// own); a tool about to add the blog's tables to a database its user only
// named (the CLI's --db) asks this first and refuses a non-empty answer.
// Runs one SELECT through `db`; throws as Database::prepare() and
// Statement::step() do. Thread-safety: that of `db`.
std::vector<std::string> foreign_tables(Database& db);

} // namespace folio
