// section_07_08_list_page.cpp: guide §7 and §8, the articles list page: 20
// articles, newest first, each with its title, date, author's username and
// tag names. §7: naive (1 + 20 + 20 statements) vs select_related (21) vs
// select_related + prefetch_related (2). §8: that page with full rows vs
// defer(content, comments_on) vs only(the four shown fields), on articles
// of ~5 KB. The limit of both is the same page from hand-written SQL.
#include <fmt/format.h>

#include "common.hpp"
#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif
#include "sections.hpp"
#include "support/list_page.hpp"

namespace folio::bench {
namespace {

using folio_test::render;  // the guide's template: what the page shows of each article

constexpr int kPages = 5;  // page builds per timed run: one is a few ms

// The page from hand-written SQL on this backend.
std::size_t render_raw(Database& db) {
    std::vector<raw::PageArticle> page;
#if FOLIO_BENCH_POSTGRESQL
    if (PGconn* pg = raw::pg::connection_of(db)) page = raw::pg::list_page(pg, 1, 20);
#endif
    if (db.handle()) page = raw::list_page(db.handle(), 1, 20);
    std::size_t chars = 0;
    for (const auto& a : page) {
        chars += a.title.size() + a.created_at.size() + a.author.size();
        for (const auto& t : a.tags) chars += t.size();
    }
    return chars;
}

struct PageBench {
    Context& ctx;
    int section;
    const char* title;
    Blog& blog;
    std::size_t expected = 0;

    void variant(std::string name, const std::function<std::size_t()>& page, std::string ratio_to,
                 std::optional<std::size_t> at_most) {
        std::size_t chars = 0;
        const std::size_t stmts = count_statements(blog.db(), [&] { chars = page(); });
        if (!expected) expected = chars;
        if (chars != expected) {
            ctx.failures.push_back(fmt::format("§{} {}: the page differs ({} vs {} characters)", section, name,
                                               chars, expected));
        }
        if (at_most) ctx.expect_at_most(section, name, stmts, *at_most);
        Timing t = time_variant(ctx, {}, [&] {
            for (int i = 0; i < kPages; ++i) page();
        });
        ctx.add(section, title, std::move(name), stmts, t.median / kPages, {}, std::move(ratio_to),
                fmt::format("{} of {} pages; per page", runs_note(t), kPages));
    }
};

QuerySet<Article> newest(Blog& blog) { return blog.articles().order_by({"-created_at", "-id"}); }

}  // namespace

void run_section_07(Context& ctx) {
    Blog& blog = dataset(ctx, "page");
    PageBench b{ctx, 7, "List page: select_related / prefetch_related", blog};
    const std::string before = "naive";
    const std::string after = "select_related + prefetch_related";
    b.variant(before, [&] { return render(newest(blog).slice(0, 20)); }, {}, std::nullopt);
    b.variant("select_related", [&] { return render(newest(blog).select_related({"author"}).slice(0, 20)); },
              before, 21);
    b.variant(after, [&] {
        return render(newest(blog).select_related({"author"}).prefetch_related({"tags"}).slice(0, 20));
    }, before, 2);
    b.variant("raw", [&] { return render_raw(blog.db()); }, {}, std::nullopt);
    ctx.report.add_headline({7, "list page: naive -> select_related + prefetch_related", before, after});
}

void run_section_08(Context& ctx) {
    Blog& blog = dataset(ctx, "page");
    PageBench b{ctx, 8, "Defer fields: defer() / only()", blog};
    auto page = [&] { return newest(blog).select_related({"author"}).prefetch_related({"tags"}).slice(0, 20); };
    const std::string before = "full rows";
    const std::string after = "only(title, created_at, author__username, tags__name)";
    b.variant(before, [&] { return render(page()); }, {}, 2);
    b.variant("defer(content, comments_on)", [&] { return render(page().defer({"content", "comments_on"})); },
              before, 2);
    b.variant(after, [&] {
        return render(page().only({"title", "created_at", "author__username", "tags__name"}));
    }, before, 2);
    b.variant("raw", [&] { return render_raw(blog.db()); }, {}, std::nullopt);
    ctx.report.add_headline({8, "list page: full rows -> only()", before, after});
}

}  // namespace folio::bench
