// F() arithmetic in update() at its edges, on every backend: division and
// modulo by zero raise DataError naming the model, the field and the
// expression, run no statement and change nothing (Django: PostgreSQL's
// "division by zero" is a DataError; SQLite would compute NULL); integer
// division and remainder truncate toward zero on both backends; the one
// quotient past 64 bits (the smallest integer / -1) is an overflow; % takes
// Integer fields only.
#include "fixtures.hpp"

#include <limits>

using namespace folio;
using namespace folio_test;

namespace {
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// An app's model with the columns the blog lacks: a REAL and a nullable
// INTEGER, where SQLite's x / 0 (NULL) would be stored without a word.
class Gauge : public Model<Gauge> {
public:
    enum Field : std::size_t { ID, LEVEL, READINGS };
    static const ModelMeta& meta() {
        static const ModelDefinition<Gauge> def({
            .name = "Gauge",
            .table = "gauge",
            .fields =
                {
                    {.name = "id", .column = "id", .type = FieldType::Integer, .primary_key = true},
                    {.name = "level", .column = "level", .type = FieldType::Real, .default_value = 0.0},
                    {.name = "readings", .column = "readings", .type = FieldType::Integer, .nullable = true},
                },
        });
        return def.meta;
    }
};

// Sets author `id`'s articles_count to `v` through F() (the only way update() may).
void set_count(Blog& blog, std::int64_t id, std::int64_t v) {
    BOOST_REQUIRE(blog.authors().filter("id", id).update({{"articles_count", F("articles_count") * 0}}) == 1);
    BOOST_REQUIRE(blog.authors().filter("id", id).update({{"articles_count", F("articles_count") + v}}) == 1);
    BOOST_REQUIRE(stored_articles_count(blog.db(), id) == v);
}
} // namespace

BOOST_AUTO_TEST_SUITE(f_arithmetic)

BOOST_FIXTURE_TEST_CASE(division_and_modulo_by_zero_raise_data_error_and_run_nothing, BackendBlog) {
    Author a = make_author(db(), "ann");
    set_count(blog, a.id(), 7);
    for (const Expr& e : {F("articles_count") / 0, F("articles_count") % 0, F("id") / 0, F("articles_count") / 0.0,
                          F("articles_count") / -0.0}) {
        BOOST_TEST_CONTEXT("articles_count = F(" << e.field << ") " << e.op << " " << e.operand.repr()) {
            QueryCapture q(db());
            // An integer field takes an integer operand only: a REAL zero is a ValidationError first.
            if (e.operand.is_real()) {
                BOOST_CHECK_THROW(blog.authors().update({{"articles_count", e}}), ValidationError);
                continue;
            }
            const std::string msg = message_of<DataError>([&] { blog.authors().update({{"articles_count", e}}); });
            BOOST_TEST(contains(msg, e.op == '/' ? "division by zero" : "modulo by zero"), msg);
            BOOST_TEST(contains(msg, "Author.articles_count = F(\"" + e.field + "\") " + e.op + " 0"), msg);
            BOOST_TEST(contains(msg, "nothing was changed"), msg);
            // No internal SQL in the message, and none ran.
            BOOST_TEST(!contains(msg, "UPDATE"), msg);
            BOOST_TEST(q.count() == 0u);
            BOOST_TEST(stored_articles_count(db(), a.id()) == 7);
        }
    }
    // Beside a plain value in the same update: still nothing written.
    const std::string bio = blog.authors().get("id", a.id()).bio();
    BOOST_CHECK_THROW(blog.authors().update({{"bio", std::string("changed")}, {"articles_count", F("articles_count") / 0}}),
                      DataError);
    BOOST_TEST(blog.authors().get("id", a.id()).bio() == bio);
}

