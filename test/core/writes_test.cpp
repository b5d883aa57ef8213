// Write paths keep the model's promises: bulk_create ids (explicit ids first,
// ids from RETURNING), one set of field rules for save, update, bulk_create
// and get_or_create_many, articles_count written only by the database or an
// explicit F() update, and integer overflow refused with nothing changed.
#include "fixtures.hpp"
#include "support/backend_only.hpp"

#include <cstdint>
#include <limits>
#include <set>

using namespace folio;
using namespace folio_test;

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

Author with_id(Author a, std::int64_t id) {
    a.set(Author::ID, Value(id));
    return a;
}

// Every object's id names the row holding its username, and the ids are distinct.
void check_ids_match_rows(Database& db, const std::vector<Author>& authors) {
    std::set<std::int64_t> ids;
    for (const Author& a : authors) {
        BOOST_TEST_CONTEXT("author " << a.username() << " with id " << a.id()) {
            BOOST_TEST(a.id() != 0);
            BOOST_TEST(db.scalar("SELECT username FROM author WHERE id = ?", {a.id()}) == Value(a.username()));
            ids.insert(a.id());
        }
    }
    BOOST_TEST(ids.size() == authors.size());
    BOOST_TEST(count_rows(db, "author") == static_cast<std::int64_t>(authors.size()));
}

// One row of the article table, to show a refused write changed nothing.
std::vector<Value> article_row(Database& db, std::int64_t id) {
    Statement st = db.prepare("SELECT title, content, created_at, author_id, comments_on FROM article WHERE id = ?");
    st.bind(1, id);
    BOOST_REQUIRE(st.step());
    std::vector<Value> row;
    for (int i = 0; i < 5; ++i) row.push_back(st.column(i));
    return row;
}

} // namespace

namespace {
// Every articles_count is stored as an integer (SQLite's typeof(); a
// PostgreSQL bigint column holds nothing else).
bool stored_as_integers(Database& db) {
    return on_postgresql() ||
           db.scalar("SELECT COUNT(*) FROM author WHERE typeof(articles_count) <> 'integer'") == Value(0);
}
} // namespace

BOOST_AUTO_TEST_SUITE(writes)

// ---- 1, 2: bulk_create ids ----

BOOST_FIXTURE_TEST_CASE(bulk_create_inserts_objects_with_ids_first, BackendBlog) {
    std::vector<Author> authors{Author("new", "", ""), with_id(Author("old", "", ""), 1)};
    QueryCapture q(db());
    blog.authors().bulk_create(authors);
    BOOST_TEST(q.count() == 2u);  // one INSERT per group: with ids, then without
    BOOST_TEST(authors[0].id() == 2);
    BOOST_TEST(authors[1].id() == 1);
    check_ids_match_rows(db(), authors);
}

BOOST_FIXTURE_TEST_CASE(bulk_create_mixed_ids_in_several_batches, BackendBlog) {
    std::vector<Author> authors;
    for (int i = 0; i < 7; ++i) {
        Author a("u" + std::to_string(i), "", "");
        authors.push_back(i % 3 == 1 ? with_id(std::move(a), 100 - i) : std::move(a));
    }
    blog.authors().bulk_create(authors, {.batch_size = 2});
    check_ids_match_rows(db(), authors);
    BOOST_TEST(authors[1].id() == 99);
    BOOST_TEST(authors[4].id() == 96);
    // The others come after the largest explicit id, in order.
    BOOST_TEST(authors[0].id() == 100);
    BOOST_TEST(authors[6].id() == 104);
}

BOOST_FIXTURE_TEST_CASE(bulk_create_ids_are_the_rows_sqlite_picked_past_the_largest_id, BackendBlog,
                        *sqlite_only("a row at id 2^63-1: SQLite then picks free ids below it at random; a PostgreSQL "
                                     "sequence has no id past it (nextval fails once moved there)")) {
    // With a row at 2^63-1, SQLite picks free ids at random: they can only
    // be read back, never computed from last_insert_rowid().
    with_id(Author("top", "", ""), kMax).save(db());
    std::vector<Author> authors;
    for (int i = 0; i < 5; ++i) authors.emplace_back("u" + std::to_string(i), "", "");
    blog.authors().bulk_create(authors);
    authors.push_back(blog.authors().get("id", kMax));
    check_ids_match_rows(db(), authors);
}

