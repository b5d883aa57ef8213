// cmd_data.cpp: moving data in and out: gen-data (the guide's JSON files),
// import-authors / import-articles (bulk by default, --naive for the guide's
// one-by-one code) and export-articles (CSV, streamed).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

#include <folio/blog_io.hpp>
#include <folio/exclusive_load.hpp>
#include <folio/io/datagen.hpp>
#include <folio/io/json_records.hpp>

#include "cli.hpp"

namespace folio_cli {

namespace {

struct ImportArgs {
    std::string file;
    bool naive = false;
    bool skip_invalid = false;
    bool replace = false;
    bool exclusive = false;
    std::size_t batch = 2000;
    std::size_t list_rejected = 1000;
};

// The input formats, for --help (the README says the same).
constexpr const char* authors_format =
    "FILE: a JSON array (UTF-8) of objects, one per author, every key required: {\"username\": string, at most 64 "
    "characters; \"email\": string, an e-mail address or \"\", at most 254; \"bio\": string}. Other keys are "
    "ignored; a repeated key keeps its last value.";
constexpr const char* articles_format =
    "FILE: a JSON array (UTF-8) of objects, one per article, every key required: {\"title\": string, at most 64 "
    "characters; \"content\": string; \"created_at\": string \"YYYY-MM-DD\", a real calendar date; \"author\": "
    "string, the username of an author already imported; \"tags\": array of strings, tag names of at most 64 "
    "characters, created when new}. Other keys are ignored; a repeated key keeps its last value.";

// The rejected records the report lists, one line each (stderr), and how
// many more it only counted.
void print_rejected(const folio::ImportReport& r) {
    for (const auto& rej : r.rejected) std::cerr << "rejected: " << one_line(rej.error) << '\n';
    if (r.rejected_count > r.rejected.size())
        std::cerr << fmt::format("folio: {} more rejected records not listed (--list-rejected N lists more)\n",
                                 r.rejected_count - r.rejected.size());
}

void add_import(CLI::App& app, Commands& out, const char* name, const char* what, bool articles) {
    auto* sub = app.add_subcommand(name, what);
    sub->footer(articles ? articles_format : authors_format);
    auto a = std::make_shared<ImportArgs>();
    sub->add_option("FILE", a->file, "the JSON file (an array of records, see below)")->required();
    sub->add_flag("--naive", a->naive, "run the guide's one-by-one code instead of the bulk path");
    auto* skip = sub->add_flag("--skip-invalid", a->skip_invalid,
                  "import the valid records and list the rejected ones (default: reject the whole file)");
    sub->add_option("--list-rejected", a->list_rejected,
                    "with --skip-invalid, list at most N rejected records (the first in the file; the count covers "
                    "all of them), so that a file of mostly bad records does not fill memory")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000'000}))
        ->needs(skip);
    sub->add_flag("--replace", a->replace,
                  articles ? "remove every article first, in the same transaction (tags stay)"
                           : "remove every author first, and with them their articles, in the same transaction");
    sub->add_flag("--exclusive", a->exclusive,
                  "SQLite file: have it alone for the import, with SQLite's rollback journal instead of WAL (new "
                  "pages written once: faster; other connections must not have it open, and readers wait until "
                  "the import ends)");
    sub->add_option("--batch-size", a->batch, "records per bulk batch")->capture_default_str()->check(CLI::Range(1, 10000));
    out.push_back({sub, [a, articles](Env& env) {
                       // Before the database is opened (and, when missing,
                       // created): a mistyped path leaves no stray database.
                       folio::io::check_input_file(a->file);
                       folio::Blog& blog = env.blog();
                       const char* noun = articles ? "articles" : "authors";
                       // Before the transaction: SQLite changes the journal only between them.
                       std::optional<folio::ExclusiveLoad> exclusive;
                       if (a->exclusive) exclusive.emplace(blog.db());
                       // One transaction: the old rows go only if the new ones arrive
                       // (the import's own transaction nests into it as a savepoint).
                       // The time said includes the removal --replace does.
                       const auto t0 = std::chrono::steady_clock::now();
                       folio::Transaction tx(blog.db());
                       const std::int64_t existing = articles ? blog.articles().count() : blog.authors().count();
                       // Authors take their articles with them (on_delete CASCADE): said in the summary.
                       std::int64_t cascaded = 0;
                       if (existing > 0 && a->replace) {
                           if (articles) {
                               blog.articles().all().remove();
                           } else {
                               cascaded = blog.articles().count();
                               blog.authors().all().remove();
                           }
                       }
                       ProgressBar bar(articles ? "import-articles" : "import-authors");
                       folio::ImportOptions opt{.naive = a->naive, .skip_invalid = a->skip_invalid,
                                                .max_listed_rejects = a->list_rejected, .batch_size = a->batch,
                                                .progress = {}};
                       if (bar.enabled())
                           opt.progress = [&bar](const folio::ImportProgress& p) {
                               bar.update(p.bytes_read, p.total_bytes, p.records);
                           };
                       StatementCounter capture(blog.db());
                       folio::ImportReport r = articles ? folio::import_articles(blog, a->file, opt)
                                                        : folio::import_authors(blog, a->file, opt);
                       // --replace promises that the old rows go only if new ones arrive: a
                       // file whose every record --skip-invalid rejected would otherwise empty
                       // the table. The transaction rolls back (the old rows stay).
                       if (a->replace && existing > 0 && r.imported == 0) {
                           bar.finish();
                           print_rejected(r);
                           throw std::runtime_error(
                               r.rejected_count > 0
                                   ? fmt::format("every record of {} was rejected ({}); --replace kept the {} {} "
                                                 "already there rather than leave none",
                                                 a->file, r.rejected_count, existing, noun)
                                   : fmt::format("{} holds no records; --replace kept the {} {} already there rather "
                                                 "than leave none",
                                                 a->file, existing, noun));
                       }
                       // Said when the COMMIT starts and when it has returned: a big
                       // import's commit (WAL append, fsync) can take a while.
                       bar.status("committing...");
                       tx.commit();
                       bar.status("committed");
                       const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                       bar.finish();
                       print_rejected(r);
                       // Said once the import succeeded: a failed one added nothing.
                       if (existing > 0 && !a->replace && r.imported > 0)
                           std::cerr << fmt::format("folio: warning: {} already held {} {}; they were kept and the "
                                                    "file's added to them (importing a file twice duplicates it; "
                                                    "--replace replaces them)\n",
                                                    blog.db().path(), existing, noun);
                       std::cout << fmt::format("Imported {} {} from {} ({}, {} statements, {:.2f} s){}{}\n", r.imported,
                                                noun, a->file, a->naive ? "naive" : "bulk", capture.count(), secs,
                                                existing > 0 && a->replace
                                                    ? fmt::format("; replaced {}{}", existing,
                                                                  cascaded > 0 ? fmt::format(" (and their {} articles)",
                                                                                             cascaded)
                                                                               : "")
                                                    : "",
                                                r.rejected_count == 0 ? ""
                                                                      : fmt::format("; {} rejected", r.rejected_count));
                       return Exit::ok;
                   }});
}

} // namespace

void add_data_commands(CLI::App& app, Commands& out) {
    // ---- gen-data ----
    auto* gen = app.add_subcommand("gen-data", "write a deterministic data set: DIR/old_authors.json, DIR/old_articles.json");
    auto g = std::make_shared<folio::io::GenOptions>();
    auto dir = std::make_shared<std::string>("data");
    gen->add_option("--authors", g->authors, "number of authors")->capture_default_str()->check(at_least(0));
    gen->add_option("--articles", g->articles, "number of articles")->capture_default_str()->check(at_least(0));
    gen->add_option("--content-bytes", g->content_bytes, "approximate bytes of content per article")->capture_default_str()
        ->check(CLI::Range(1, 100000000));
    gen->add_option("--seed", g->seed, "random seed: the same seed gives the same bytes")->capture_default_str();
    gen->add_option("--out", *dir, "output directory (created if needed)")->capture_default_str();
    out.push_back({gen, [g, dir](Env&) {
                       if (g->articles > 0 && g->authors == 0)
                           throw UsageError("--articles needs at least one author (--authors)");
                       const auto t0 = std::chrono::steady_clock::now();
                       const std::filesystem::path out_dir(*dir);
                       std::filesystem::create_directories(out_dir);
                       // Both files appear whole, or neither changes: each is written to a
                       // temporary file beside it, and both are renamed only once both are
                       // written (a full disk midway leaves the old files, or none).
                       OutputFile authors((out_dir / "old_authors.json").string());
                       OutputFile articles((out_dir / "old_articles.json").string());
                       folio::io::GenResult r;
                       auto write = [](OutputFile& f, auto&& writer) {
                           try {
                               return writer(f.stream());
                           } catch (const std::exception&) {
                               f.check();  // the OS error, rather than the stream's "iostream error"
                               throw;
                           }
                       };
                       r.authors_bytes = write(authors, [&](std::ostream& o) { return folio::io::write_authors_json(o, *g); });
                       r.articles_bytes =
                           write(articles, [&](std::ostream& o) { return folio::io::write_articles_json(o, *g); });
                       // Flushed and synced first: a failure here still renames nothing.
                       authors.flush();
                       articles.flush();
                       authors.commit();
                       articles.commit();
                       const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                       std::cout << fmt::format("Wrote {}/old_authors.json ({} authors, {} bytes) and "
                                                "{}/old_articles.json ({} articles, {} bytes) in {:.2f} s\n",
                                                *dir, g->authors, r.authors_bytes, *dir, g->articles,
                                                r.articles_bytes, secs);
                       return Exit::ok;
                   }});

    add_import(app, out, "import-authors", "import authors from the guide's old_authors.json", false);
    add_import(app, out, "import-articles", "import articles and tags from the guide's old_articles.json", true);

    // ---- export-articles ----
    auto* exp = app.add_subcommand("export-articles", "export every article as CSV (select_related + iterator)");
    auto file = std::make_shared<std::string>();
    auto delim = std::make_shared<std::string>(";");
    auto header = std::make_shared<bool>(false);
    exp->add_option("OUT", *file, "output CSV file, or - for stdout")->required();
    exp->add_option("--delimiter", *delim, "field delimiter, one character")->capture_default_str();
    exp->add_flag("--header", *header, "write a header row first");
    out.push_back({exp, [file, delim, header](Env& env) {
                       if (delim->size() != 1 || (*delim)[0] == '"' || (*delim)[0] == '\n' || (*delim)[0] == '\r')
                           throw UsageError(fmt::format("--delimiter must be one character other than a quote or "
                                                        "a line break, got '{}'", *delim));
                       const bool to_stdout = *file == "-";
                       // Created before the database is read: an unwritable place fails first.
                       std::unique_ptr<OutputFile> f;
                       if (!to_stdout) f = std::make_unique<OutputFile>(*file);
                       // Standard output through a buffer that keeps write(2)'s errno, so a
                       // full disk is named as such rather than as "iostream error".
                       std::cout.flush();
                       FdBuffer stdout_buf(STDOUT_FILENO);
                       std::ostream stdout_stream(&stdout_buf);
                       const auto stdout_failure = [&stdout_buf] {
                           return OutputError(fmt::format("cannot write standard output: {}",
                                                          std::strerror(stdout_buf.error() ? stdout_buf.error() : EIO)));
                       };
                       folio::Blog& blog = env.blog();
                       std::ostream& os = to_stdout ? stdout_stream : f->stream();
                       ProgressBar bar("export-articles");
                       const auto total = static_cast<std::uint64_t>(bar.enabled() ? blog.articles().count() : 0);
                       folio::ExportOptions opt{.delimiter = (*delim)[0], .header = *header, .crlf = false, .progress = {}};
                       if (bar.enabled())
                           opt.progress = [&bar, total](std::uint64_t rows) { bar.update(rows, total, rows); };
                       const auto t0 = std::chrono::steady_clock::now();
                       std::uint64_t rows = 0;
                       try {
                           rows = folio::export_articles_csv(blog, os, opt);
                       } catch (const std::exception&) {
                           // The OS error, rather than the stream's "iostream error".
                           if (f) f->check();
                           else if (stdout_buf.error()) throw stdout_failure();
                           throw;
                       }
                       const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                       bar.finish();
                       // Renamed over OUT only now: a failure leaves OUT as it was.
                       if (f) f->commit();
                       else if (!stdout_stream.flush() || stdout_buf.error()) throw stdout_failure();
                       // On stdout the CSV is the output; the summary goes to stderr.
                       (to_stdout ? std::cerr : std::cout)
                           << fmt::format("Exported {} articles to {} in {:.2f} s\n", rows, *file, secs);
                       return Exit::ok;
                   }, true});
}

}  // namespace folio_cli
