// section_02_m2m_import.cpp: guide §2, mass many-to-many insertion. The
// guide's 2,000 articles with ~3 tags each (of ~100 words) imported three
// ways -- a get_or_create and an add() per tag, one add() per article with
// all its tags, fully bulk (a constant 5 statements) -- and by hand-written
// C-API code as the limit. Each run starts from the same 200 authors.
#include <fmt/format.h>

#include "common.hpp"
#include "sections.hpp"

namespace folio::bench {
namespace {

constexpr int kSection = 2;
constexpr const char* kTitle = "Mass M2M insertion (article import)";

}  // namespace

void run_section_02(Context& ctx) {
    auto authors_only = fresh_blog(ctx, "s2-authors");
    load_authors(*authors_only, 200);
    auto blog = fresh_blog(ctx, "s2");
    Database& db = blog->db();
    const io::GenOptions opts{.authors = 200, .articles = ctx.sizes.s2_articles, .content_bytes = 2000,
                              .tags_per_article = 3, .seed = kSeed};
    std::vector<io::ArticleRecord> records;
    io::for_each_article(opts, [&](io::ArticleRecord&& r, std::size_t) { records.push_back(std::move(r)); });
    std::vector<raw::RawArticle> raws;
    for (const auto& r : records) raws.push_back(to_raw(r));

    // The guide's _import_article: the author by username, save, then tags.
    auto save_article = [&](const io::ArticleRecord& r) {
        Author author = blog->authors().get("username", r.author);
        Article a;
        a.set_title(r.title).set_content(r.content).set_created_at(r.created_at).set_author_id(author.id());
        a.save(db);
        return a;
    };
    auto one_by_one = [&] {
        for (const auto& r : records) {
            Article a = save_article(r);
            for (const auto& t : r.tags) {
                auto [tag, created] = blog->tags().get_or_create(Q("name", t), Tag(t));
                a.tags().add({std::cref(tag)});
            }
        }
    };
    auto per_article = [&] {
        for (const auto& r : records) {
            Article a = save_article(r);
            std::vector<Tag> tags;
            for (const auto& t : r.tags) tags.push_back(blog->tags().get_or_create(Q("name", t), Tag(t)).first);
            a.tags().add(tags);
        }
    };

    auto setup = [&] { restore(*blog, *authors_only); };
    auto variant = [&](std::string name, const std::function<void()>& body, std::string ratio_to,
                       std::optional<std::size_t> at_most) {
        setup();
        const std::size_t stmts = count_statements(db, body);
        if (at_most) ctx.expect_at_most(kSection, name, stmts, *at_most);
        Timing t = time_variant(ctx, setup, body);
        ctx.add(kSection, kTitle, name, stmts, t.median, {}, std::move(ratio_to),
                fmt::format("{}; {} articles", runs_note(t), records.size()));
        return stmts;
    };
    const std::string before = "tags one by one";
    const std::size_t naive = variant(before, one_by_one, {}, std::nullopt);
    // One add() per article saves one statement per tag but one: strictly fewer.
    variant("one add() per article", per_article, before, naive - 1);
    variant("fully bulk", [&] { bulk_import(*blog, records); }, before, 5);
    if (ctx.on_postgresql())
        ctx.add_no_raw(kSection, kTitle);
    else
        variant("raw", [&] { raw::import_articles(db.handle(), raws); }, {}, std::nullopt);
    ctx.report.add_headline({kSection, "import: tags one by one -> fully bulk", before, "fully bulk"});
}

}  // namespace folio::bench
