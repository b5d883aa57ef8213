// blog_io.hpp: moving the blog's data in and out in bulk: the guide's JSON
// imports (old_authors.json, old_articles.json) and its CSV article export.
// They live in the library, not in the CLI, so that an embedding app gets the
// same guarantees: validation by the model rules, one transaction per import
// (all or nothing), a constant number of statements per batch, streaming
// input and output with flat memory.
//
//     folio::ImportReport r = folio::import_articles(blog, "old_articles.json");
//     std::ofstream out("articles.csv");
//     folio::export_articles_csv(blog, out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace folio {

class Blog;

// Where an import is: bytes of the file read so far (total is 0 when the
// size is unknown) and records seen so far.
struct ImportProgress {
    std::uint64_t bytes_read = 0;
    std::uint64_t total_bytes = 0;
    std::size_t records = 0;
};

// Page cache (KiB) an import gives its transaction: SQLite's default 2 MB
// spills dirty pages to the WAL many times during a big load; a bigger one
// lets it write each page once, while the whole import stays under 64 MB.
// Read and set with PRAGMA cache_size at the start, restored at the end:
// 3 statements, none when the connection's cache is already that big. The
// import also keeps SQLite's temporary storage in memory while it runs
// (PRAGMA temp_store, read, set and restored: 3 more statements, 1 when it is
// in memory already): a multi-row INSERT into article (which has a row
// trigger) stages its rows in a temporary table, which otherwise goes through
// a file. A connection that has opened its temporary database (TEMP tables)
// keeps its setting (changing it would drop them): 3 statements then.
inline constexpr int bulk_load_cache_kib = 16 * 1024;

struct ImportOptions {
    // The guide's "before" code: one get/save/get_or_create/add per record
    // (and per tag). Only useful to compare; the default is the bulk path.
    bool naive = false;
    // Import the valid records and report the others, instead of failing on
    // the first bad one. Every bad record can be skipped: one that is not an
    // object (null, a number, an array...), has a missing field or a field of
    // the wrong JSON type, breaks the model rules or refers to missing rows.
    // A file that is not well-formed JSON, or not an array, still fails as a
    // whole: the reader cannot resynchronise after a syntax error.
    bool skip_invalid = false;
    // With skip_invalid: how many rejected records the report lists, the
    // first ones in file order; ImportReport::rejected_count counts them
    // all. Bounds what a file of mostly bad records costs in memory (each
    // listed record keeps its error line, about 100 to 300 bytes), so an
    // import stays flat whatever the file holds. SIZE_MAX lists every one;
    // 0 lists none.
    std::size_t max_listed_rejects = 1000;
    // Records per bulk batch (fast path); capped at 10000, 0 means 2000. A
    // batch also ends at 2 MB of record text, or at 20,000 tags (articles),
    // so memory stays flat.
    std::size_t batch_size = 2000;
    // Called once per read chunk (folio::io::read_chunk_size, 256 KiB) of
    // input and at the end, on the calling thread (between batch writes).
    std::function<void(const ImportProgress&)> progress;
};

// A record that was not imported (with skip_invalid).
struct RejectedRecord {
    std::size_t index = 0;  // 0-based position in the file's top-level array
    std::string error;      // one line: "file: record N: field "F": why"
};

struct ImportReport {
    std::size_t imported = 0;
    // The first ImportOptions::max_listed_rejects rejected records, in file
    // order (every one up to that cap).
    std::vector<RejectedRecord> rejected;
    std::size_t rejected_count = 0;  // all records skipped, listed or not
    std::size_t batches = 0;  // bulk batches flushed (fast path)
};

// Imports old_authors.json ([{"username", "email", "bio"}]) into Author.
//
// Contract: the whole import is ONE transaction. Every record is checked with
// Author::validate() (username <= 64 characters, e-mail empty or valid) and
// for a username already in the database or earlier in the file. The first
// bad record in file order (whatever its kind, even when a later record's
// problem is seen before the database check of an earlier one) throws
// folio::io::InputError whose what() names the file, the record's index and
// the field, and nothing is written; the same for a
// missing, empty or malformed file. With skip_invalid the bad records are
// counted and listed (up to max_listed_rejects) in the report and the others
// imported. Database failures (locked,
// read-only, not a database) throw folio::Error and nothing is written.
// Cost, fast path: 2 statements per batch (SELECT username IN (...), one
// multi-row INSERT), plus the 6 PRAGMAs of bulk_load_cache_kib. Naive path:
// 1 + one INSERT per author (and the same 6 PRAGMAs).
// Memory: two batches of records (one parsed on a second thread, which uses
// no Blog, while this thread writes the other), a read chunk, the usernames.
ImportReport import_authors(Blog& blog, const std::filesystem::path& file, const ImportOptions& options = {});

// Imports old_articles.json ([{"created_at", "author", "tags", "title",
// "content"}]) into Article, creating missing Tags and linking them.
//
// Contract: as import_authors. A record is bad when Article::validate()
// rejects it (title <= 64 characters, created_at a real YYYY-MM-DD date), a
// tag name breaks Tag's rules, or its author's username does not exist.
// Cost, fast path: 5 statements per batch whatever its size (SELECT authors
// IN, INSERT/SELECT tags, one multi-row INSERT of articles, one INSERT of
// the links), plus the 6 PRAGMAs of bulk_load_cache_kib. Naive path, the guide's code: per article one author SELECT,
// one INSERT, and per tag a get_or_create (1-2) and an add (1).
// Memory: two batches (up to batch_size articles, 2 MB of text or 20,000
// tags, one parsed on a second thread while the other is written) and a
// read chunk, whatever the file's size. A single record is never split: one
// article of 200,000 tags holds them all at once (about 300 bytes a tag).
ImportReport import_articles(Blog& blog, const std::filesystem::path& file, const ImportOptions& options = {});

struct ExportOptions {
    char delimiter = ';';  // the guide's csv.writer(delimiter=';'); not '"', CR or LF
    bool header = false;   // the guide writes no header row
    bool crlf = false;     // RFC 4180 allows it; LF by default
    // Called every 1000 rows with the rows written so far.
    std::function<void(std::uint64_t rows)> progress;
};

// Writes every article as one CSV row: title, content, created_at, author's
// username, comments_on ("True"/"False", as the guide's Python writes it),
// ordered by id, RFC 4180 quoting.
//
// Contract: ONE statement (select_related("author") + iterator(), only the
// exported columns), rows streamed from the cursor: memory stays flat
// whatever the table size. Returns the rows written. Throws
// std::invalid_argument for a bad delimiter, std::ios_base::failure when
// `out` fails, folio::Error on database errors.
std::uint64_t export_articles_csv(Blog& blog, std::ostream& out, const ExportOptions& options = {});

} // namespace folio
