// A model declared by the embedding app, not the library: Comment, with a
// foreign key to Article (related_name "comments") and its own table made
// with raw SQL. It gets the whole repertoire without library changes.
#include "fixtures.hpp"

using namespace folio;
using namespace folio_test;

namespace {

class Comment : public Model<Comment> {
public:
    enum Field : std::size_t { ID, ARTICLE, BODY, CREATED_AT };
    static const ModelMeta& meta();

    Comment() = default;
    Comment(const Article& article, std::string body, std::string date = "2022-01-01") {
        set_related_object(ARTICLE, article);
        set(BODY, std::move(body));
        set(CREATED_AT, std::move(date));
    }
    std::int64_t id() const { return pk(); }
    const std::string& body() const { return text(BODY); }
    std::int64_t article_id() const { return integer(ARTICLE); }
    const Article& article() const { return static_cast<const Article&>(related_object(ARTICLE)); }
    Comment& set_body(std::string b) {
        set(BODY, std::move(b));
        return *this;
    }
};

const ModelMeta& Comment::meta() {
    static const ModelDefinition<Comment> def({
        .name = "Comment",
        .table = "comment",
        .fields =
            {
                {.name = "id", .column = "id", .type = FieldType::Integer, .primary_key = true},
                {.name = "article", .column = "article_id", .type = FieldType::ForeignKey, .related = &Article::meta,
                 .related_name = "comments"},
                {.name = "body", .column = "body", .type = FieldType::Text, .max_length = 200, .default_value = ""},
                {.name = "created_at", .column = "created_at", .type = FieldType::Date},
            },
    });
    return def.meta;
}

// The typed reverse accessor an app would write: the prefetched comments
// when prefetch_related("comments") ran, else a query.
std::vector<Comment> comments_of(const Article& a) {
    std::vector<Comment> out;
    if (const auto* pre = a.prefetched("comments")) {
        for (const auto& p : *pre) out.push_back(static_cast<const Comment&>(*p));
        return out;
    }
    for (const Comment& c : Comment::objects(*a.database()).filter("article", a.id()).order_by({"id"})) out.push_back(c);
    return out;
}

struct CommentBlog : MemoryBlog {
    Author ann, bob;
    Article a1, a2, a3;
    CommentBlog() {
        register_model<Comment>();
        db().execute_script(R"(
CREATE TABLE "comment" (
    "id" INTEGER PRIMARY KEY,
    "article_id" INTEGER NOT NULL REFERENCES "article" ("id") ON DELETE CASCADE,
    "body" TEXT NOT NULL DEFAULT '',
    "created_at" TEXT NOT NULL
);
CREATE INDEX "comment_article_id" ON "comment" ("article_id");)");
        ann = make_author(db(), "ann");
        bob = make_author(db(), "bob");
        a1 = make_article(db(), ann, "Optimizing Django");
        a2 = make_article(db(), ann, "SQLite tips");
        a3 = make_article(db(), bob, "No comments here");
        for (auto [art, body] : std::vector<std::pair<Article*, std::string>>{
                 {&a1, "great article"}, {&a1, "thanks"}, {&a1, "more please"}, {&a2, "very useful"}}) {
            Comment c(*art, body);
            c.save(db());
        }
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(user_model)

BOOST_FIXTURE_TEST_CASE(save_insert_then_update, CommentBlog) {
    Comment c(a3, "first!");
    QueryCapture q(db());
    c.save(db());
    BOOST_TEST(c.id() > 0);
    c.set_body("edited");
    c.save();
    BOOST_REQUIRE_MESSAGE(q.count() == 2u, dump(q));
    BOOST_TEST(q.queries()[0].sql.rfind("INSERT INTO \"comment\"", 0) == 0u);
    BOOST_TEST(q.queries()[1].sql.rfind("UPDATE \"comment\"", 0) == 0u);
    Comment loaded = Comment::objects(db()).get("id", c.id());
    BOOST_TEST(loaded.body() == "edited");
    BOOST_TEST(loaded.article_id() == a3.id());
    BOOST_TEST(loaded.meta().name == "Comment");
}

BOOST_FIXTURE_TEST_CASE(its_own_field_rules_are_checked, CommentBlog) {
    Comment c(a1, std::string(201, 'x'));
    std::string msg = message_of<ValidationError>([&] { c.save(db()); });
    BOOST_TEST(contains(msg, "Comment"), msg);
    BOOST_TEST(contains(msg, "body"), msg);
    Comment d(a1, "ok", "2022-13-01");
    std::string date = message_of<ValidationError>([&] { d.save(db()); });
    BOOST_TEST(contains(date, "Comment.created_at"), date);
    std::string bad = message_of<InvalidQuery>([&] { Comment::objects(db()).filter("bdy", "x"); });
    BOOST_TEST(contains(bad, "bdy"), bad);
    BOOST_TEST(contains(bad, "Comment"), bad);
    BOOST_TEST(Comment::objects(db()).count() == 4);
}

BOOST_FIXTURE_TEST_CASE(filter_across_the_foreign_key, CommentBlog) {
    auto qs = Comment::objects(db()).filter("article__title", "Optimizing Django");
    BOOST_TEST(qs.count() == 3);
    BOOST_TEST(Comment::objects(db()).filter("article__author__username", "ann").count() == 4);
    BOOST_TEST(Comment::objects(db()).filter("article__author__username", "bob").count() == 0);
    BOOST_TEST(Comment::objects(db()).filter("body__contains", "use").get().article_id() == a2.id());
}

BOOST_FIXTURE_TEST_CASE(select_related_two_levels, CommentBlog) {
    QueryCapture q(db());
    auto qs = Comment::objects(db()).select_related({"article__author"}).order_by({"id"});
    std::vector<std::string> seen;
    for (const Comment& c : qs) seen.push_back(c.article().author().username() + ":" + c.article().title());
    BOOST_TEST(q.count() == 1u, "select_related did not avoid the lazy loads: " << dump(q));
    const std::vector<std::string> expected = {"ann:Optimizing Django", "ann:Optimizing Django",
                                               "ann:Optimizing Django", "ann:SQLite tips"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
    // Without it: one query per lazy load (the N+1 pattern the guide warns about).
    q.clear();
    for (const Comment& c : Comment::objects(db())) (void)c.article().author().username();
    BOOST_TEST(q.count() == 1u + 4u + 4u);
}

BOOST_FIXTURE_TEST_CASE(reverse_lookup_from_article, CommentBlog) {
    auto qs = blog.articles().filter("comments__body__contains", "useful");
    BOOST_REQUIRE(qs.size() == 1u);
    BOOST_TEST(qs[0].id() == a2.id());
    auto great = blog.articles().filter("comments__body__contains", "great");
    BOOST_REQUIRE(great.size() == 1u);
    BOOST_TEST(great[0].title() == "Optimizing Django");
    BOOST_TEST(blog.articles().filter("comments__body__contains", "nobody wrote this").count() == 0);
    BOOST_TEST(blog.authors().filter("articles__comments__body", "thanks").get().username() == "ann");
    auto with_comments = comments_of(blog.articles().get("id", a1.id()));
    BOOST_TEST(with_comments.size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(prefetch_related_reverse_set, CommentBlog) {
    QueryCapture q(db());
    auto arts = blog.articles().prefetch_related({"comments"}).order_by({"id"});
    std::vector<std::size_t> sizes;
    std::vector<std::string> firsts;
    for (const Article& a : arts) {
        const auto* pre = a.prefetched("comments");
        BOOST_REQUIRE_MESSAGE(pre != nullptr, "comments were not prefetched on article " << a.id());
        auto cs = comments_of(a);
        sizes.push_back(cs.size());
        if (!cs.empty()) firsts.push_back(cs.front().body());
        for (const Comment& c : cs) BOOST_TEST(c.article_id() == a.id());
    }
    BOOST_TEST(q.count() == 2u, "prefetch_related should cost one extra query: " << dump(q));
    BOOST_TEST((sizes == std::vector<std::size_t>{3, 1, 0}));
    BOOST_TEST(firsts.size() == 2u);
    // Without the prefetch there is nothing attached and the accessor queries.
    Article plain = blog.articles().get("id", a1.id());
    BOOST_TEST(plain.prefetched("comments") == nullptr);
    q.clear();
    BOOST_TEST(comments_of(plain).size() == 3u);
    BOOST_TEST(q.count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(queryset_update_and_remove, CommentBlog) {
    BOOST_TEST(Comment::objects(db()).filter("article", a1.id()).update({{"body", "moderated"}}) == 3);
    BOOST_TEST(Comment::objects(db()).filter("body", "moderated").count() == 3);
    auto counts = Comment::objects(db()).filter("article__title", "SQLite tips").remove();
    BOOST_TEST(counts["comment"] == 1);
    BOOST_TEST(Comment::objects(db()).count() == 3);
    // The database cascades when the article goes.
    Article(a1).remove();
    BOOST_TEST(Comment::objects(db()).count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
