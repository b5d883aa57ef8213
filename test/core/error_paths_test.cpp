// Error paths: SQLite result codes mapped to folio errors (locked, read-only),
// rows deleted under a deferred field or a lazy foreign key, REAL and NULL
// columns through a model of the app's own, a query doctor scope left by an
// exception, and the field rules one by one at library level.
#include "fixtures.hpp"

#include <sqlite3.h>

#include <cmath>
#include <limits>

using namespace folio;
using namespace folio_test;

namespace {

// An app's model with the column kinds the blog lacks: REAL and nullable.
class Measure : public Model<Measure> {
public:
    enum Field : std::size_t { ID, VALUE, COUNT, NOTE, TAKEN_ON };
    static const ModelMeta& meta();
};

const ModelMeta& Measure::meta() {
    static const ModelDefinition<Measure> def({
        .name = "Measure",
        .table = "measure",
        .fields =
            {
                {.name = "id", .column = "id", .type = FieldType::Integer, .primary_key = true},
                {.name = "value", .column = "value", .type = FieldType::Real, .default_value = 0.0},
                {.name = "count", .column = "count", .type = FieldType::Integer, .nullable = true},
                {.name = "note", .column = "note", .type = FieldType::Text, .nullable = true, .max_length = 5},
                {.name = "taken_on", .column = "taken_on", .type = FieldType::Date, .nullable = true},
            },
    });
    return def.meta;
}

struct MeasureDb : MemoryBlog {
    MeasureDb() {
        db().execute(R"(CREATE TABLE "measure" ("id" INTEGER PRIMARY KEY, "value" REAL NOT NULL,
                        "count" INTEGER, "note" TEXT, "taken_on" TEXT))");
    }
    QuerySet<Measure> measures() { return Measure::objects(db()); }
};

