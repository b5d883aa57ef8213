// section_10_12_counting.cpp: guide §10-12, letting the database do the
// work, on 100,000 authors (full scale). §10 counting them: len() of an
// evaluated QuerySet vs count(). §11 an author with 10,000 articles:
// count() > 0 vs exists(). §12 the top 20 by articles_count: slicing the
// evaluated list vs slicing the QuerySet (LIMIT in SQL). Each has a
// hand-written statement, prepared once, as the limit.
#include <fmt/format.h>

#include "common.hpp"
#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif
#include "raw_detail.hpp"
#include "sections.hpp"

namespace folio::bench {
namespace {

struct Reads {
    Context& ctx;
    int section;
    const char* title;
    Blog& blog;

    // `one` once under the capture; then `repeat` calls per timed run.
    void variant(std::string name, int repeat, const std::function<void()>& one, std::string ratio_to,
                 std::optional<std::size_t> at_most, std::string extra = {}) {
        const std::size_t stmts = count_statements(blog.db(), one);
        if (at_most) ctx.expect_at_most(section, name, stmts, *at_most);
        Timing t = time_variant(ctx, {}, [&] {
            for (int i = 0; i < repeat; ++i) one();
        });
        std::string notes = repeat > 1 ? fmt::format("{} of {} calls; per call", runs_note(t), repeat) : runs_note(t);
        if (!extra.empty()) notes += "; " + extra;
        ctx.add(section, title, std::move(name), stmts, t.median / repeat, {}, std::move(ratio_to), notes);
    }
};

std::int64_t step_int(sqlite3_stmt* st) {
    raw::detail::ResetGuard guard{st};
    if (sqlite3_step(st) != SQLITE_ROW) raw::detail::fail(sqlite3_db_handle(st), sqlite3_errcode(sqlite3_db_handle(st)), "step");
    return sqlite3_column_int64(st, 0);
}

// Keeps a result alive so the optimizer cannot drop the work.
volatile std::int64_t g_sink = 0;

}  // namespace

void run_section_10(Context& ctx) {
    Blog& blog = dataset(ctx, "authors");
    Reads r{ctx, 10, "len(qs) vs qs.count()", blog};
    const std::string before = "len(qs)";
    r.variant(before, 1, [&] { g_sink = static_cast<std::int64_t>(blog.authors().all().size()); }, {}, std::nullopt,
              fmt::format("{} authors fetched", ctx.sizes.s9_authors));
    r.variant("count()", 10, [&] { g_sink = blog.authors().count(); }, before, 1);
#if FOLIO_BENCH_POSTGRESQL
    if (PGconn* pg = raw::pg::connection_of(blog.db())) {
        r.variant("raw", 10, [&] { g_sink = raw::pg::count_authors(pg); }, {}, std::nullopt);
    } else
#endif
    {
        raw::Stmt st = raw::prepare(blog.db().handle(), "SELECT count(*) FROM author");
        r.variant("raw", 10, [&] { g_sink = step_int(st.get()); }, {}, std::nullopt);
    }
    ctx.report.add_headline({10, "count authors: len(qs) -> count()", before, "count()"});
}

void run_section_11(Context& ctx) {
    Blog& blog = dataset(ctx, "authors");
    Reads r{ctx, 11, "count() vs exists()", blog};
    const Author author = blog.authors().get("id", 1);
    const std::string before = "count() > 0";
    const std::string extra = fmt::format("author with {} articles", author.articles_count());
    r.variant(before, 20, [&] {
        // Through an integer: the guide's test, whatever type count() returns.
        const std::int64_t n = author.articles().count();
        g_sink = n > 0;
    }, {}, std::nullopt, extra);
    r.variant("exists()", 100, [&] { g_sink = author.articles().exists(); }, before, 1);
#if FOLIO_BENCH_POSTGRESQL
    if (PGconn* pg = raw::pg::connection_of(blog.db())) {
        r.variant("raw", 100, [&] { g_sink = raw::pg::author_has_articles(pg, author.id()); }, {}, std::nullopt);
    } else
#endif
    {
        raw::Stmt st = raw::prepare(blog.db().handle(), "SELECT EXISTS(SELECT 1 FROM article WHERE author_id = ?1)");
        r.variant("raw", 100, [&] {
            raw::detail::bind_int(st.get(), 1, author.id());
            g_sink = step_int(st.get());
        }, {}, std::nullopt);
    }
    ctx.report.add_headline({11, "has articles: count() > 0 -> exists()", before, "exists()"});
}

void run_section_12(Context& ctx) {
    Blog& blog = dataset(ctx, "authors");
    Reads r{ctx, 12, "Lazy QuerySet: top 20 by articles_count", blog};
    auto ranked = [&] { return blog.authors().order_by({"-articles_count", "id"}); };
    const std::string before = "evaluate, then slice";
    r.variant(before, 1, [&] {
        auto all = ranked();
        const auto& rows = all.results();
        std::vector<Author> top(rows.begin(), rows.begin() + std::min<std::ptrdiff_t>(20, std::ssize(rows)));
        g_sink = top.front().articles_count();
    }, {}, std::nullopt);
    r.variant("slice(0, 20)", 1, [&] { g_sink = ranked().slice(0, 20).results().front().articles_count(); }, before, 1);
    r.variant("raw", 1, [&] {
#if FOLIO_BENCH_POSTGRESQL
        if (PGconn* pg = raw::pg::connection_of(blog.db())) {
            g_sink = raw::pg::top_authors(pg, 20).front().articles_count;
            return;
        }
#endif
        g_sink = raw::top_authors(blog.db().handle(), 20).front().articles_count;
    }, {}, std::nullopt);
    ctx.report.add_headline({12, "top 20: slice the list -> slice the QuerySet", before, "slice(0, 20)"});
}

}  // namespace folio::bench