BOOST_FIXTURE_TEST_CASE(save_takes_its_id_from_the_row_past_the_largest_id, BackendBlog,
                        *sqlite_only("a row at id 2^63-1: SQLite then picks free ids below it at random; a PostgreSQL "
                                     "sequence has no id past it (nextval fails once moved there)")) {
    with_id(Author("top", "", ""), kMax).save(db());
    std::vector<Author> authors{blog.authors().get("id", kMax)};
    for (int i = 0; i < 3; ++i) authors.push_back(make_author(db(), "u" + std::to_string(i)));
    check_ids_match_rows(db(), authors);
}

// The kind on both backends: rows written with their ids by save() and by
// bulk_create, then rows without: the automatic ids pass the largest explicit
// one and never go back below an id already handed out (on PostgreSQL the
// same INSERT moves the identity sequence, one statement as on SQLite).
BOOST_FIXTURE_TEST_CASE(automatic_ids_pass_explicit_ones_written_before, BackendBlog) {
    std::vector<Author> authors;
    for (int i = 0; i < 3; ++i) authors.push_back(make_author(db(), "auto" + std::to_string(i)));  // ids 1, 2, 3
    {
        QueryCapture q(db());
        Author ten = with_id(Author("ten", "", ""), 10);
        ten.save(db());
        BOOST_TEST(q.count() == 2u);  // the UPDATE that finds no row, then one INSERT
        authors.push_back(ten);
    }
    authors.push_back(make_author(db(), "after_ten"));
    BOOST_TEST(authors.back().id() == 11);
    // A lower explicit id does not move the next automatic one back.
    std::vector<Author> more{with_id(Author("five", "", ""), 5), Author("after_five", "", "")};
    {
        QueryCapture q(db());
        blog.authors().bulk_create(more);
        BOOST_TEST(q.count() == 2u);
    }
    BOOST_TEST(more[0].id() == 5);
    BOOST_TEST(more[1].id() == 12);
    authors.insert(authors.end(), more.begin(), more.end());
    authors.push_back(make_author(db(), "last"));
    BOOST_TEST(authors.back().id() == 13);
    check_ids_match_rows(db(), authors);
}

