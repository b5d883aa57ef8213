// The dialect seam's SQLite spellings (lib/backend/sqlite/operations.*), each
// run on a real database and checked against what it must mean: text lookups
// against a plain C++ oracle over edge values, array parameters past the
// bound-variable limit, LIMIT with "no limit", date parts, identifier
// quoting, the overflow guard, transaction verbs, and the public calls built
// on it (drop_index, Migrator::sqlmigrate, blog_migrations(db)).
#include "fixtures.hpp"

#include <cstdint>
#include <limits>

#include "lib/backend/sqlite/operations.hpp"

using namespace folio;
using namespace folio_test;

namespace {

const backend::Operations& ops_of(Database& db) { return db.operations(); }

// Django's meaning of each text lookup, on the UTF-8 bytes; case folding is
// ASCII's, as SQLite's LIKE (and Django's SQLite backend) does.
std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}
bool oracle(const std::string& lookup, const std::string& x, const std::string& v) {
    const bool fold = lookup[0] == 'i';
    const std::string a = fold ? ascii_lower(x) : x, b = fold ? ascii_lower(v) : v;
    const std::string op = fold ? lookup.substr(1) : lookup;
    if (op == "exact") return a == b;
    if (op == "contains") return a.find(b) != std::string::npos;
    if (op == "startswith") return a.rfind(b, 0) == 0;
    return a.size() >= b.size() && a.compare(a.size() - b.size(), b.size(), b) == 0;  // endswith
}

} // namespace

BOOST_AUTO_TEST_SUITE(backend_operations)

BOOST_AUTO_TEST_CASE(text_lookups_mean_django_s_lookups_on_edge_values) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    const std::vector<std::string> texts = {"", "a", "A", "abc", "ABC", "a%c", "a_c", "a\\c", "%", "_", "\\",
                                            "x%", "caf\xC3\xA9", "CAF\xC3\x89", "\xC3\xA9t\xC3\xA9", "a'b"};
    db.execute(R"(CREATE TABLE "t" ("x" TEXT NOT NULL))");
    for (const auto& t : texts) db.execute(R"(INSERT INTO "t" ("x") VALUES (?))", {Value(t)});
    for (const std::string lookup :
         {"iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"}) {
        for (const auto& v : texts) {
            BOOST_TEST_CONTEXT(lookup << " '" << v << "'") {
                std::int64_t expected = 0;
                for (const auto& t : texts) expected += oracle(lookup, t, v);
                const std::string sql = R"(SELECT COUNT(*) FROM "t" WHERE )" +
                                        ops.text_lookup_sql(lookup, ops.quote_name("t") + "." + ops.quote_name("x"));
                Statement st = db.prepare(sql);
                st.bind_all(ops.text_lookup_params(lookup, v));
                BOOST_REQUIRE(st.step());
                BOOST_TEST(st.column(0).as_integer() == expected, sql);
            }
        }
    }
    BOOST_TEST(contains(message_of<InvalidQuery>([&] { (void)ops.text_lookup_sql("regex", "x"); }), "regex"));
}

BOOST_AUTO_TEST_CASE(an_array_parameter_holds_more_values_than_the_variable_limit) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    db.execute(R"(CREATE TABLE "n" ("v" INTEGER))");
    const int n = db.variable_limit() + 10;
    std::vector<Value> all, odd;
    {
        Transaction tx(db);
        for (int i = 0; i < n; ++i) {
            db.execute(R"(INSERT INTO "n" ("v") VALUES (?))", {Value(std::int64_t{i})});
            if (i % 2) odd.emplace_back(std::int64_t{i});
        }
        tx.commit();
    }
    const std::string sql = R"(SELECT COUNT(*) FROM "n" WHERE )" + ops.in_array_sql(R"("v")");
    BOOST_TEST(db.scalar(sql, {ops.array_param(odd)}).as_integer() == static_cast<std::int64_t>(odd.size()));
    BOOST_TEST(db.scalar(sql, {ops.array_param({})}).as_integer() == 0);
    // Text and NULL travel too; NULL matches nothing, as in an IN list.
    BOOST_TEST(db.scalar(R"(SELECT COUNT(*) FROM (SELECT 'b' AS "v" UNION ALL SELECT NULL) WHERE )" +
                             ops.in_array_sql(R"("v")"),
                         {ops.array_param({Value("b"), Value()})})
                   .as_integer() == 1);
    BOOST_CHECK_THROW((void)ops.array_param({Value(std::string("\xff"))}), ValidationError);
}

