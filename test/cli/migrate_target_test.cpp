// `folio migrate --target N`: a number this folio knows (0 to the last
// migration) or a usage error (exit 2) naming the known range, before any
// database is opened or created; a target below the database's version is
// refused (folio does not unapply) instead of "No migrations to apply.".
#include "cli_support.hpp"

using namespace cli_test;

BOOST_AUTO_TEST_SUITE(migrate_target)

BOOST_AUTO_TEST_CASE(a_target_outside_the_known_migrations_is_a_usage_error) {
    TempDir dir;
    const std::string db = dir / "blog.sqlite3";
    const auto& history = folio::blog_migrations();
    const std::string last = std::to_string(history.size());
    const std::string range = "it knows 0 (none) to " + last + " (" + history.back().name + ")";
    for (const std::string& target : {std::to_string(history.size() + 1), std::string("99"), std::string("-1"),
                                      std::string("abc"), std::string("2x"),
                                      std::string("99999999999999999999")}) {
        BOOST_TEST_CONTEXT("--target '" << target << "'") {
            Result r = run({"--db", db, "migrate", "--target", target});
            BOOST_TEST(r.code == 2, r.err);
            BOOST_TEST(r.err.find(range) != std::string::npos, r.err);
            BOOST_TEST(r.out == "");
            BOOST_TEST(!fs::exists(db));  // refused before the database is opened
        }
    }
}

BOOST_AUTO_TEST_CASE(every_known_target_migrates_exactly_that_far) {
    TempDir dir;
    const std::string db = dir / "blog.sqlite3";
    Result zero = run({"--db", db, "migrate", "--target", "0"});
    BOOST_TEST(zero.code == 0, zero.err);
    BOOST_TEST(zero.out == "No migrations to apply.\n");
    Result two = run({"--db", db, "migrate", "--target", "2"});
    BOOST_TEST(two.code == 0, two.err);
    BOOST_TEST(count_of(db, "PRAGMA user_version") == 2);
    BOOST_TEST(two.out.find("Applying 0002_article_comments_on... OK") != std::string::npos, two.out);
    Result same = run({"--db", db, "migrate", "--target", "2"});
    BOOST_TEST(same.code == 0);
    BOOST_TEST(same.out == "No migrations to apply.\n");
    const std::string before = checksum(db);
    // Below the database's version: Django would unapply; folio says it does not.
    Result back = run({"--db", db, "migrate", "--target", "1"});
    BOOST_TEST(back.code == 1);
    BOOST_TEST(back.err.find("at schema version 2, past --target 1: folio does not unapply migrations") !=
                   std::string::npos,
               back.err);
    BOOST_TEST(checksum(db) == before);
    const std::string last = std::to_string(folio::blog_migrations().size());
    Result all = run({"--db", db, "migrate", "--target", last});
    BOOST_TEST(all.code == 0, all.err);
    BOOST_TEST(count_of(db, "PRAGMA user_version") == static_cast<std::int64_t>(folio::blog_migrations().size()));
}

BOOST_AUTO_TEST_SUITE_END()