// Past the tuning floor (~8 MB of rows) SQLite's bulk_create numbers the
// rows without ids itself (one SELECT max(id), then INSERTs without
// RETURNING): the ids, the objects and the rows must be what RETURNING
// would have given, and the same on PostgreSQL, whose ids come from its
// sequence. `n` authors with a 10 KB bio each (~20 KB of estimated load).
std::vector<Author> big_authors(int n, const std::string& prefix) {
    std::vector<Author> out;
    for (int i = 0; i < n; ++i) {
        Author a(prefix + std::to_string(i), "", std::string(10'000, 'b'));
        a.set(Author::ARTICLES_COUNT, Value(9));  // never written: the column's DEFAULT 0 is stored
        out.push_back(std::move(a));
    }
    return out;
}

BOOST_FIXTURE_TEST_CASE(a_big_bulk_create_gives_the_ids_the_database_would, BackendBlog) {
    std::vector<Author> authors{make_author(db(), "first"), with_id(Author("forty", "", ""), 40)};
    authors.back().save(db());
    std::vector<Author> big = big_authors(450, "big");
    big[7] = with_id(std::move(big[7]), 1000);  // with its id: written first, the others pass it
    big[300] = with_id(std::move(big[300]), 30);
    QueryCapture q(db());
    blog.authors().bulk_create(big, {.batch_size = 100});
    // The others, in order, from the largest id + 1.
    std::int64_t next = 1001;
    for (std::size_t i = 0; i < big.size(); ++i) {
        if (i == 7 || i == 300) continue;
        BOOST_TEST_CONTEXT("object " << i) {
            BOOST_TEST(big[i].id() == next++);
            BOOST_TEST(big[i].articles_count() == 0);
        }
    }
    BOOST_TEST(big[7].id() == 1000);
    BOOST_TEST(big[300].id() == 30);
    std::size_t max_selects = 0, returning = 0, inserts = 0;
    for (const LoggedStatement& s : q.queries()) {
        if (s.sql.starts_with("SELECT max(")) ++max_selects;
        if (s.sql.find("INSERT INTO") != std::string::npos) ++inserts;  // PostgreSQL's keyed rows: WITH ... INSERT
        if (s.sql.find("RETURNING") != std::string::npos) ++returning;
    }
    BOOST_TEST(inserts == 6u);  // the 2 with ids in one batch, 448 in 5 of 100 at most
    // SQLite: one SELECT, and RETURNING only for the rows that carried ids.
    BOOST_TEST(max_selects == (on_postgresql() ? 0u : 1u));
    BOOST_TEST(returning == (on_postgresql() ? 6u : 1u));
    authors.insert(authors.end(), big.begin(), big.end());
    authors.push_back(make_author(db(), "after"));
    BOOST_TEST(authors.back().id() == next);
    check_ids_match_rows(db(), authors);
    for (const Author& a : big) BOOST_TEST(stored_articles_count(db(), a.id()) == 0);
    BOOST_TEST(stored_as_integers(db()));
}

BOOST_FIXTURE_TEST_CASE(a_big_bulk_create_past_the_largest_possible_id_reads_its_ids_back, BackendBlog,
                        *sqlite_only("a row at id 2^63-1: SQLite then picks free ids below it at random; a PostgreSQL "
                                     "sequence has no id past it (nextval fails once moved there)")) {
    // No id past 2^63-1 to number from: the ids SQLite picks at random are
    // read back with RETURNING, as for a small load.
    with_id(Author("top", "", ""), kMax).save(db());
    std::vector<Author> authors = big_authors(450, "big");
    blog.authors().bulk_create(authors, {.batch_size = 100});
    authors.push_back(blog.authors().get("id", kMax));
    check_ids_match_rows(db(), authors);
}

BOOST_FIXTURE_TEST_CASE(a_big_bulk_create_after_negative_ids_reads_its_ids_back, BackendBlog,
                        *sqlite_only("SQLite numbers from a negative largest id (-999, -998, ...); a PostgreSQL "
                                     "sequence starts at 1 whatever the table holds")) {
    // The largest id is negative: SQLite's next ids are -999, -998, ...,
    // which folio does not number itself (one of them could be 0, an unsaved
    // object's id); they are read back with RETURNING.
    std::vector<Author> authors{with_id(Author("minus two", "", ""), -2000), with_id(Author("minus one", "", ""), -1000)};
    for (Author& a : authors) a.save(db());
    std::vector<Author> big = big_authors(450, "big");
    blog.authors().bulk_create(big, {.batch_size = 100});
    BOOST_TEST(big.front().id() == -999);
    BOOST_TEST(big.back().id() == -550);
    authors.insert(authors.end(), big.begin(), big.end());
    check_ids_match_rows(db(), authors);
}

BOOST_FIXTURE_TEST_CASE(bulk_create_with_a_taken_id_writes_nothing, BackendBlog) {
    make_author(db(), "ann");
    std::vector<Author> authors{Author("a", "", ""), Author("b", "", ""), with_id(Author("c", "", ""), 1)};
    BOOST_CHECK_THROW(blog.authors().bulk_create(authors), IntegrityError);
    BOOST_TEST(count_rows(db(), "author") == 1);
}

// ---- 5: articles_count ----

BOOST_FIXTURE_TEST_CASE(a_stale_copy_cannot_overwrite_articles_count, BackendBlog) {
    Author ann = make_author(db(), "ann");
    make_article(db(), ann, "one");
    BOOST_TEST(ann.articles_count() == 0);  // stale: the trigger counted 1
    ann.set_bio("new bio");
    std::string msg = message_of<InvalidQuery>([&] { ann.save({.update_fields = {"bio", "articles_count"}}); });
    BOOST_TEST(contains(msg, "Author.articles_count"), msg);
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 1);
    BOOST_TEST(db().scalar("SELECT bio FROM author WHERE id = ?", {ann.id()}) == Value("bio of ann"));
    ann.save();  // every other field: the count is not among them
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 1);
    ann.save({.update_fields = {"bio"}});
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 1);
}

