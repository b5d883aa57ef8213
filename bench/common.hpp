// common.hpp: what folio-bench's section files share: the data sizes of each
// scale, the run Context (report, options, the statement-count checks that
// make `meson test bench-tiny` fail), temporary databases, the untimed
// restore of written data, and the data sets several sections read.
#pragma once

#include <folio/folio.hpp>
#include <folio/io/datagen.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness.hpp"
#include "raw_sqlite.hpp"
#include "support/backend.hpp"  // PostgresqlSchema: a private database on a server

namespace folio::bench {

// How much data each section uses. Full is the guide's (and issue 5's)
// sizes; tiny only proves every variant still runs and keeps its counts.
struct Sizes {
    std::size_t s1_authors_big = 0;    // §1 bulk_create vs raw (the guide's 200 always run too)
    std::size_t s2_articles = 0;       // §2-4 and §6: the imported articles
    std::size_t s5_article_bytes = 0;  // §5 content per article
    std::size_t s5_mb[2] = {0, 0};     // §5 the two content sizes (MB of article content)
    std::size_t s7_articles = 0;       // §7-8 articles of ~5 KB
    std::size_t s9_authors = 0;        // §9-13 authors
    std::size_t s9_noindex_lookups = 0;
    std::size_t s11_articles = 0;  // articles of §11's prolific author
    std::size_t s13_lookups = 0;
};
Sizes sizes_for(Scale s);

inline constexpr std::uint64_t kSeed = 42;

struct Context {
    Scale scale = Scale::full;
    Sizes sizes;
    int runs = 5;
    std::filesystem::path work;  // a fresh temporary directory for the databases (SQLite) and data files
    // The PostgreSQL run: the server's libpq conninfo (URI or key=value);
    // empty for the SQLite run, whose databases are files in `work`.
    std::string server;
    bool keep = false;  // --keep: leave the databases (files or schemas) behind
    Report report;
    std::vector<std::string> failures;  // "after" variants over the guide's statement count
    // PostgreSQL: one schema per database name, dropped when replaced or at
    // the end. Declared before `datasets` so that their connections close
    // before their schemas are dropped.
    std::map<std::string, std::unique_ptr<folio_test::PostgresqlSchema>> schemas;
    std::map<std::string, std::unique_ptr<Blog>> datasets;  // built once, read by several sections

    std::string scale_name() const { return std::string(to_string(scale)); }
    std::filesystem::path path(std::string_view name) const { return work / name; }
    bool on_postgresql() const { return !server.empty(); }
    std::string backend_name() const { return on_postgresql() ? "PostgreSQL" : "SQLite"; }

    // A new, empty database called `name` on this run's backend (an old one
    // of that name is removed first): the file work/<name>.sqlite3, or a
    // schema of its own on the server. Returns what Blog::open takes for it.
    std::string fresh_target(const std::string& name);
    // Removes database `name` (file with its -wal and -shm, or schema).
    void drop(const std::string& name);
    // The raw row of a section that has no hand-written code on this backend:
    // no figure (printed "-"), and a note that says so.
    void add_no_raw(int section, std::string_view title, std::string variant = "raw");
    // A line saying that a SQLite-only row of a section is skipped, and why.
    void skip_note(int section, std::string_view what, std::string_view why) const;

    void add(int section, std::string_view title, std::string variant, std::optional<std::size_t> statements,
             std::optional<double> seconds, std::optional<double> peak_mb = {}, std::string ratio_to = {},
             std::string notes = {}, std::string limit_to = {});
    // Records a failure when an "after" variant runs more statements than
    // the guide's optimized code does: those counts are folio's contract.
    void expect_at_most(int section, std::string_view variant, std::size_t actual, std::size_t at_most);
};

// Removes a database file with its -wal and -shm.
void remove_db(const std::filesystem::path& p);
// A new, migrated blog database called `name` (Context::fresh_target).
std::unique_ptr<Blog> fresh_blog(Context& ctx, const std::string& name);
// Replaces all of `to` with `from`, the untimed restore that gives every run
// of a writing variant the same data: SQLite's backup API, or on PostgreSQL
// (both schemas on one server) the four tables emptied and copied with
// INSERT ... SELECT, the id sequences set past the copied ids, ANALYZE.
void restore(Blog& to, Blog& from);

// Statements the library's own capture sees while `body` runs once.
std::size_t count_statements(Database& db, const std::function<void()>& body);

// Times `body` ctx.runs times (setup untimed before each); when one run
// takes over a second the median is of 3 runs instead, to keep a full run
// within minutes.
Timing time_variant(const Context& ctx, const std::function<void()>& setup, const std::function<void()>& body);
// "median of 5" / "median of 3, 1.2 s min": how a time was measured.
std::string runs_note(const Timing& t);

// Conversions from the generator's records.
Author to_author(const io::AuthorRecord& r);
raw::RawAuthor to_raw(const io::AuthorRecord& r);
raw::RawArticle to_raw(const io::ArticleRecord& r);

// Inserts authors 0..n-1 of the generator with bulk_create.
void load_authors(Blog& blog, std::size_t n);
// The guide's fully bulk import of `records` (authors must exist), in one
// transaction: authors by username IN, tags by get_or_create_many, one
// bulk_create of the articles, one bulk_link of the tags: 5 statements.
void bulk_import(Blog& blog, const std::vector<io::ArticleRecord>& records);
// Streams the generator's articles `from`..opts.articles-1 into `blog` with
// bulk_import in batches, so hundreds of MB never sit in memory at once.
// Article i depends only on i and opts, never on opts.articles.
void load_articles(Blog& blog, const io::GenOptions& opts, std::size_t from = 0, std::size_t batch = 1000);

// Shared data sets, built on first use and kept open:
//  "imported": 200 authors and s2_articles articles (2 KB, ~3 tags) (§2-4, §6)
//  "page":     1,000 authors and s7_articles articles of 5 KB (§7-8)
//  "authors":  s9_authors authors; the first has s11_articles articles, and
//              20,000 more are spread unevenly over the others (§9-13)
Blog& dataset(Context& ctx, const std::string& name);

}  // namespace folio::bench
