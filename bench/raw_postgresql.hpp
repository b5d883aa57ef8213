// Hand-written libpq baselines for folio-bench on PostgreSQL: the "PostgreSQL
// limit" rows of the guide's sections, the counterpart of raw_sqlite.hpp.
// What careful code written directly against libpq does: each statement
// prepared once per connection (PQprepare) and run with PQexecPrepared,
// parameters in text format, a large result streamed in single-row mode. It
// uses no folio library code; it runs on the PGconn under the section's
// folio::Database (connection_of), so both see the same schema and the same
// transaction.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "raw_sqlite.hpp"  // RawAuthor, AuthorRow, PageArticle, ExportStats: the same plain records

namespace folio {
class Database;
}

namespace folio::bench::raw::pg {

// Any libpq failure, with the server's message.
class Error : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The libpq connection of a folio::Database opened on PostgreSQL (nullptr
// for a SQLite one). The caller must not leave a command running on it.
PGconn* connection_of(Database& db);

// Statements the hand-written code of this process has run (every PQexec,
// PQexecPrepared and streamed query, transaction verbs excepted): libpq has
// no hook through which folio's QueryCapture could see them, so folio-bench
// adds this count's growth to the capture's (common.cpp, count_statements).
std::size_t statements_run();

// The rows one multi-row INSERT of `columns` columns may hold: PostgreSQL's
// protocol counts parameters in 16 bits (at most 65,535 per statement).
std::size_t rows_per_insert(int columns);

// --- Section 1: mass insertion -------------------------------------------
// One transaction; multi-row INSERTs as wide as the parameter limit allows
// (21,845 authors of 3 columns), each width prepared once and reused.
void insert_authors(PGconn* conn, const std::vector<RawAuthor>& authors);

// --- Sections 3/4: mass update and delete (one statement each) -------------
// Return the rows changed.
std::int64_t disable_comments_before(PGconn* conn, std::string_view date);
std::int64_t delete_articles_tagged(PGconn* conn, std::string_view tag);

// --- Section 5: export ----------------------------------------------------
// As raw::export_articles_csv: title;content;created_at;username;comments_on
// (1/0) in article id order, its rows streamed in single-row mode (one row
// in client memory at a time).
ExportStats export_articles_csv(PGconn* conn, std::ostream& out, char delim = ';');

// --- Section 6: clone an article without reading its author ----------------
// One INSERT ... SELECT; returns the rows inserted (0 or 1).
std::int64_t clone_article_row(PGconn* conn, std::int64_t article_id);

// --- Sections 7/8: the articles list page -----------------------------------
// Two statements, as raw::list_page: the page joined to its authors, then
// the tags of those ids (= ANY($1), an array parameter).
std::vector<PageArticle> list_page(PGconn* conn, int page, int per_page = 20);

// --- Section 9: an author by username, LIMIT 2 like get() -------------------
// nullopt when missing; Error when more than one author has it.
std::optional<AuthorRow> find_author_by_username(PGconn* conn, std::string_view username);

// --- Sections 10-12: counting, existence, top-N ------------------------------
std::int64_t count_authors(PGconn* conn);
bool author_has_articles(PGconn* conn, std::int64_t author_id);
// (id, username, articles_count) of the `n` authors with most articles.
std::vector<AuthorRow> top_authors(PGconn* conn, int n = 20);

// --- Section 13: an author by primary key -----------------------------------
std::optional<AuthorRow> find_author_by_id(PGconn* conn, std::int64_t id);

}  // namespace folio::bench::raw::pg