Measure measure(Value value, Value count = Value(), Value note = Value(), Value taken_on = Value()) {
    Measure m;
    m.set(Measure::VALUE, std::move(value));
    m.set(Measure::COUNT, std::move(count));
    m.set(Measure::NOTE, std::move(note));
    m.set(Measure::TAKEN_ON, std::move(taken_on));
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(error_paths)

// ---- SQLite codes to folio errors ----

BOOST_FIXTURE_TEST_CASE(a_table_locked_by_its_own_reader_is_operational_error, MemoryBlog) {
    make_author(db(), "ann");
    make_author(db(), "bob");
    // DROP TABLE while a cursor on the same connection still reads it: SQLITE_LOCKED.
    auto stream = blog.authors().iterator();
    auto it = stream.begin();
    BOOST_REQUIRE(!(it == stream.end()));
    Error err("none");
    try {
        db().execute("DROP TABLE author");
    } catch (const OperationalError& e) {
        err = e;
    }
    BOOST_TEST((err.sqlite_code() == SQLITE_LOCKED || err.sqlite_code() == SQLITE_BUSY), err.what());
    BOOST_TEST(contains(err.what(), "locked"), err.what());
    BOOST_TEST(contains(err.what(), "DROP TABLE author"), err.what());
}

BOOST_AUTO_TEST_CASE(read_only_connection_maps_every_write_to_operational_error) {
    TempDir dir;
    const std::string path = dir.file("ro.sqlite3");
    {
        Blog blog = Blog::open(path);
        make_article(blog.db(), make_author(blog.db(), "ann"), "one");
    }
    Blog ro(std::make_unique<Database>(path, DatabaseOptions{.read_only = true}));
    std::vector<Author> authors{Author("x", "", "")};
    const std::vector<std::function<void()>> writes{
        [&] { ro.authors().bulk_create(authors); },
        [&] { ro.authors().update({{"articles_count", F("articles_count") + 1}}); },
        [&] { ro.articles().remove(); },
        [&] { ro.tags().get_or_create_many("name", {Value("t")}); },
        [&] { ro.tags().get_or_create(Q("name", "t"), Tag("t")); },
    };
    for (std::size_t i = 0; i < writes.size(); ++i) {
        BOOST_TEST_CONTEXT("write #" << i) {
            Error err("none");
            try {
                writes[i]();
            } catch (const OperationalError& e) {
                err = e;
            }
            BOOST_TEST(err.sqlite_code() == SQLITE_READONLY, err.what());
            BOOST_TEST(contains(err.what(), "read-only"), err.what());
            BOOST_TEST(!ro.db().in_transaction());
        }
    }
    BOOST_TEST(ro.authors().count() == 1);
    BOOST_TEST(ro.articles().count() == 1);
}

// ---- rows deleted under loaded objects ----

BOOST_FIXTURE_TEST_CASE(a_deferred_field_of_a_deleted_row_is_does_not_exist, FileBlog) {
    Author ann = make_author(db(), "ann");
    Article art = make_article(db(), ann, "one");
    Article loaded = blog.articles().only({"title"}).get("id", art.id());
    BOOST_REQUIRE(loaded.is_deferred(Article::CONTENT));
    {
        Database other(path);  // deleted by another connection meanwhile
        other.execute("DELETE FROM article WHERE id = ?", {art.id()});
    }
    std::string msg = message_of<DoesNotExist>([&] { (void)loaded.content(); });
    BOOST_TEST(contains(msg, "Article"), msg);
    BOOST_TEST(contains(msg, std::to_string(art.id())), msg);
    BOOST_TEST(contains(msg, "content"), msg);
    BOOST_TEST(loaded.title() == "one");  // what was loaded stays readable
}

BOOST_FIXTURE_TEST_CASE(a_lazy_foreign_key_to_a_deleted_row_is_does_not_exist, FileBlog) {
    Author ann = make_author(db(), "ann");
    Article art = make_article(db(), ann, "one");
    Article loaded = blog.articles().get("id", art.id());
    {
        Database other(path);
        other.execute("PRAGMA foreign_keys = OFF");  // keep the article, lose its author
        other.execute("DELETE FROM author WHERE id = ?", {ann.id()});
    }
    std::string msg = message_of<DoesNotExist>([&] { (void)loaded.author(); });
    BOOST_TEST(contains(msg, "Author"), msg);
    BOOST_TEST(contains(msg, "Article.author = " + std::to_string(ann.id())), msg);
    BOOST_CHECK_THROW(Author(ann).refresh(), DoesNotExist);
}

// ---- REAL and NULL columns ----

BOOST_FIXTURE_TEST_CASE(real_and_null_columns_round_trip, MeasureDb) {
    std::vector<Measure> rows{measure(1.5, 3, "ab", "2020-02-29"), measure(-0.25), measure(7)};
    measures().bulk_create(rows);
    Measure one = measure(std::numeric_limits<double>::max(), Value(), "", Value());
    one.save(db());
    const auto& back = measures().order_by({"id"}).results();
    BOOST_REQUIRE(back.size() == 4u);
    BOOST_TEST(back[0].get("value").as_real() == 1.5);
    BOOST_TEST(back[0].get("count") == Value(3));
    BOOST_TEST(back[1].get("count").is_null());
    BOOST_TEST(back[1].get("note").is_null());
    BOOST_TEST(back[1].get("taken_on").is_null());
    BOOST_TEST(back[2].get("value").is_real());  // REAL affinity stores 7 as 7.0
    BOOST_TEST(back[3].get("value").as_real() == std::numeric_limits<double>::max());
    BOOST_TEST(back[3].get("note") == Value(""));
    BOOST_TEST(measures().filter("count__isnull", true).count() == 3);
    BOOST_TEST(measures().filter("value__gt", 1.0).count() == 3);
    BOOST_TEST(measures().filter("value__lt", 0).count() == 1);
    // NULL in, through update(), where the field is nullable.
    BOOST_TEST(measures().update({{"count", Value()}, {"note", Value()}}) == 4);
    BOOST_TEST(measures().filter("count__isnull", false).count() == 0);
    // REAL arithmetic is not guarded like integers, and may take a real operand.
    BOOST_TEST(measures().filter("id", back[0].pk()).update({{"value", F("value") * 2.0}}) == 1);
    BOOST_TEST(db().scalar("SELECT value FROM measure WHERE id = ?", {back[0].pk()}).as_real() == 3.0);
}

BOOST_FIXTURE_TEST_CASE(real_and_null_rules_on_every_write_path, MeasureDb) {
    auto refused = [&](const std::function<void()>& write, const std::string& field) {
        std::string msg = message_of<ValidationError>(write);
        BOOST_TEST(contains(msg, "Measure." + field), msg);
    };
    refused([&] { measure("1.5").save(db()); }, "value");
    refused([&] { measure(Value()).save(db()); }, "value");
    refused([&] { measure(1.0, 2.5).save(db()); }, "count");
    refused([&] { measure(1.0, Value(), "toolong").save(db()); }, "note");
    refused([&] { measure(1.0, Value(), Value(), "2021-02-29").save(db()); }, "taken_on");
    refused([&] { measures().update({{"value", "x"}}); }, "value");
    refused([&] { measures().update({{"value", Value()}}); }, "value");
    refused([&] { measures().update({{"count", 1.0}}); }, "count");
    std::vector<Measure> bad{measure(1.0), measure(2.0, "3")};
    refused([&] { measures().bulk_create(bad); }, "count");
    BOOST_TEST(count_rows(db(), "measure") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_real_in_an_integer_column_fails_typed_access_not_the_process, MemoryBlog) {
    Author ann = make_author(db(), "ann");
    // What item 6 of issue 13 used to leave behind: a REAL in articles_count.
    db().execute("UPDATE author SET articles_count = 1.5");
    Author back = blog.authors().get("id", ann.id());
    BOOST_TEST(back.get(Author::ARTICLES_COUNT).is_real());
    BOOST_CHECK_THROW((void)back.articles_count(), InvalidQuery);
    BOOST_CHECK_THROW((void)back.get(Author::ARTICLES_COUNT).as_text(), InvalidQuery);
}

// ---- each field rule at library level ----

BOOST_FIXTURE_TEST_CASE(each_field_rule_of_the_blog_models, MemoryBlog) {
    struct Rule {
        const ModelMeta& meta;
        const char* field;
        Value value;
        bool ok;
    };
    const std::string u64(64, 'u'), e_acute64 = [] {
        std::string s;
        for (int i = 0; i < 64; ++i) s += "\xC3\xA9";  // 64 characters, 128 bytes
        return s;
    }();
    const std::vector<Rule> rules{
        {Author::meta(), "username", "", false},
        {Author::meta(), "username", " ", true},
        {Author::meta(), "username", u64, true},
        {Author::meta(), "username", u64 + "u", false},
        {Author::meta(), "username", e_acute64, true},
        {Author::meta(), "username", e_acute64 + "\xC3\xA9", false},
        {Author::meta(), "username", Value(), false},
        {Author::meta(), "username", 5, false},
        {Author::meta(), "email", "", true},
        {Author::meta(), "email", "ann@example.com", true},
        {Author::meta(), "email", "ann@example", false},
        {Author::meta(), "email", "ann example.com", false},
        {Author::meta(), "bio", "", true},
        {Author::meta(), "bio", std::string(10000, 'b'), true},
        {Author::meta(), "articles_count", Value(), true},  // the database sets it
        {Author::meta(), "articles_count", "x", false},
        {Tag::meta(), "name", "", false},
        {Tag::meta(), "name", std::string(64, 't'), true},
        {Tag::meta(), "name", std::string(65, 't'), false},
        {Article::meta(), "title", "", false},
        {Article::meta(), "title", std::string(65, 't'), false},
        {Article::meta(), "content", "", true},
        {Article::meta(), "created_at", "2024-02-29", true},
        {Article::meta(), "created_at", "2023-02-29", false},
        {Article::meta(), "created_at", "1900-02-29", false},
        {Article::meta(), "created_at", "2000-02-29", true},
        {Article::meta(), "created_at", "0000-01-01", false},
        {Article::meta(), "created_at", "2020-13-01", false},
        {Article::meta(), "created_at", "2020-01-01T00:00", false},
        {Article::meta(), "created_at", Value(), false},
        {Article::meta(), "author", 1, true},
        {Article::meta(), "author", "1", false},
        {Article::meta(), "author", Value(), false},
        {Article::meta(), "comments_on", 0, true},
        {Article::meta(), "comments_on", 1, true},
        {Article::meta(), "comments_on", 2, false},
        {Article::meta(), "comments_on", -1, false},
        {Article::meta(), "comments_on", 1.0, false},
    };
    for (const Rule& r : rules) {
        BOOST_TEST_CONTEXT(r.meta.name << "." << r.field << " = " << r.value.repr()) {
            const std::size_t i = r.meta.field_index(r.field);
            if (r.ok) {
                BOOST_CHECK_NO_THROW(validate_field(r.meta, i, r.value));
            } else {
                std::string msg = message_of<ValidationError>([&] { validate_field(r.meta, i, r.value); });
                BOOST_TEST(contains(msg, r.meta.name + "." + r.field), msg);
            }
        }
    }
}

// ---- the query doctor ----

BOOST_FIXTURE_TEST_CASE(a_doctor_scope_left_by_an_exception_lets_it_through_and_detaches, MemoryBlog) {
    for (int i = 0; i < 12; ++i) make_author(db(), "u" + std::to_string(i));
    try {
        DoctorScope scope(db(), Doctor::Mode::Throw);
        // One-by-one writes: a finding is pending when the exception leaves.
        for (int i = 0; i < 12; ++i) Tag("t" + std::to_string(i)).save(db());
        throw std::runtime_error("the app's own error");
    } catch (const DoctorError& e) {
        BOOST_ERROR("the doctor replaced the app's exception: " << e.what());
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) == "the app's own error");
    }
    BOOST_TEST(db().doctor() == nullptr);  // the scope's doctor went with it
    // A new scope starts clean: nothing of the abandoned one carries over.
    DoctorScope scope(db(), Doctor::Mode::Collect);
    BOOST_TEST(blog.authors().count() == 12);
    BOOST_TEST(scope.close().empty());
}

BOOST_AUTO_TEST_SUITE_END()
