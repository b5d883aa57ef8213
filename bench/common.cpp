// common.cpp: sizes per scale, the Context, temporary databases and their
// untimed restore, and the shared data sets (see common.hpp).
#include "common.hpp"

#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <unordered_map>

namespace folio::bench {

Sizes sizes_for(Scale s) {
    Sizes z;
    switch (s) {
        case Scale::full:
            z = {.s1_authors_big = 1'000'000, .s2_articles = 2'000, .s5_article_bytes = 10'000,
                 .s5_mb = {100, 200}, .s7_articles = 10'000, .s9_authors = 100'000,
                 .s9_noindex_lookups = 20, .s11_articles = 10'000, .s13_lookups = 100'000};
            break;
        case Scale::small:
            z = {.s1_authors_big = 100'000, .s2_articles = 2'000, .s5_article_bytes = 10'000,
                 .s5_mb = {10, 20}, .s7_articles = 5'000, .s9_authors = 100'000,
                 .s9_noindex_lookups = 10, .s11_articles = 10'000, .s13_lookups = 20'000};
            break;
        case Scale::tiny:
            z = {.s1_authors_big = 5'000, .s2_articles = 200, .s5_article_bytes = 5'000,
                 .s5_mb = {1, 2}, .s7_articles = 500, .s9_authors = 5'000,
                 .s9_noindex_lookups = 10, .s11_articles = 500, .s13_lookups = 2'000};
            break;
    }
    return z;
}

void Context::add(int section, std::string_view title, std::string variant, std::optional<std::size_t> statements,
                  std::optional<double> seconds, std::optional<double> peak_mb, std::string ratio_to,
                  std::string notes, std::string limit_to) {
    std::optional<int> st;
    if (statements) st = static_cast<int>(*statements);
    report.add({section, std::string(title), std::move(variant), st, seconds, peak_mb, std::move(ratio_to),
                scale_name(), std::move(notes), std::move(limit_to)});
}

void Context::expect_at_most(int section, std::string_view variant, std::size_t actual, std::size_t at_most) {
    if (actual <= at_most) return;
    failures.push_back(fmt::format("§{} {}: {} statements, the guide's optimized code needs at most {}", section,
                                   variant, actual, at_most));
    std::cerr << "folio-bench: FAIL " << failures.back() << '\n';
}

std::string Context::fresh_target(const std::string& name) {
    if (!on_postgresql()) {
        const auto p = path(name + ".sqlite3");
        remove_db(p);
        return p.string();
    }
    schemas.erase(name);  // drops the old schema of that name first
    std::string schema = fmt::format("folio_bench_{}_{}", ::getpid(), name);
    std::replace(schema.begin(), schema.end(), '-', '_');
    auto& s = schemas[name] = std::make_unique<folio_test::PostgresqlSchema>(server, schema);
    if (keep) s->keep();
    return s->target();
}

void Context::drop(const std::string& name) {
    if (on_postgresql())
        schemas.erase(name);
    else
        remove_db(path(name + ".sqlite3"));
}

void Context::add_no_raw(int section, std::string_view title, std::string variant) {
    add(section, title, std::move(variant), std::nullopt, std::nullopt, std::nullopt, {},
        fmt::format("no hand-written {} code for this section yet", on_postgresql() ? "libpq" : "C-API"));
}

void Context::skip_note(int section, std::string_view what, std::string_view why) const {
    std::cout << fmt::format("  (§{}: {} skipped on {}: {})\n", section, what, backend_name(), why) << std::flush;
}

void remove_db(const std::filesystem::path& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

std::unique_ptr<Blog> fresh_blog(Context& ctx, const std::string& name) {
    return std::make_unique<Blog>(Blog::open(ctx.fresh_target(name)));
}

namespace {

// PostgreSQL: both databases are schemas on one server, so the copy is SQL.
// Tables in foreign-key order; the articles_count triggers are off while
// article rows are copied (the copied authors already hold their counts).
void restore_postgresql(Database& to, Database& from) {
    const std::string source = from.scalar("SELECT current_schema()").as_text();
    const std::string tables[] = {Author::meta().table, Tag::meta().table, Article::meta().table,
                                  Article::meta().many_to_many[0].through_table};
    std::string script = "BEGIN; TRUNCATE ";
    for (const auto& t : tables) script += fmt::format("{}\"{}\"", &t == tables ? "" : ", ", t);
    script += fmt::format(" RESTART IDENTITY; ALTER TABLE \"{}\" DISABLE TRIGGER USER;", Article::meta().table);
    for (const auto& t : tables) script += fmt::format(" INSERT INTO \"{0}\" SELECT * FROM \"{1}\".\"{0}\";", t, source);
    script += fmt::format(" ALTER TABLE \"{}\" ENABLE TRIGGER USER;", Article::meta().table);
    for (const auto& t : tables)
        script += fmt::format(" SELECT setval(pg_get_serial_sequence('\"{0}\"', 'id'), coalesce(max(\"id\"), 0) + 1, false)"
                              " FROM \"{0}\";", t);
    script += " COMMIT; ANALYZE ";  // fresh statistics, as a restored SQLite file has its sqlite_stat tables
    for (const auto& t : tables) script += fmt::format("{}\"{}\"", &t == tables ? "" : ", ", t);
    to.execute_script(script);
    to.statement_cache().clear();
}

}  // namespace

void restore(Blog& to, Blog& from) {
    if (!to.db().handle()) {
        restore_postgresql(to.db(), from.db());
        return;
    }
    raw::copy_database(from.db().handle(), to.db().handle());
    // The copy changed the schema cookie; idle handles would re-prepare on
    // their next step anyway, but dropping them keeps runs alike.
    to.db().statement_cache().clear();
    // The backup commits without running the WAL hook, so the auto-checkpoint
    // of the copied pages would land on the first commit of the timed run;
    // checkpoint now, untimed.
    int rc = sqlite3_wal_checkpoint_v2(to.db().handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    if (rc != SQLITE_OK) throw raw::Error(rc, "wal_checkpoint after restore");
}

std::size_t count_statements(Database& db, const std::function<void()>& body) {
#if FOLIO_BENCH_POSTGRESQL
    // The hand-written libpq rows run beside folio, unseen by its capture.
    const std::size_t raw_before = raw::pg::statements_run();
#endif
    QueryCapture q(db);
    body();
#if FOLIO_BENCH_POSTGRESQL
    return q.count() + (raw::pg::statements_run() - raw_before);
#else
    return q.count();
#endif
}

Timing time_variant(const Context& ctx, const std::function<void()>& setup, const std::function<void()>& body) {
    Timing first = time_runs(1, setup, body);
    const int runs = first.median > 1.0 ? std::min(ctx.runs, 3) : ctx.runs;
    if (runs <= 1) return first;
    Timing rest = time_runs(runs - 1, setup, body);
    // The first run is a real run too (same setup): keep it in the median.
    rest.samples.insert(rest.samples.begin(), first.samples.front());
    summarize(rest);
    return rest;
}

std::string runs_note(const Timing& t) { return fmt::format("median of {} runs", t.runs); }

Author to_author(const io::AuthorRecord& r) { return Author(r.username, r.email, r.bio); }
raw::RawAuthor to_raw(const io::AuthorRecord& r) { return {r.username, r.email, r.bio}; }
raw::RawArticle to_raw(const io::ArticleRecord& r) { return {r.created_at, r.author, r.title, r.content, r.tags}; }

void load_authors(Blog& blog, std::size_t n) {
    std::vector<Author> authors;
    authors.reserve(n);
    io::for_each_author(n, kSeed, [&](io::AuthorRecord&& r, std::size_t) { authors.push_back(to_author(r)); });
    blog.authors().bulk_create(authors);
}

void bulk_import(Blog& blog, const std::vector<io::ArticleRecord>& records) {
    Database& db = blog.db();
    Transaction tx(db);
    std::vector<Value> usernames, tag_names;
    for (const auto& r : records) {
        usernames.emplace_back(r.author);
        for (const auto& t : r.tags) tag_names.emplace_back(t);
    }
    std::unordered_map<std::string, std::int64_t> author_ids, tag_ids;
    for (const Author& a : blog.authors().filter(Q("username__in", usernames)).only({"username"}))
        author_ids[a.username()] = a.id();
    for (const Tag& t : blog.tags().get_or_create_many("name", tag_names)) tag_ids[t.name()] = t.id();
    std::vector<Article> articles;
    articles.reserve(records.size());
    for (const auto& r : records) {
        Article a;
        a.set_title(r.title).set_content(r.content).set_created_at(r.created_at).set_author_id(author_ids.at(r.author));
        articles.push_back(std::move(a));
    }
    blog.articles().bulk_create(articles);
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    for (std::size_t i = 0; i < records.size(); ++i)
        for (const auto& t : records[i].tags) links.emplace_back(articles[i].id(), tag_ids.at(t));
    bulk_link(db, Article::meta().many_to_many[0], links);
    tx.commit();
}

void load_articles(Blog& blog, const io::GenOptions& opts, std::size_t from, std::size_t batch) {
    std::vector<io::ArticleRecord> pending;
    io::for_each_article(opts, [&](io::ArticleRecord&& r, std::size_t index) {
        if (index < from) return;
        pending.push_back(std::move(r));
        if (pending.size() == batch) {
            bulk_import(blog, pending);
            pending.clear();
        }
    });
    if (!pending.empty()) bulk_import(blog, pending);
}

namespace {

// §9-13: many authors, one of them prolific, the others with uneven counts
// so that the top 20 by articles_count is a real ranking.
void load_authors_dataset(Context& ctx, Blog& blog) {
    const Sizes& z = ctx.sizes;
    load_authors(blog, z.s9_authors);
    std::vector<Article> articles;
    const std::size_t spread = std::min<std::size_t>(20'000, z.s9_authors * 4);
    articles.reserve(z.s11_articles + spread);
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (std::size_t i = 0; i < z.s11_articles + spread; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: deterministic
        // Author 1 first; then ids skewed towards small ones (a square law).
        const std::uint64_t r = x % 1000;
        const auto author = i < z.s11_articles ? 1 : 2 + static_cast<std::int64_t>(r * r * (z.s9_authors - 2) / 1'000'000);
        Article a;
        a.set_title(fmt::format("Article {}", i)).set_content("...").set_created_at("2016-06-11").set_author_id(author);
        articles.push_back(std::move(a));
    }
    blog.articles().bulk_create(articles);
}

}  // namespace

Blog& dataset(Context& ctx, const std::string& name) {
    if (auto it = ctx.datasets.find(name); it != ctx.datasets.end()) return *it->second;
    Stopwatch sw;
    auto blog = fresh_blog(ctx, name);
    if (name == "imported") {
        load_authors(*blog, 200);
        load_articles(*blog, {.authors = 200, .articles = ctx.sizes.s2_articles, .content_bytes = 2000,
                              .tags_per_article = 3, .seed = kSeed});
    } else if (name == "page") {
        load_authors(*blog, 1000);
        load_articles(*blog, {.authors = 1000, .articles = ctx.sizes.s7_articles, .content_bytes = 5000,
                              .tags_per_article = 3, .seed = kSeed});
    } else if (name == "authors") {
        load_authors_dataset(ctx, *blog);
    } else {
        throw std::logic_error("unknown data set " + name);
    }
    std::cout << fmt::format("  (data set '{}' built in {})\n", name, format_seconds(sw.seconds())) << std::flush;
    return *ctx.datasets.emplace(name, std::move(blog)).first->second;
}

}  // namespace folio::bench
