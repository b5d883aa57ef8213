// section_14_import.cpp: the guide's first job end to end: old_articles.json
// files of §5's sizes (about 100 MB and 200 MB of content) imported into a
// blog that holds their authors: folio's import_articles (bulk path) against
// the hand-written C-API importer of raw_import.cpp (the limit row). Each
// run is a forked child that opens its own connection, so its peak RSS is
// the import's own; the database is reset to the authors-only copy untimed
// before each run. Figures: statements, time, MB/s of file, peak RSS. On
// SQLite both run again under folio::ExclusiveLoad (the rollback journal,
// which writes the pages a load appends once where WAL writes them twice).
#include <fmt/format.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>

#include <folio/blog_io.hpp>
#include <folio/exclusive_load.hpp>

#include "common.hpp"
#include "raw_import.hpp"
#include "sections.hpp"

namespace folio::bench {
namespace {

constexpr int kSection = 14;
constexpr const char* kTitle = "Import of old_articles.json, end to end";

// CPU time of this process (user + system), in seconds.
double cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs in the child: {statements, records, wall ns, CPU ns}. CPU time is
// reported beside wall time: on a shared machine a run waits for a CPU for
// much of its wall time. With
// `count_statements` a log listener counts them (statements is -1 without):
// even one that asks for no arguments (SqlOnly) traces and times every
// statement, and for the raw importer's C-API statements expands each one's
// SQL text, so timed runs go without it and one more run counts.
// With `exclusive`, the import runs under folio::ExclusiveLoad (SQLite's
// rollback journal instead of WAL), its switch and switch back timed too.
std::vector<std::int64_t> import_in_child(const std::string& db_path, const std::filesystem::path& file,
                                          bool raw_import, bool count_statements, bool exclusive) {
    Blog blog = Blog::open(db_path);
    Stopwatch sw;
    const double cpu0 = cpu_seconds();
    std::optional<ExclusiveLoad> exclusive_load;
    if (exclusive) exclusive_load.emplace(blog.db());
    std::int64_t records = 0;
    std::int64_t statements = -1;
    {
        // Counted by a listener that needs no arguments, not a QueryCapture:
        // a capture keeps every statement's bound values, which would be the
        // capture's memory, not the import's.
        std::optional<std::size_t> id;
        if (count_statements) {
            statements = 0;
            id = blog.db().log().add_listener([&statements](const LoggedStatement& s) {
                if (s.counts()) ++statements;
            }, SqlLog::ListenerNeeds::SqlOnly);
        }
        if (raw_import)
            records = raw::import_articles_file(blog.db().handle(), file.string(), folio::bulk_load_cache_kib).records;
        else
            records = static_cast<std::int64_t>(import_articles(blog, file).imported);
        if (id) blog.db().log().remove_listener(*id);
    }
    exclusive_load.reset();
    const double wall = sw.seconds();
    const double cpu = cpu_seconds() - cpu0;
    return {statements, records, static_cast<std::int64_t>(wall * 1e9), static_cast<std::int64_t>(cpu * 1e9)};
}

// A file of `articles` articles by `author`, each naming 100 tags no other
// article names: the batch's tags, not its text, are what grows.
std::uint64_t write_tag_heavy(const std::filesystem::path& file, std::size_t articles, const std::string& author) {
    std::ofstream out(file, std::ios::binary);
    out << '[';
    for (std::size_t a = 0; a < articles; ++a) {
        out << (a ? ",\n" : "") << fmt::format(R"({{"title": "T{}", "content": "c", "created_at": "2015-01-02", )"
                                                R"("author": "{}", "tags": [)",
                                                a, author);
        for (std::size_t t = 0; t < 100; ++t) out << (t ? ", " : "") << fmt::format(R"("tag-{}-{}")", a, t);
        out << "]}";
    }
    out << "]\n";
    out.close();
    return std::filesystem::file_size(file);
}

// Issue 11's memory, for the inputs that grew it besides the file's size:
// the authors of import_authors (every username was kept to check
// duplicates) and the tags of one batch (articles of 100 new tags each, in
// one VALUES list). Each at two sizes, the second twice the first: peak RSS
// and time of one child run each (after an untimed first run), on a
// database reset before each run (empty for the authors, the authors-only
// copy for the articles). Both sizes fill the import's page cache
// (bulk_load_cache_kib, 16 MB): below that, peak RSS grows with the pages
// written until the cache is full, then stays.
void run_flat_memory_rows(Context& ctx, const std::filesystem::path& data, const std::string& authors_db,
                          const std::string& db_path) {
    const std::size_t k = ctx.sizes.s5_mb[0];  // 100 at --scale full
    const std::string empty_db = ctx.fresh_target("s14-empty");
    { Blog created = Blog::open(empty_db); }  // a migrated blog without rows
    std::unique_ptr<Blog> authors_pg, target_pg, empty_pg;
    if (ctx.on_postgresql()) {
        authors_pg = std::make_unique<Blog>(Blog::open(authors_db));
        empty_pg = std::make_unique<Blog>(Blog::open(empty_db));
        target_pg = std::make_unique<Blog>(Blog::open(db_path));
    }
    const auto reset = [&](bool with_authors) {
        if (target_pg) {
            restore(*target_pg, with_authors ? *authors_pg : *empty_pg);
            return;
        }
        remove_db(db_path);
        std::filesystem::copy_file(with_authors ? authors_db : empty_db, db_path);
    };
    std::string author;
    {
        Blog blog = Blog::open(authors_db);
        author = blog.authors().order_by({"id"}).first()->username();
    }
    const auto row = [&](const std::string& name, const std::filesystem::path& file, std::size_t records,
                         bool articles) {
        double seconds = 0, peak = 0;
        for (int run = 0; run < 2; ++run) {  // the first warms the page cache of the OS
            reset(articles);
            ChildMemory m = measure_in_child(std::function<std::vector<std::int64_t>()>([&] {
                Blog blog = Blog::open(db_path);
                const ImportReport r = articles ? import_articles(blog, file) : import_authors(blog, file);
                return std::vector<std::int64_t>{static_cast<std::int64_t>(r.imported)};
            }));
            if (static_cast<std::size_t>(m.values.at(0)) != records)
                throw std::runtime_error(fmt::format("§14 {}: imported {} of {}", name, m.values.at(0), records));
            seconds = m.seconds;
            peak = m.peak_rss_mb;
        }
        const double mb = static_cast<double>(std::filesystem::file_size(file)) / 1e6;
        ctx.add(kSection, kTitle, name, {}, seconds, peak, {},
                fmt::format("one run after a warm-up; {:.1f} MB file, {} records, {:.0f} MB/s", mb, records,
                            mb / seconds));
    };
    for (std::size_t n : {3000 * k, 6000 * k}) {
        const io::GenOptions opts{.authors = n, .articles = 0, .content_bytes = 1, .tags_per_article = 1,
                                  .seed = kSeed};
        io::write_dataset(data, opts);
        row(fmt::format("import_authors @{}", n), data / "old_authors.json", n, false);
    }
    for (std::size_t n : {20 * k, 40 * k}) {
        const auto file = data / "tag_heavy.json";
        write_tag_heavy(file, n, author);
        row(fmt::format("import_articles, 100 new tags each @{}", n), file, n, true);
    }
    target_pg.reset();
    empty_pg.reset();
    authors_pg.reset();
    ctx.drop("s14-empty");
}

}  // namespace

void run_section_14(Context& ctx) {
    const Sizes& z = ctx.sizes;
    const auto data = ctx.path("s14-data");
    const std::string authors_db = ctx.fresh_target("s14-authors");
    const std::string db_path = ctx.fresh_target("s14");
    {
        Blog blog = Blog::open(authors_db);
        io::GenOptions a{.authors = 1000, .articles = 0, .content_bytes = 1, .tags_per_article = 3, .seed = kSeed};
        io::write_dataset(data, a);
        import_authors(blog, data / "old_authors.json");
    }
    // Before each run, the database holds the authors only: a copy of the
    // file, or on PostgreSQL the schema restored from the authors' (those
    // two connections stay open in this process; each run's child opens its own).
    std::unique_ptr<Blog> authors_pg, target_pg;
    if (ctx.on_postgresql()) {
        authors_pg = std::make_unique<Blog>(Blog::open(authors_db));
        target_pg = std::make_unique<Blog>(Blog::open(db_path));
    }
    auto reset = [&] {
        if (target_pg) {
            restore(*target_pg, *authors_pg);
            return;
        }
        remove_db(db_path);
        std::filesystem::copy_file(authors_db, db_path);
    };
    for (std::size_t mb : z.s5_mb) {
        const io::GenOptions opts{.authors = 1000, .articles = mb * 1'000'000 / z.s5_article_bytes,
                                  .content_bytes = z.s5_article_bytes, .tags_per_article = 3, .seed = kSeed};
        const auto file = data / "old_articles.json";
        const io::GenResult g = io::write_dataset(data, opts);
        const double file_mb = static_cast<double>(g.articles_bytes) / 1e6;
        std::cout << fmt::format("  (§14 data: {} articles, {:.1f} MB file)\n", opts.articles, file_mb) << std::flush;
        const std::string at = fmt::format(" @{}MB", mb);
        // [0] folio, [1] the raw importer, [2] and [3] the same under
        // ExclusiveLoad (SQLite's rollback journal; the raw importer gets
        // the same journal, so each pair differs only in the code).
        const std::string names[4] = {"import_articles" + at, "raw importer" + at,
                                      "import_articles, ExclusiveLoad" + at, "raw importer, rollback journal" + at};
        // One untimed run of each counts the statements; the timed runs then
        // alternate folio and the raw importer (as §1's and §9's pairs do), so
        // both sides meet the same moments of a shared host.
        struct Runs {
            std::vector<double> times, cpu_times;
            double peak = 0;
            std::int64_t stmts = 0;
        };
        Runs runs[4];
        // PostgreSQL: no raw importer here (raw_import.cpp is SQLite's C API)
        // and nothing for ExclusiveLoad to change.
        const bool sqlite = !ctx.on_postgresql();
        const auto run_once = [&](int which, bool counting) {
            const bool raw_import = which % 2 == 1, exclusive = which >= 2;
            reset();
            ChildMemory m = measure_in_child(std::function<std::vector<std::int64_t>()>(
                [&] { return import_in_child(db_path, file, raw_import, counting, exclusive); }));
            if (static_cast<std::size_t>(m.values.at(1)) != opts.articles)
                throw std::runtime_error(
                    fmt::format("§14 {}: imported {} of {}", names[which], m.values.at(1), opts.articles));
            Runs& r = runs[which];
            if (counting) {
                r.stmts = m.values.at(0);
                return;
            }
            r.times.push_back(static_cast<double>(m.values.at(2)) / 1e9);
            r.cpu_times.push_back(static_cast<double>(m.values.at(3)) / 1e9);
            r.peak = std::max(r.peak, m.peak_rss_mb);
        };
        const int kinds = sqlite ? 4 : 1;
        for (int which = 0; which < kinds; ++which) run_once(which, true);
        for (int run = 0; run < std::min(ctx.runs, 3); ++run)
            for (int which = 0; which < kinds; ++which) run_once(which, false);
        for (int which = 0; which < 4; ++which) {
            if (which == 1 && !sqlite) ctx.add_no_raw(kSection, kTitle, names[which]);
            if (which >= kinds) continue;
            Runs& r = runs[which];
            std::sort(r.times.begin(), r.times.end());
            std::sort(r.cpu_times.begin(), r.cpu_times.end());
            const double median = r.times[r.times.size() / 2];
            const double cpu_median = r.cpu_times[r.cpu_times.size() / 2];
            ctx.add(kSection, kTitle, names[which], static_cast<std::size_t>(r.stmts), median, r.peak, {},
                    fmt::format("median of {} runs{}; {:.1f} MB file, {:.0f} MB/s; CPU {:.2f} s ({:.0f} MB/s of CPU)",
                                r.times.size(), sqlite ? ", the four rows in turns" : "", file_mb, file_mb / median,
                                cpu_median, file_mb / cpu_median),
                    which % 2 == 1 ? "" : names[which + 1]);
        }
    }
    run_flat_memory_rows(ctx, data, authors_db, db_path);
    ctx.report.add_headline({kSection, fmt::format("import {} MB: folio vs hand-written C API", z.s5_mb[1]),
                             fmt::format("raw importer @{}MB", z.s5_mb[1]), fmt::format("import_articles @{}MB", z.s5_mb[1])});
    target_pg.reset();
    authors_pg.reset();
    ctx.drop("s14");
    ctx.drop("s14-authors");
    std::filesystem::remove_all(data);
}

}  // namespace folio::bench