BOOST_FIXTURE_TEST_CASE(a_nullable_or_real_column_divided_by_zero_raises_too, BackendBlog) {
    db().execute(std::string("CREATE TABLE gauge (id integer PRIMARY KEY, level ") +
                 (on_postgresql() ? "double precision" : "REAL") + " NOT NULL, readings integer)");
    db().execute("INSERT INTO gauge (id, level, readings) VALUES (1, 2.5, 4)");
    auto gauges = Gauge::objects(db());
    for (const Assign& a : {Assign("readings", F("readings") / 0), Assign("readings", F("readings") % 0),
                            Assign("level", F("level") / 0), Assign("level", F("level") / 0.0)}) {
        const Expr& e = std::get<Expr>(a.value);
        BOOST_TEST_CONTEXT(a.field << " = F(" << e.field << ") " << e.op << " " << e.operand.repr()) {
            QueryCapture q(db());
            const std::string msg = message_of<DataError>([&] { gauges.update({a}); });
            BOOST_TEST(contains(msg, "Gauge." + a.field + " = F(\"" + e.field + "\") " + e.op), msg);
            BOOST_TEST(q.count() == 0u);
        }
    }
    // Nothing became NULL or infinite.
    BOOST_TEST(db().scalar("SELECT readings FROM gauge WHERE id = 1") == Value(4));
    BOOST_TEST(db().scalar("SELECT level FROM gauge WHERE id = 1") == Value(2.5));
    // % of a REAL: neither backend has a REAL remainder.
    BOOST_CHECK_THROW(gauges.update({{"level", F("level") % 2}}), InvalidQuery);
    // A REAL divided by a non-zero number is a REAL.
    BOOST_TEST(gauges.update({{"level", F("level") / 2}}) == 1);
    BOOST_TEST(db().scalar("SELECT level FROM gauge WHERE id = 1") == Value(1.25));
}

BOOST_FIXTURE_TEST_CASE(integer_division_and_remainder_truncate_toward_zero, BackendBlog) {
    Author a = make_author(db(), "ann");
    struct Case {
        std::int64_t start;
        Expr e;
        std::int64_t expected;
    };
    // C++'s own / and %: the result both backends must give.
    for (const Case& c : {Case{7, F("articles_count") / 2, 7 / 2}, Case{-7, F("articles_count") / 2, -7 / 2},
                          Case{7, F("articles_count") / -2, 7 / -2}, Case{-7, F("articles_count") % 3, -7 % 3},
                          Case{7, F("articles_count") % -3, 7 % -3}, Case{kMin, F("articles_count") % -1, 0},
                          Case{kMin, F("articles_count") / 1, kMin}, Case{9, F("articles_count") * -1, -9}}) {
        BOOST_TEST_CONTEXT(c.start << " " << c.e.op << " " << c.e.operand.repr()) {
            set_count(blog, a.id(), c.start);
            QueryCapture q(db());
            BOOST_TEST(blog.authors().filter("id", a.id()).update({{"articles_count", c.e}}) == 1);
            BOOST_TEST(q.count() == 1u);
            BOOST_TEST(stored_articles_count(db(), a.id()) == c.expected);
            BOOST_TEST(blog.authors().get("id", a.id()).articles_count() == c.expected);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(the_smallest_integer_divided_by_minus_one_overflows_and_changes_nothing, BackendBlog) {
    Author a = make_author(db(), "ann");
    set_count(blog, a.id(), kMin);
    const std::string msg =
        message_of<DataError>([&] { blog.authors().update({{"articles_count", F("articles_count") / -1}}); });
    BOOST_TEST(contains(msg, "integer overflow"), msg);
    BOOST_TEST(contains(msg, "Author.articles_count = F(\"articles_count\") / -1"), msg);
    BOOST_TEST(stored_articles_count(db(), a.id()) == kMin);
}

BOOST_FIXTURE_TEST_CASE(modulo_takes_integer_fields_only, BackendBlog) {
    make_author(db(), "ann");
    // A text field refuses every F() arithmetic; % says what it takes.
    QueryCapture q(db());
    const std::string msg = message_of<InvalidQuery>([&] { blog.authors().update({{"bio", F("bio") % 2}}); });
    BOOST_TEST(contains(msg, "Author.bio"), msg);
    BOOST_TEST(q.count() == 0u);
    // An operator F() does not build is refused by name, before any SQL.
    const std::string bad =
        message_of<InvalidQuery>([&] { blog.authors().update({{"articles_count", Expr{"articles_count", '^', Value(2)}}}); });
    BOOST_TEST(contains(bad, "Unsupported operator '^'"), bad);
    BOOST_TEST(q.count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
