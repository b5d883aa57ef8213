// section_03_04_update_delete.cpp: guide §3 (mass update: comments off for
// the articles created before 2012) and §4 (mass delete of the articles
// tagged "minus"): a loop over objects with save()/remove() against one
// QuerySet update()/remove(), and a hand-written statement as the limit.
// Both write, so every run starts from the imported data set, restored
// untimed with the backup API.
#include <fmt/format.h>

#include "common.hpp"
#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif
#include "sections.hpp"

namespace folio::bench {
namespace {

struct Writer {
    Context& ctx;
    int section;
    const char* title;
    Blog& templ;
    std::unique_ptr<Blog> blog;

    Writer(Context& c, int s, const char* t)
        : ctx(c), section(s), title(t), templ(dataset(c, "imported")),
          blog(fresh_blog(c, fmt::format("s{}", s))) {}

    void variant(std::string name, const std::function<std::int64_t()>& body, std::string ratio_to,
                 std::optional<std::size_t> at_most) {
        auto setup = [&] { restore(*blog, templ); };
        setup();
        std::int64_t rows = 0;
        const std::size_t stmts = count_statements(blog->db(), [&] { rows = body(); });
        if (at_most) ctx.expect_at_most(section, name, stmts, *at_most);
        Timing t = time_variant(ctx, setup, [&] { body(); });
        ctx.add(section, title, std::move(name), stmts, t.median, {}, std::move(ratio_to),
                fmt::format("{}; {} articles", runs_note(t), rows));
    }
};

}  // namespace

void run_section_03(Context& ctx) {
    Writer w(ctx, 3, "Mass update (comments off before 2012)");
    Blog& blog = *w.blog;
    const std::string before = "loop + save()";
    w.variant(before, [&] {
        std::int64_t n = 0;
        for (const Article& a : blog.articles().filter("created_at__year__lt", 2012)) {
            Article copy = a;
            copy.set_comments_on(false);
            copy.save();
            ++n;
        }
        return n;
    }, {}, std::nullopt);
    w.variant("update()", [&] {
        return blog.articles().filter("created_at__year__lt", 2012).update({{"comments_on", false}});
    }, before, 1);
    w.variant("raw", [&] {
#if FOLIO_BENCH_POSTGRESQL
        if (PGconn* pg = raw::pg::connection_of(blog.db())) return raw::pg::disable_comments_before(pg, "2012-01-01");
#endif
        return raw::disable_comments_before(blog.db().handle(), "2012-01-01");
    }, {}, std::nullopt);
    ctx.report.add_headline({3, "update: loop + save() -> update()", before, "update()"});
}

void run_section_04(Context& ctx) {
    Writer w(ctx, 4, "Mass delete (articles tagged minus)");
    Blog& blog = *w.blog;
    const std::string before = "loop + remove()";
    w.variant(before, [&] {
        std::int64_t n = 0;
        for (const Article& a : blog.articles().filter("tags__name", "minus")) {
            Article copy = a;
            copy.remove();
            ++n;
        }
        return n;
    }, {}, std::nullopt);
    w.variant("QuerySet remove()", [&] { return blog.articles().filter("tags__name", "minus").remove()["article"]; },
              before, 3);
    w.variant("raw", [&] {
#if FOLIO_BENCH_POSTGRESQL
        if (PGconn* pg = raw::pg::connection_of(blog.db())) return raw::pg::delete_articles_tagged(pg, "minus");
#endif
        return raw::delete_articles_tagged(blog.db().handle(), "minus");
    }, {}, std::nullopt);
    ctx.report.add_headline({4, "delete: loop + remove() -> QuerySet remove()", before, "QuerySet remove()"});
}

}  // namespace folio::bench