BOOST_FIXTURE_TEST_CASE(inserts_never_write_articles_count_and_read_it_back, BackendBlog) {
    Author one("one", "", "");
    one.set(Author::ARTICLES_COUNT, Value(7));
    one.save(db());
    BOOST_TEST(stored_articles_count(db(), one.id()) == 0);
    BOOST_TEST(one.articles_count() == 0);  // RETURNING gave the stored value

    std::vector<Author> many{Author("a", "", ""), with_id(Author("b", "", ""), 50)};
    for (Author& a : many) a.set(Author::ARTICLES_COUNT, Value(9));
    blog.authors().bulk_create(many);
    for (const Author& a : many) {
        BOOST_TEST(stored_articles_count(db(), a.id()) == 0);
        BOOST_TEST(a.articles_count() == 0);
    }
    check_articles_counts(db());
}

BOOST_FIXTURE_TEST_CASE(update_sets_articles_count_only_with_an_expression, BackendBlog) {
    Author ann = make_author(db(), "ann");
    make_article(db(), ann, "one");
    std::string msg = message_of<InvalidQuery>([&] { blog.authors().update({{"articles_count", 0}}); });
    BOOST_TEST(contains(msg, "Author.articles_count"), msg);
    BOOST_TEST(contains(msg, "F()"), msg);
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 1);
    BOOST_CHECK_THROW(blog.authors().update({{"bio", "x"}, {"articles_count", Value()}}), InvalidQuery);
    BOOST_TEST(db().scalar("SELECT bio FROM author").as_text() == "bio of ann");
    BOOST_CHECK_THROW(blog.authors().get_or_create_many("articles_count", {Value(1)}), InvalidQuery);
    // The documented way: an explicit F() expression.
    BOOST_TEST(blog.authors().update({{"articles_count", F("articles_count") + 2}}) == 1);
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 3);
}

// ---- 4, 8: one set of field rules on every write path ----

