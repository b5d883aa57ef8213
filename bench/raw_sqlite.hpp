// Hand-written sqlite3 C-API baselines for folio-bench: the "SQLite limit"
// rows that each guide section's before/after variants are compared with.
// Everything here takes an open sqlite3* and uses no folio library code, so
// the numbers show what plain, careful C-API code achieves on the same schema.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace folio::bench::raw {

// Plain records, shaped like the guide's old JSON exports. The library has
// its own model types; adapters between the two come with folio-bench.
struct RawAuthor {
    std::string username;
    std::string email;
    std::string bio;
};

struct RawArticle {
    std::string created_at;  // "YYYY-MM-DD"
    std::string author;      // author username
    std::string title;
    std::string content;
    std::vector<std::string> tags;
};

// One row of the articles list page (guide section 7/8: title, date, author
// username and tag names only).
struct PageArticle {
    std::int64_t id = 0;
    std::string title;
    std::string created_at;
    std::string author;
    std::vector<std::string> tags;
};

struct AuthorRow {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    std::string bio;
    std::int64_t articles_count = 0;
};

struct ExportStats {
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
};

// Any SQLite failure; carries the result code and sqlite3_errmsg text.
class Error : public std::runtime_error {
public:
    Error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* st) const noexcept { sqlite3_finalize(st); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Opens (creating if needed) a database with the project's connection
// settings: foreign_keys=ON always; journal_mode=WAL and synchronous=NORMAL
// for files (":memory:" and "" skip them, they mean nothing there).
Db open_db(const std::string& path);

// Runs one or more SQL statements without results; throws Error.
void exec(sqlite3* db, const char* sql);
Stmt prepare(sqlite3* db, std::string_view sql);

// Creates the final folio schema (the same DDL as the library's migrations).
void create_schema(sqlite3* db);

// Copies the whole of `from` into `to` with the backup API: the cheap way to
// restore a prepared data set before each run of a variant that writes.
void copy_database(sqlite3* from, sqlite3* to);

// --- Section 1: mass insertion -------------------------------------------
// One transaction; multi-row INSERTs as wide as SQLITE_LIMIT_VARIABLE_NUMBER
// allows, prepared once and reused, plus one statement for the remainder.
void insert_authors(sqlite3* db, const std::vector<RawAuthor>& authors);

// --- Section 2: mass M2M insertion ---------------------------------------
// One transaction: one SELECT for the needed authors, one for the existing
// tags, one for the next free ids, then multi-row INSERTs of the new tags,
// the articles and the article_tags links. Throws Error for an unknown author.
void import_articles(sqlite3* db, const std::vector<RawArticle>& records);

// --- Section 3/4: mass update and delete (single statements) --------------
// Returns the number of rows changed.
std::int64_t disable_comments_before(sqlite3* db, std::string_view date);
std::int64_t delete_articles_tagged(sqlite3* db, std::string_view tag);

// --- Section 5: export ----------------------------------------------------
// Streams title;content;created_at;username;comments_on (comments_on as the
// stored 0/1) in article id order, RFC 4180 quoting, CRLF line ends, through
// one large reusable buffer; memory stays flat whatever the table size.
ExportStats export_articles_csv(sqlite3* db, std::ostream& out, char delim = ';');

// --- Section 6: clone an article without touching its author --------------
// Returns the new article id; 0 when `article_id` does not exist.
std::int64_t clone_article(sqlite3* db, std::int64_t article_id);

// --- Section 7/8: articles list page --------------------------------------
// `page` is 1-based like Django's paginator. Two queries: the page of
// articles joined to their author, then the tags of those ids with IN.
std::vector<PageArticle> list_page(sqlite3* db, int page, int per_page = 20);

// --- Section 9: author page -----------------------------------------------
// `lookup` is prepared on first use and reused for every later lookup with
// the same connection. Like Django's get(): nullopt when missing, Error when
// the username matches more than one row.
std::optional<AuthorRow> find_author_by_username(sqlite3* db, Stmt& lookup,
                                                 std::string_view username);

// --- Sections 10-12: counting, existence, top-N -----------------------------
std::int64_t count_authors(sqlite3* db);
std::int64_t count_author_articles(sqlite3* db, std::int64_t author_id);
bool author_has_articles(sqlite3* db, std::int64_t author_id);
// (id, username, articles_count) of the `n` authors with most articles.
std::vector<AuthorRow> top_authors(sqlite3* db, int n = 20);

}  // namespace folio::bench::raw
