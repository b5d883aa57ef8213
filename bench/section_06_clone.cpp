// section_06_clone.cpp: guide §6, cloning an article. Copying the author
// through origin.author() loads the author row (one more SELECT); copying
// origin.author_id() does not. The limit is one hand-written
// INSERT ... SELECT, prepared once. Times are per clone, from loops of 100.
#include <fmt/format.h>

#include "common.hpp"
#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif
#include "raw_detail.hpp"
#include "sections.hpp"

namespace folio::bench {
namespace {

constexpr int kSection = 6;
constexpr const char* kTitle = "Foreign keys: clone an article";
constexpr int kClones = 100;

Article clone_of(const Article& origin) {
    Article clone;
    clone.set_title(origin.title() + " (COPY)").set_content(origin.content()).set_created_at(origin.created_at());
    return clone;
}

}  // namespace

void run_section_06(Context& ctx) {
    // Clones add rows, so they go to a copy of the imported data set.
    auto blog = fresh_blog(ctx, "s6");
    restore(*blog, dataset(ctx, "imported"));
    Database& db = blog->db();
    const std::int64_t id = blog->articles().order_by({"id"}).first()->id();

    auto through_author = [&] {
        Article origin = blog->articles().get("id", id);
        Article clone = clone_of(origin);
        clone.set_author(origin.author());
        clone.save(db);
    };
    auto through_author_id = [&] {
        Article origin = blog->articles().get("id", id);
        Article clone = clone_of(origin);
        clone.set_author_id(origin.author_id());
        clone.save(db);
    };
    raw::Stmt insert;
    if (db.handle())
        insert = raw::prepare(db.handle(),
                              "INSERT INTO article(title,content,created_at,author_id,comments_on)"
                              " SELECT title || ' (COPY)', content, created_at, author_id, comments_on"
                              " FROM article WHERE id = ?1");
    auto raw_clone = [&] {
#if FOLIO_BENCH_POSTGRESQL
        if (PGconn* pg = raw::pg::connection_of(db)) {
            raw::pg::clone_article_row(pg, id);
            return;
        }
#endif
        raw::detail::bind_int(insert.get(), 1, id);
        raw::detail::step_done(insert.get());
    };

    auto variant = [&](std::string name, const std::function<void()>& one, std::string ratio_to,
                       std::optional<std::size_t> at_most) {
        const std::size_t stmts = count_statements(db, one);
        if (at_most) ctx.expect_at_most(kSection, name, stmts, *at_most);
        // One transaction per run, rolled back: the commits (and the WAL
        // checkpoints they trigger) would otherwise swamp one SELECT more or
        // less, and the data set stays the same for every run.
        Timing t = time_variant(ctx, {}, [&] {
            Transaction tx(db);
            for (int i = 0; i < kClones; ++i) one();
        });
        ctx.add(kSection, kTitle, std::move(name), stmts, t.median / kClones, {}, std::move(ratio_to),
                fmt::format("{} of {} clones in a rolled-back transaction; per clone", runs_note(t), kClones));
    };
    const std::string before = "through author()";
    variant(before, through_author, {}, std::nullopt);
    variant("through author_id", through_author_id, before, 2);
    variant("raw", raw_clone, {}, std::nullopt);  // one INSERT ... SELECT
    ctx.report.add_headline({kSection, "clone: author() -> author_id", before, "through author_id"});
}

}  // namespace folio::bench