BOOST_FIXTURE_TEST_CASE(update_validates_values_like_save_and_filter, BackendBlog) {
    Author ann = make_author(db(), "ann");
    Article art = make_article(db(), ann, "one", "2023-02-01");
    const std::vector<Value> before = article_row(db(), art.id());
    // filter() refuses the impossible day; update() must refuse it too.
    BOOST_CHECK_THROW(blog.articles().filter("created_at", "2023-02-30"), InvalidQuery);
    struct Case {
        const char* field;
        Value value;
        const char* named;
    };
    const std::vector<Case> cases{
        {"created_at", "2023-02-30", "Article.created_at"},
        {"created_at", "2023-2-1", "Article.created_at"},
        {"created_at", Value(20230201), "Article.created_at"},
        {"comments_on", 7, "Article.comments_on"},
        {"comments_on", "yes", "Article.comments_on"},
        {"title", "", "Article.title"},
        {"title", std::string(65, 'x'), "Article.title"},
        {"title", Value(), "Article.title"},
        {"title", 3, "Article.title"},
        {"author", "ann", "Article.author"},
        {"content", Value(), "Article.content"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT("update " << c.field << " = " << c.value.repr()) {
            std::string msg = message_of<ValidationError>([&] { blog.articles().update({{c.field, c.value}}); });
            BOOST_TEST(contains(msg, c.named), msg);
            BOOST_TEST(contains(msg, c.value.repr(40)), msg);
            BOOST_TEST(article_row(db(), art.id()) == before, boost::test_tools::per_element());
        }
    }
    for (const auto& c : std::vector<std::pair<const char*, Value>>{
             {"username", ""}, {"username", std::string(65, 'u')}, {"email", "not-an-email"}, {"bio", Value()}}) {
        const char* field = c.first;
        const Value& value = c.second;
        BOOST_TEST_CONTEXT("update author " << field << " = " << value.repr()) {
            std::string msg = message_of<ValidationError>([&] { blog.authors().update({{field, value}}); });
            BOOST_TEST(contains(msg, std::string("Author.") + field), msg);
        }
    }
    BOOST_TEST(blog.authors().get("id", ann.id()).username() == "ann");
    // Valid values still go through.
    BOOST_TEST(blog.articles().update({{"created_at", "2024-02-29"}, {"comments_on", false}}) == 1);
    BOOST_TEST(blog.authors().update({{"bio", ""}, {"email", ""}}) == 1);
}

BOOST_FIXTURE_TEST_CASE(blank_names_are_refused_on_every_write_path, BackendBlog) {
    Author ann = make_author(db(), "ann");
    auto blank = [](const std::string& msg, const char* field) {
        BOOST_TEST(contains(msg, field), msg);
        BOOST_TEST(contains(msg, "cannot be blank"), msg);
    };
    blank(message_of<ValidationError>([&] { Author("", "", "").save(db()); }), "Author.username");
    blank(message_of<ValidationError>([&] { Tag("").save(db()); }), "Tag.name");
    blank(message_of<ValidationError>([&] {
              Article a;
              a.set_title("").set_created_at("2020-01-01").set_author_id(ann.id());
              a.save(db());
          }),
          "Article.title");
    std::vector<Author> authors{Author("fine", "", ""), Author("", "", "")};
    blank(message_of<ValidationError>([&] { blog.authors().bulk_create(authors); }), "Author.username");
    blank(message_of<ValidationError>([&] { blog.tags().get_or_create_many("name", {Value("ok"), Value("")}); }),
          "Tag.name");
    blank(message_of<ValidationError>([&] { blog.tags().get_or_create(Q("name", ""), Tag("")); }), "Tag.name");
    blank(message_of<ValidationError>([&] { blog.authors().update({{"username", ""}}); }), "Author.username");
    BOOST_TEST(count_rows(db(), "author") == 1);
    BOOST_TEST(count_rows(db(), "tag") == 0);
    BOOST_TEST(count_rows(db(), "article") == 0);
    // blank=False means "" only, as in Django; other text fields may be empty.
    Author spaces(" ", "", "");
    spaces.save(db());
    BOOST_TEST(spaces.id() != 0);
    Author no_bio("nobio", "", "");
    no_bio.save(db());
    BOOST_TEST(no_bio.id() != 0);
}

BOOST_FIXTURE_TEST_CASE(text_that_is_not_utf8_is_refused_on_every_write_path, BackendBlog) {
    // filter() refuses such text, so a row holding it could never be looked
    // up again: every write refuses it too, whatever the field and list size.
    Author ann = make_author(db(), "ann");
    const std::string bad = std::string("bad") + '\xff' + '\xfe';   // not UTF-8
    const std::string cut = std::string("caf") + '\xc3';              // a sequence cut short
    auto refused = [](const std::string& msg, const char* field) {
        BOOST_TEST(contains(msg, field), msg);
        BOOST_TEST(contains(msg, "not valid UTF-8"), msg);
    };
    refused(message_of<ValidationError>([&] { Author(bad, "", "").save(db()); }), "Author.username");
    refused(message_of<ValidationError>([&] { Author("bo", "", cut).save(db()); }), "Author.bio");
    refused(message_of<ValidationError>([&] { Tag(bad).save(db()); }), "Tag.name");
    refused(message_of<ValidationError>([&] {
                Article a;
                a.set_title("t").set_content(cut).set_created_at("2020-01-01").set_author_id(ann.id());
                a.save(db());
            }),
            "Article.content");
    std::vector<Author> authors{Author("fine", "", ""), Author(cut, "", "")};
    refused(message_of<ValidationError>([&] { blog.authors().bulk_create(authors); }), "Author.username");
    refused(message_of<ValidationError>([&] { blog.authors().update({{"bio", bad}}); }), "Author.bio");
    for (const std::size_t n : {std::size_t{1}, std::size_t{4}, std::size_t{300}}) {
        std::vector<Value> names;
        for (std::size_t i = 0; i + 1 < n; ++i) names.emplace_back("tag" + std::to_string(i));
        names.emplace_back(bad);
        refused(message_of<ValidationError>([&] { blog.tags().get_or_create_many("name", names); }), "Tag.name");
    }
    BOOST_TEST(count_rows(db(), "author") == 1);
    BOOST_TEST(count_rows(db(), "tag") == 0);
    BOOST_TEST(count_rows(db(), "article") == 0);
    BOOST_TEST(blog.authors().get("username", "ann").bio() == "bio of ann");
    // Any UTF-8 still goes through.
    Author utf8("\xc3\xa9t\xc3\xa9", "", "\xf0\x9f\x93\x9d");
    utf8.save(db());
    BOOST_TEST(blog.authors().get("username", "\xc3\xa9t\xc3\xa9").bio() == "\xf0\x9f\x93\x9d");
}

BOOST_FIXTURE_TEST_CASE(u0000_is_refused_on_every_write_path_and_in_filters, BackendBlog) {
    // Django's ProhibitNullCharactersValidator, on every backend alike:
    // PostgreSQL's text cannot hold U+0000 and SQLite's json_each (which
    // carries lists past 256 values) ends a string there.
    Author ann = make_author(db(), "ann");
    const std::string nul = std::string("a") + '\0' + "b";
    auto refused = [](const std::string& msg, const char* field) {
        BOOST_TEST(contains(msg, field), msg);
        BOOST_TEST(contains(msg, "U+0000"), msg);
    };
    refused(message_of<ValidationError>([&] { Author(nul, "", "").save(db()); }), "Author.username");
    refused(message_of<ValidationError>([&] { Author("bo", "", nul).save(db()); }), "Author.bio");
    refused(message_of<ValidationError>([&] { Tag(nul).save(db()); }), "Tag.name");
    // A date is named for it too, not quoted up to it.
    refused(message_of<ValidationError>([&] {
                Article a;
                a.set_title("t").set_content("c").set_created_at(std::string("2011-01-01") + '\0' + "x");
                a.set_author_id(ann.id());
                a.save(db());
            }),
            "Article.created_at");
    std::vector<Author> authors{Author("fine", "", ""), Author(nul, "", "")};
    refused(message_of<ValidationError>([&] { blog.authors().bulk_create(authors); }), "Author.username");
    refused(message_of<ValidationError>([&] { blog.authors().update({{"bio", nul}}); }), "Author.bio");
    for (const std::size_t n : {std::size_t{1}, std::size_t{4}, std::size_t{300}}) {
        std::vector<Value> names;
        for (std::size_t i = 0; i + 1 < n; ++i) names.emplace_back("tag" + std::to_string(i));
        names.emplace_back(nul);
        refused(message_of<ValidationError>([&] { blog.tags().get_or_create_many("name", names); }), "Tag.name");
        // A filter value with one could match nothing stored, and past 256
        // values SQLite would match its prefix "a": refused before any query.
        refused(message_of<ValidationError>([&] { (void)blog.tags().filter("name__in", names).count(); }),
                "Tag.name");
    }
    refused(message_of<ValidationError>([&] { (void)blog.authors().filter("username", nul).exists(); }),
            "Author.username");
    refused(message_of<ValidationError>([&] { (void)blog.authors().get("username", nul); }), "Author.username");
    BOOST_TEST(count_rows(db(), "author") == 1);
    BOOST_TEST(count_rows(db(), "tag") == 0);
    BOOST_TEST(blog.authors().get("username", "ann").bio() == "bio of ann");
}

BOOST_FIXTURE_TEST_CASE(the_importer_refuses_blank_names_with_the_same_rule, SharedBackendBlog) {
    const std::string authors = dir.file("authors.json"), articles = dir.file("articles.json");
    std::ofstream(authors) << R"([{"username": "", "email": "", "bio": ""},
                                  {"username": "ok", "email": "", "bio": ""}])";
    std::ofstream(articles) << R"([
        {"title": "", "content": "", "created_at": "2020-01-01", "author": "ok", "tags": []},
        {"title": "t", "content": "", "created_at": "2020-01-01", "author": "ok", "tags": ["x", ""]},
        {"title": "fine", "content": "", "created_at": "2020-01-01", "author": "ok", "tags": ["x"]}])";
    ImportOptions options;
    options.skip_invalid = true;
    ImportReport a = import_authors(blog, authors, options);
    BOOST_TEST(a.imported == 1u);
    BOOST_REQUIRE(a.rejected.size() == 1u);
    BOOST_TEST(contains(a.rejected[0].error, "cannot be blank"), a.rejected[0].error);
    for (bool naive : {false, true}) {
        BOOST_TEST_CONTEXT("naive " << naive) {
            options.naive = naive;
            ImportReport r = import_articles(blog, articles, options);
            BOOST_TEST(r.imported == 1u);
            BOOST_REQUIRE(r.rejected.size() == 2u);
            for (const auto& rej : r.rejected) BOOST_TEST(contains(rej.error, "cannot be blank"), rej.error);
        }
    }
    BOOST_TEST(db().scalar("SELECT COUNT(*) FROM tag WHERE name = ''") == Value(0));
    BOOST_TEST(db().scalar("SELECT COUNT(*) FROM article WHERE title = ''") == Value(0));
}

