// registry_test.cpp: the model registry under first use. Each case must be
// the first code of its process to touch model metadata (function-local
// statics are built once per process), so meson runs this executable once
// per case (--run_test=<case>); run as a whole it still passes, just with
// the metadata already built for all but the first case.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_registry
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

using namespace folio;

namespace {

// A model of the embedding app that points at Article, so a first lookup of
// Article's reverse "notes" needs this model registered by another path.
class Note : public Model<Note> {
public:
    static const ModelMeta& meta();
};

const ModelMeta& Note::meta() {
    static const ModelDefinition<Note> def({
        .name = "Note",
        .table = "note",
        .fields =
            {
                {.name = "id", .column = "id", .type = FieldType::Integer, .primary_key = true},
                {.name = "article", .column = "article_id", .type = FieldType::ForeignKey, .related = &Article::meta,
                 .related_name = "notes"},
                {.name = "text", .column = "text", .type = FieldType::Text, .default_value = ""},
            },
    });
    return def.meta;
}

} // namespace

// The segfault: a nested lookup that finds several reverse
// relations, each found while an earlier one is still in use.
BOOST_AUTO_TEST_CASE(deep_reverse_path_in_a_fresh_process) {
    Blog blog = Blog::open(":memory:");
    BOOST_TEST(blog.authors().filter("articles__tags__articles__author__articles__title", std::string("x")).count() == 0);
    BOOST_TEST(blog.tags().filter("articles__author__articles__tags__articles__title", std::string("x")).count() == 0);
}

// Metadata used before any Blog registered the models, starting from each
// model in turn, without a database schema (filter() and sql() run no SQL).
BOOST_AUTO_TEST_CASE(first_lookup_without_a_blog) {
    Database db(":memory:");
    std::string sql = Article::objects(db).filter("tags__articles__author__articles__title", std::string("x")).sql();
    BOOST_TEST(sql.find("article_tags") != std::string::npos);
    sql = Tag::objects(db).filter("articles__author__username", std::string("x")).sql();
    BOOST_TEST(sql.find("author") != std::string::npos);
    // The user's model is registered once its meta is first built.
    (void)Note::meta();
    sql = Article::objects(db).filter("notes__text", std::string("x")).sql();
    BOOST_TEST(sql.find("\"note\"") != std::string::npos);
}

// Threads released at once, each doing its first lookups from a different
// model (and one building the user's model): no freed memory read (ASan
// build), no deadlock (the meson timeout), and every answer right.
BOOST_AUTO_TEST_CASE(threads_doing_first_lookups_at_once) {
    constexpr int kThreads = 8;
    std::barrier start(kThreads);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                Database db(":memory:");
                start.arrive_and_wait();
                std::string sql;
                switch (t % 4) {
                case 0: sql = Tag::objects(db).filter("articles__author__articles__tags__name", std::string("x")).sql(); break;
                case 1: sql = Author::objects(db).filter("articles__tags__articles__title", std::string("x")).sql(); break;
                case 2: sql = Article::objects(db).filter("author__articles__tags__name", std::string("x")).sql(); break;
                case 3:
                    (void)Note::meta();
                    sql = Article::objects(db).filter("notes__article__tags__articles__notes__text", std::string("x")).sql();
                    break;
                }
                if (sql.find("SELECT") != 0) ++failures;
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    BOOST_TEST(failures.load() == 0);
}

// The same kind, in process (the cache is warm here): reverse relations are
// values, so one taken before many others are looked up stays right.
BOOST_AUTO_TEST_CASE(reverse_relations_are_values) {
    auto articles = find_reverse(Author::meta(), "articles");
    BOOST_REQUIRE(articles.has_value());
    for (int i = 0; i < 100; ++i) (void)find_reverse(Tag::meta(), "name" + std::to_string(i));
    (void)find_reverse(Tag::meta(), "articles");
    BOOST_TEST(articles->source == &Article::meta());
    BOOST_REQUIRE(articles->foreign_key != nullptr);
    BOOST_TEST(articles->foreign_key->name == "author");
    BOOST_TEST(!find_reverse(Author::meta(), "nope").has_value());
}

namespace {
class Wide : public Model<Wide> {
public:
    static const ModelMeta& meta();
};
const ModelMeta& Wide::meta() {
    static const ModelDefinition<Wide> def([] {
        ModelMeta m{.name = "Wide", .table = "wide"};
        m.fields.push_back({.name = "id", .column = "id", .type = FieldType::Integer, .primary_key = true});
        for (std::size_t i = 1; i <= kMaxFields; ++i)
            m.fields.push_back({.name = "f" + std::to_string(i), .column = "f" + std::to_string(i)});
        return m;
    }());
    return def.meta;
}
} // namespace

// An instance keeps one bit per field: a model wider than that is refused
// when declared, by a folio::Error naming it, rather than misbehaving later.
BOOST_AUTO_TEST_CASE(model_with_too_many_fields_is_refused_at_declaration) {
    BOOST_CHECK_EXCEPTION((void)Wide::meta(), Error, [](const Error& e) {
        return std::string(e.what()).find("Wide declares 65 fields") != std::string::npos;
    });
}