BOOST_AUTO_TEST_CASE(limit_offset_and_no_limit) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    auto count = [&](bool with_offset, Value limit, std::int64_t offset) {
        std::string sql = "WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < 10) "
                          "SELECT COUNT(*) FROM (SELECT v FROM s ORDER BY v" +
                          ops.limit_offset_sql(with_offset) + ")";
        Statement st = db.prepare(sql);
        st.bind(1, limit);
        if (with_offset) st.bind(2, Value(offset));
        BOOST_REQUIRE(st.step());
        return st.column(0).as_integer();
    };
    BOOST_TEST(count(false, Value(std::int64_t{3}), 0) == 3);
    BOOST_TEST(count(true, Value(std::int64_t{3}), 8) == 2);
    BOOST_TEST(count(true, ops.no_limit(), 4) == 6);  // slice(4, nullopt): everything after the offset
    BOOST_TEST(count(false, ops.no_limit(), 0) == 10);
}

BOOST_AUTO_TEST_CASE(date_parts_and_year_bounds) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    for (auto [y, m, d] : {std::tuple{500, 1, 1}, std::tuple{2012, 5, 1}, std::tuple{9999, 12, 31}}) {
        const Value date = ops.date_value(y, m, d);
        BOOST_TEST_CONTEXT(date.repr()) {
            BOOST_TEST(db.scalar("SELECT " + ops.date_extract_sql("year", "?"), {date}).as_integer() == y);
            BOOST_TEST(db.scalar("SELECT " + ops.date_extract_sql("month", "?"), {date}).as_integer() == m);
            BOOST_TEST(db.scalar("SELECT " + ops.date_extract_sql("day", "?"), {date}).as_integer() == d);
            // The bounds of a year range order as the dates do.
            BOOST_TEST(db.scalar("SELECT ? BETWEEN ? AND ?", {date, ops.date_value(y, 1, 1), ops.date_value(y, 12, 31)})
                           .as_integer() == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(quoted_names_hold_any_identifier) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    const std::string odd = "we\"ird name";
    db.execute("CREATE TABLE " + ops.quote_name(odd) + " (" + ops.quote_name("select") + " INTEGER)");
    BOOST_TEST(table_exists(db, odd));
    db.execute("INSERT INTO " + ops.quote_name(odd) + " VALUES (7)");
    BOOST_TEST(db.scalar("SELECT " + ops.quote_name("select") + " FROM " + ops.quote_name(odd)).as_integer() == 7);
}

BOOST_AUTO_TEST_CASE(the_overflow_guard_raises_instead_of_storing_a_real) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    db.execute(R"(CREATE TABLE "c" ("n" INTEGER))");
    db.execute(R"(INSERT INTO "c" VALUES (?))", {Value(std::numeric_limits<std::int64_t>::max())});
    const auto guarded = ops.checked_integer_sql(R"("n" + ?)");
    BOOST_TEST(guarded.uses == 2);
    const std::string sql = R"(UPDATE "c" SET "n" = )" + guarded.sql;
    BOOST_TEST(contains(message_of<Error>([&] { db.execute(sql, {Value(std::int64_t{1}), Value(std::int64_t{1})}); }),
                        "integer overflow"));
    BOOST_TEST(db.scalar(R"(SELECT typeof("n") FROM "c")") == Value("integer"));
    db.execute(sql, {Value(std::int64_t{-1}), Value(std::int64_t{-1})});
    BOOST_TEST(db.scalar(R"(SELECT "n" FROM "c")").as_integer() == std::numeric_limits<std::int64_t>::max() - 1);
}

BOOST_AUTO_TEST_CASE(upsert_and_returning_spellings_run) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    BOOST_TEST(ops.features().can_return_rows_from_insert);
    BOOST_TEST(ops.features().supports_ignore_conflicts);
    db.execute(R"(CREATE TABLE "u" ("id" INTEGER PRIMARY KEY, "k" TEXT UNIQUE))");
    const std::string insert = R"(INSERT INTO "u" ("k") VALUES (?))" + ops.ignore_conflicts_sql({ops.quote_name("k")}) +
                               ops.returning_sql({ops.quote_name("id"), ops.quote_name("k")});
    {
        Statement st = db.prepare(insert);
        st.bind(1, Value("a"));
        BOOST_REQUIRE(st.step());
        BOOST_TEST(st.column(1) == Value("a"));
    }
    Statement again = db.prepare(insert);
    again.bind(1, Value("a"));
    BOOST_TEST(!again.step());  // the conflict is ignored: no row, no error
}