// ---- 6: integer overflow ----

BOOST_FIXTURE_TEST_CASE(overflow_in_an_f_update_raises_and_changes_nothing, BackendBlog) {
    Author top = make_author(db(), "top");
    Author low = make_author(db(), "low");
    BOOST_TEST(blog.authors().filter("id", top.id()).update({{"articles_count", F("articles_count") + kMax}}) == 1);
    BOOST_TEST(stored_articles_count(db(), top.id()) == kMax);
    for (const Expr& e : {F("articles_count") + 1, F("articles_count") * 2, F("articles_count") - (-1),
                          F("id") + kMax}) {
        BOOST_TEST_CONTEXT("articles_count = " << e.field << " " << e.op << " " << e.operand.repr()) {
            std::string msg = message_of<DataError>([&] { blog.authors().update({{"articles_count", e}}); });
            BOOST_TEST(contains(msg, "integer overflow"), msg);
            BOOST_TEST(contains(msg, "Author"), msg);
            // The whole statement was undone: the row that did not overflow too.
            BOOST_TEST(stored_articles_count(db(), top.id()) == kMax);
            BOOST_TEST(stored_articles_count(db(), low.id()) == 0);
            BOOST_TEST(stored_as_integers(db()));
        }
    }
    // Downwards too.
    BOOST_TEST(blog.authors().filter("id", low.id()).update({{"articles_count", F("articles_count") - kMax}}) == 1);
    BOOST_TEST(blog.authors().filter("id", low.id()).update({{"articles_count", F("articles_count") - 1}}) == 1);
    BOOST_TEST(stored_articles_count(db(), low.id()) == kMin);
    BOOST_CHECK_THROW(blog.authors().update({{"articles_count", F("articles_count") - 1}}), DataError);
    BOOST_CHECK_THROW(blog.authors().filter("id", low.id()).update({{"articles_count", F("articles_count") / -1}}),
                      DataError);
    BOOST_TEST(stored_articles_count(db(), low.id()) == kMin);
    // The rows stay readable as integers.
    BOOST_TEST(blog.authors().get("id", top.id()).articles_count() == kMax);
    BOOST_TEST(blog.authors().get("id", low.id()).articles_count() == kMin);
}

// The triggers that keep articles_count (migration 0006) refuse to count past
// 64 bits the way an F() update does: every write path that moves the count
// (save, bulk_create, raw SQL, moving an article, deleting one) raises
// DataError naming Author.articles_count and the value, and changes nothing.
BOOST_FIXTURE_TEST_CASE(counting_triggers_refuse_to_overflow_and_change_nothing, BackendBlog) {
    Author top = make_author(db(), "top");
    Author low = make_author(db(), "low");
    Author mid = make_author(db(), "mid");
    Article kept = make_article(db(), low, "kept");
    Article moving = make_article(db(), low, "moving");
    BOOST_TEST(blog.authors().filter("id", top.id()).update({{"articles_count", F("articles_count") + kMax}}) == 1);
    const std::int64_t articles = count_rows(db(), "article");
    auto unchanged = [&] {
        BOOST_TEST(stored_articles_count(db(), top.id()) == kMax);
        BOOST_TEST(count_rows(db(), "article") == articles);
        BOOST_TEST(blog.articles().filter("author", top.id()).count() == 0);
        BOOST_TEST(stored_as_integers(db()));
    };
    auto refused = [&](const std::function<void()>& write, const std::string& value) {
        const std::string msg = message_of<DataError>(write);
        BOOST_TEST(contains(msg, "integer overflow"), msg);
        BOOST_TEST(contains(msg, "Author.articles_count"), msg);
        BOOST_TEST(contains(msg, value), msg);
        unchanged();
    };
    const std::string max = std::to_string(kMax), min = std::to_string(kMin);
    BOOST_TEST_CONTEXT("save()") {
        refused([&] { make_article(db(), top, "one too many"); }, max);
    }
    BOOST_TEST_CONTEXT("bulk_create()") {
        std::vector<Article> batch(3);
        for (auto& a : batch) a.set_title("bulk").set_created_at("2020-01-01").set_author_id(top.id());
        refused([&] { blog.articles().bulk_create(batch); }, max);
    }
    BOOST_TEST_CONTEXT("raw INSERT") {
        refused([&] {
            db().execute("INSERT INTO article (title, created_at, author_id) VALUES ('raw', '2020-01-01', ?)",
                         {top.id()});
        }, max);
    }
    BOOST_TEST_CONTEXT("moving an article onto the full author") {
        refused([&] { blog.articles().filter("id", moving.id()).update({{"author", top.id()}}); }, max);
        BOOST_TEST(stored_articles_count(db(), low.id()) == 2);
    }
    // Downwards: an author at the smallest count cannot lose an article.
    BOOST_TEST(blog.authors().filter("id", low.id()).update({{"articles_count", F("articles_count") - kMax}}) == 1);
    BOOST_TEST(blog.authors().filter("id", low.id()).update({{"articles_count", F("articles_count") - 3}}) == 1);
    BOOST_TEST(stored_articles_count(db(), low.id()) == kMin);
    BOOST_TEST_CONTEXT("deleting an article of the emptiest author") {
        refused([&] { blog.articles().filter("id", kept.id()).remove(); }, min);
        BOOST_TEST(stored_articles_count(db(), low.id()) == kMin);
    }
    BOOST_TEST_CONTEXT("moving an article away from it") {
        refused([&] { blog.articles().filter("id", moving.id()).update({{"author", mid.id()}}); }, min);
        BOOST_TEST(stored_articles_count(db(), mid.id()) == 0);
    }
    // Short of the edge, every path counts as before.
    BOOST_TEST(blog.authors().filter("id", top.id()).update({{"articles_count", F("articles_count") - 1}}) == 1);
    make_article(db(), top, "the last one that fits");
    BOOST_TEST(stored_articles_count(db(), top.id()) == kMax);
}

BOOST_FIXTURE_TEST_CASE(f_arithmetic_takes_numbers_of_the_field_type, BackendBlog) {
    Author ann = make_author(db(), "ann");
    make_article(db(), ann, "one");
    std::string msg = message_of<ValidationError>(
        [&] { blog.authors().update({{"articles_count", F("articles_count") + 1.5}}); });
    BOOST_TEST(contains(msg, "Author.articles_count"), msg);
    BOOST_TEST(contains(msg, "1.5"), msg);
    BOOST_CHECK_THROW(blog.authors().update({{"articles_count", F("articles_count") + "1"}}), ValidationError);
    BOOST_CHECK_THROW(blog.articles().update({{"title", F("title") + 1}}), InvalidQuery);
    BOOST_CHECK_THROW(blog.articles().update({{"comments_on", F("comments_on") + 1}}), InvalidQuery);
    BOOST_CHECK_THROW(blog.articles().update({{"created_at", F("created_at") + 1}}), InvalidQuery);
    BOOST_CHECK_THROW(blog.authors().update({{"articles_count", F("bio") + 1}}), InvalidQuery);
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 1);
    BOOST_TEST(db().scalar("SELECT title FROM article") == Value("one"));
}

BOOST_AUTO_TEST_SUITE_END()