BOOST_AUTO_TEST_CASE(transaction_verbs_nest) {
    Database db(":memory:");
    const auto& ops = ops_of(db);
    db.execute(R"(CREATE TABLE "v" ("x" INTEGER))");
    db.execute(ops.begin_sql());
    db.execute(R"(INSERT INTO "v" VALUES (1))");
    db.execute(ops.savepoint_sql("sp"));
    db.execute(R"(INSERT INTO "v" VALUES (2))");
    db.execute(ops.rollback_to_savepoint_sql("sp"));
    db.execute(ops.release_savepoint_sql("sp"));
    db.execute(ops.commit_sql());
    BOOST_TEST(!db.in_transaction());
    BOOST_TEST(count_rows(db, "v") == 1);
    db.execute(ops.begin_sql());
    db.execute(R"(INSERT INTO "v" VALUES (3))");
    db.execute(ops.rollback_sql());
    BOOST_TEST(count_rows(db, "v") == 1);
}

BOOST_AUTO_TEST_CASE(drop_index_checks_the_name_and_rolls_back) {
    MemoryBlog m;
    std::string msg = message_of<InvalidQuery>([&] { drop_index(m.db(), "no_such_index\"; DROP TABLE author; --"); });
    BOOST_TEST(contains(msg, "no_such_index"), msg);
    BOOST_TEST(table_exists(m.db(), "author"));
    {
        Transaction tx(m.db());
        drop_index(m.db(), "author_username");
        BOOST_TEST(!table_exists(m.db(), "author_username"));
        tx.rollback();
    }
    BOOST_TEST(table_exists(m.db(), "author_username"));  // indexes are in sqlite_schema too
}

BOOST_AUTO_TEST_CASE(sqlmigrate_and_the_dialect_s_history) {
    MemoryBlog m;
    BOOST_TEST(&blog_migrations(m.db()) == &blog_migrations());  // SQLite is the embedded default
    Migrator mig = m.blog.migrator();
    const std::string script = mig.sqlmigrate("0003_author_username_index");
    BOOST_TEST(script == "BEGIN;\n" + mig.sql_of("0003_author_username_index") + "\nCOMMIT;\n");
    BOOST_TEST(contains(message_of<InvalidQuery>([&] { (void)mig.sqlmigrate("0099_nothing"); }), "0099_nothing"));
}

BOOST_AUTO_TEST_CASE(statement_kinds_are_read_from_the_first_keyword) {
    for (const char* sql : {"BEGIN IMMEDIATE", "  commit", "END", "ROLLBACK TO folio_sp_1", "SAVEPOINT x", "RELEASE x"})
        BOOST_TEST(backend::sqlite::is_transaction_control(sql), sql);
    for (const char* sql : {"SELECT 1", "UPDATE begin_at SET x = 1", "BEGINNING", ""})
        BOOST_TEST(!backend::sqlite::is_transaction_control(sql), sql);
    BOOST_TEST(backend::sqlite::is_explain("explain query plan SELECT 1"));
    BOOST_TEST(!backend::sqlite::is_explain("SELECT 'EXPLAIN'"));
}

BOOST_AUTO_TEST_SUITE_END()
