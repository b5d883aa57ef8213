// behaviour_test.cpp: the query doctor beyond the guide's sections: false
// positives, the doctor off (nothing tracked, no statement of its own), the
// modes (report once per kind, collect, throw at once or at scope close),
// the patterns not tied to one section, and Count staying an integer.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <type_traits>

#include "support/blog_fixture.hpp"
#include "support/list_page.hpp"
#include "support/blog.hpp"
#include "doctor_support.hpp"
#include "lib/doctor_state.hpp"
#include "lib/object_access.hpp"

using namespace folio;
using folio_test::render;
using doctor_test::clean;
using doctor_test::diagnose;
using folio_test::BlogFixture;

BOOST_AUTO_TEST_SUITE(doctor_behaviour)

BOOST_AUTO_TEST_CASE(a_loop_over_three_objects_is_not_n_plus_one) {
    BlogFixture f(3, 3);
    BOOST_TEST(clean(f.db, [&] { BOOST_TEST(render(f.blog.articles().all()) > 0u); }) == "");
}

BOOST_AUTO_TEST_CASE(a_single_get_is_not_flagged) {
    BlogFixture f(1200, 100);  // a large table, looked up through its index
    BOOST_TEST(clean(f.db, [&] {
                   Author a = f.blog.authors().get("username", "user1");
                   BOOST_TEST(a.email() == "user1@example.com");
                   Article art = f.blog.articles().get("id", f.blog.articles().first()->id());
                   BOOST_TEST(art.author().username().size() > 0u);  // one lazy load of one object
               }) == "");
}

BOOST_AUTO_TEST_CASE(off_means_nothing_tracked_and_no_statement_of_its_own) {
    BlogFixture f(1200, 0);
    f.db.execute("DROP INDEX author_username");
    BOOST_TEST(Doctor::of(f.db) == nullptr);
    {
        QueryCapture q(f.db);
        auto qs = f.blog.authors().filter("username", "user7");
        Author a = qs.get();
        BOOST_TEST(detail::ObjectAccess::origin(a) == 0u);  // no provenance stamped
        BOOST_TEST(q.count() == 1u);                         // no EXPLAIN, no COUNT(*)
        Count n = qs.count();
        BOOST_TEST(n == 1);  // a plain number: no doctor behind it
    }
    {
        // On: the same statements in the capture (the doctor's own are
        // muted), and yet it ran its EXPLAIN.
        QueryCapture q(f.db);
        auto findings = diagnose(f.db, [&] {
            Author a = f.blog.authors().filter("username", "user7").get();
            BOOST_TEST(detail::ObjectAccess::origin(a) != 0u);
        });
        BOOST_TEST(q.count() == 1u);
        for (const auto& s : q.all()) BOOST_TEST(s.sql.find("EXPLAIN") == std::string::npos);
        EXPECT_FINDING(findings, Pattern::MissingIndex, "author.username");
    }
    BOOST_TEST(Doctor::of(f.db) == nullptr);  // the scope's own doctor left with it
}

BOOST_AUTO_TEST_CASE(throw_mode_throws_at_the_call_that_shows_the_pattern) {
    BlogFixture f;
    auto page = f.blog.articles().order_by({"-id"}).slice(0, 20);
    std::size_t loaded = 0;
    DoctorScope scope(f.db, Doctor::Mode::Throw);
    try {
        for (const Article& a : page) {
            (void)a.author();
            ++loaded;
        }
        BOOST_ERROR("no DoctorError");
    } catch (const DoctorError& e) {
        BOOST_REQUIRE(e.findings().size() == 1u);
        BOOST_TEST(e.findings()[0].pattern == Pattern::NPlusOne);
        BOOST_TEST(std::string(e.what()).find("select_related(\"author\")") != std::string::npos);
    }
    BOOST_TEST(loaded == 4u);  // the fifth lazy load (the threshold) threw, before its SELECT
    BOOST_CHECK_NO_THROW(scope.close());  // already thrown: not again
}

BOOST_AUTO_TEST_CASE(throw_mode_throws_at_close_for_patterns_seen_later) {
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    DoctorScope scope(blog.db(), Doctor::Mode::Throw);
    for (int i = 0; i < 12; ++i) Author("u" + std::to_string(i), "", "").save(blog.db());
    BOOST_CHECK_THROW(scope.close(), DoctorError);
    BOOST_TEST(scope.findings().size() == 1u);
}

// A destructor must not throw: it may run while an exception unwinds, and
// a second exception then ends the program. close() is the throwing check.
static_assert(std::is_nothrow_destructible_v<DoctorScope>);

namespace {
// A throwing scope whose findings, when not thrown, land in `seen`.
DoctorOptions throwing_into(std::vector<Finding>& seen) {
    DoctorOptions options;
    options.mode = Doctor::Mode::Throw;
    options.on_finding = [&seen](const Finding& f) { seen.push_back(f); };
    return options;
}
void save_authors(Database& db, int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) Author(prefix + std::to_string(i), "", "").save(db);
}
} // namespace

BOOST_AUTO_TEST_CASE(throw_mode_scope_left_without_close_reports_instead_of_throwing) {
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    std::vector<Finding> seen;
    BOOST_CHECK_NO_THROW({
        DoctorScope scope(blog.db(), throwing_into(seen));
        save_authors(blog.db(), 12, "u");  // one-by-one writes, seen when the scope ends
    });
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].pattern == Pattern::OneByOneWrites);
    BOOST_TEST(Doctor::of(blog.db()) == nullptr);
    // close() is the call that throws, and a second close() returns the same findings quietly.
    DoctorScope scope(blog.db(), throwing_into(seen));
    save_authors(blog.db(), 12, "v");
    BOOST_CHECK_THROW(scope.close(), DoctorError);
    BOOST_TEST(scope.close().size() == 1u);
    BOOST_TEST(seen.size() == 1u);  // thrown, so not reported as well
}

// Saves of objects that carry their ids are one-by-one INSERTs on every
// backend, also where the INSERT is spelled inside a WITH (PostgreSQL moves
// the id sequence in the same statement): never an N+1 SELECT.
BOOST_AUTO_TEST_CASE(saves_with_explicit_ids_are_one_by_one_inserts) {
    BlogFixture f;
    std::vector<Finding> seen;
    {
        DoctorScope scope(f.db, throwing_into(seen));
        for (int i = 0; i < 12; ++i) {
            Author a("id" + std::to_string(i), "", "");
            a.set(Author::ID, Value(std::int64_t{1000} + i));
            a.save(f.db);
        }
    }
    // The UPDATE each save() tries first (no row has that id) and the INSERT.
    BOOST_REQUIRE(seen.size() == 2u);
    for (const Finding& x : seen) BOOST_TEST(x.pattern == Pattern::OneByOneWrites);
    BOOST_TEST((seen[0].what.find("INSERT") != std::string::npos || seen[1].what.find("INSERT") != std::string::npos));
}

BOOST_AUTO_TEST_CASE(throw_mode_scope_closed_by_an_exception_lets_it_through_and_reports) {
    BlogFixture f;
    std::vector<Finding> seen;
    try {
        DoctorScope scope(f.db, throwing_into(seen));
        save_authors(f.db, 12, "w");
        throw std::runtime_error("the app's own error");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) == "the app's own error");
    }
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].pattern == Pattern::OneByOneWrites);
    // A finding already thrown at its call is not reported again when the
    // scope then unwinds with that DoctorError.
    seen.clear();
    try {
        DoctorScope scope(f.db, throwing_into(seen));
        render(f.blog.articles().order_by({"id"}).slice(0, 20));  // N+1: throws at the fifth lazy load
        BOOST_ERROR("no DoctorError");
    } catch (const DoctorError& e) {
        BOOST_REQUIRE(e.findings().size() == 1u);
        BOOST_TEST(e.findings()[0].pattern == Pattern::NPlusOne);
    }
    BOOST_TEST(seen.empty(), doctor_test::dump(seen));
    BOOST_TEST(Doctor::of(f.db) == nullptr);
}

BOOST_AUTO_TEST_CASE(report_mode_calls_back_once_per_kind) {
    BlogFixture f;
    std::vector<Finding> seen;
    DoctorOptions options;
    options.on_finding = [&](const Finding& x) { seen.push_back(x); };
    {
        Doctor doctor(f.db, options);
        BOOST_TEST(Doctor::of(f.db) == &doctor);
        render(f.blog.articles().order_by({"id"}).slice(0, 20));
        render(f.blog.articles().order_by({"-id"}).slice(0, 20));  // same kinds again: not reported again
        BOOST_TEST(seen.size() == 2u, doctor_test::dump(seen));
        {
            // A nested scope counts and reports on its own.
            DoctorScope inner(f.db, Doctor::Mode::Collect);
            render(f.blog.articles().order_by({"id"}).slice(0, 20));
            BOOST_TEST(inner.close().size() == 2u);
        }
        BOOST_TEST(doctor.findings().size() == 4u);
        auto json = nlohmann::json::parse(findings_json(doctor.findings()));
        BOOST_REQUIRE(json.size() == 4u);
        BOOST_TEST(json[0]["pattern"] == "N+1");
        BOOST_TEST(json[0]["fix"].get<std::string>().find("select_related") != std::string::npos);
        BOOST_CHECK_THROW(Doctor second(f.db), Error);  // one doctor per Database
    }
    BOOST_TEST(seen.size() == 2u);
    BOOST_TEST(Doctor::of(f.db) == nullptr);
}

BOOST_AUTO_TEST_CASE(repeated_query_without_provenance) {
    BlogFixture f;
    auto findings = diagnose(f.db, [&] {
        for (int i = 0; i < 12; ++i) (void)f.blog.authors().get("username", "user" + std::to_string(i));
    });
    EXPECT_FINDING(findings, Pattern::RepeatedQuery, "__in");
    BOOST_TEST(doctor_test::require_finding(findings, Pattern::RepeatedQuery).count == 12u);
    // Under the threshold (10 by default) it is not.
    BOOST_TEST(clean(f.db, [&] {
                   for (int i = 0; i < 9; ++i) (void)f.blog.authors().get("username", "user" + std::to_string(i));
               }) == "");
}

BOOST_AUTO_TEST_CASE(unused_eager_loading) {
    BlogFixture f;
    auto findings = diagnose(f.db, [&] {
        std::size_t n = 0;
        for (const Article& a : f.blog.articles().select_related({"author"}).prefetch_related({"tags"}).slice(0, 20))
            n += a.title().size();
        BOOST_TEST(n > 0u);
    });
    EXPECT_FINDING(findings, Pattern::UnusedEagerLoading, "drop \"author\" from select_related()");
    EXPECT_FINDING(findings, Pattern::UnusedEagerLoading, "drop \"tags\" from prefetch_related()");
}

BOOST_AUTO_TEST_CASE(deferred_field_loaded_for_many_rows) {
    BlogFixture f;
    auto findings = diagnose(f.db, [&] {
        std::size_t n = 0;
        for (const Article& a : f.blog.articles().defer({"content"}).slice(0, 20)) n += a.content().size();
        BOOST_TEST(n > 0u);
    });
    EXPECT_FINDING(findings, Pattern::DeferredFieldLoaded, "drop \"content\" from defer()");
    BOOST_TEST(doctor_test::find(findings, Pattern::RepeatedQuery) == nullptr);
}

BOOST_AUTO_TEST_CASE(count_is_still_an_integer) {
    BlogFixture f;
    Count n = f.blog.authors().count();
    std::int64_t i = n;
    BOOST_TEST(i == 20);
    BOOST_TEST(n == 20);
    BOOST_TEST(20 == n);
    BOOST_TEST(n != 0u);
    BOOST_TEST(n + 1 == 21);
    BOOST_TEST(static_cast<std::size_t>(n) == 20u);
    BOOST_TEST(fmt::format("{}", n) == "20");
    BOOST_TEST(std::to_string(n) == "20");
    std::ostringstream out;
    out << n;
    BOOST_TEST(out.str() == "20");
    nlohmann::json j = {{"authors", n}};
    const auto total = static_cast<std::uint64_t>(i > 0 ? f.blog.authors().count() : 0);  // as demo/ writes it
    BOOST_TEST(total == 20u);
    BOOST_TEST(j.dump() == "{\"authors\":20}");
    // Displaying the number is not an existence test.
    BOOST_TEST(clean(f.db, [&] { BOOST_TEST(fmt::format("{} authors", f.blog.authors().count()) == "20 authors"); }) ==
               "");
    // if (qs.count()) is one.
    auto findings = diagnose(f.db, [&] {
        if (f.blog.authors().count()) BOOST_TEST(true);
    });
    EXPECT_FINDING(findings, Pattern::CountVsZero, "exists()");
}

BOOST_AUTO_TEST_CASE(removing_objects_one_by_one_is_one_finding) {
    // remove() per article deletes its tag links, then the article: two
    // DELETE shapes, one mistake, one finding.
    BlogFixture f;
    auto findings = diagnose(f.db, [&] {
        for (Article a : f.blog.articles().all()) a.remove();
    });
    std::size_t one_by_one = 0;
    for (const auto& x : findings) one_by_one += x.pattern == Pattern::OneByOneWrites;
    BOOST_TEST(one_by_one == 1u, doctor_test::dump(findings));
    EXPECT_FINDING(findings, Pattern::OneByOneWrites, "remove()");
}

BOOST_AUTO_TEST_CASE(a_table_that_grew_since_an_earlier_scope_is_counted_again) {
    // One doctor for the whole run (as the CLI's --doctor): the author table
    // is small in the first scope, large in the second, where its scan shows.
    BlogFixture f(20, 0);
    f.db.execute("DROP INDEX author_username");
    DoctorOptions collect;
    collect.mode = Doctor::Mode::Collect;
    Doctor doctor(f.db, collect);
    BOOST_TEST(diagnose(f.db, [&] { (void)f.blog.authors().filter("username", "user1").first(); }).empty());
    std::vector<Author> more;
    for (int i = 0; i < 1500; ++i) more.emplace_back(fmt::format("more{}", i), "", "");
    f.blog.authors().bulk_create(more);
    auto second = diagnose(f.db, [&] { (void)f.blog.authors().filter("email", "x@y.z").first(); });
    EXPECT_FINDING(second, Pattern::MissingIndex, "author.email");
}

BOOST_AUTO_TEST_CASE(a_dropped_index_is_seen_by_a_doctor_that_saw_the_lookup_before) {
    // The same lookup shape, first with its index, then without: the plan
    // is read again after the DDL, not remembered from the first EXPLAIN.
    BlogFixture f(1200, 0);
    DoctorOptions collect;
    collect.mode = Doctor::Mode::Collect;
    Doctor doctor(f.db, collect);
    BOOST_TEST(diagnose(f.db, [&] { (void)f.blog.authors().get("username", "user1"); }).empty());
    f.db.execute("DROP INDEX author_username");
    auto after_drop = diagnose(f.db, [&] { (void)f.blog.authors().get("username", "user2"); });
    EXPECT_FINDING(after_drop, Pattern::MissingIndex, "author.username");
}

BOOST_AUTO_TEST_CASE(statement_shapes_fold_values_and_lists) {
    bool multi = false;
    BOOST_TEST(detail::statement_shape("SELECT * FROM t WHERE id IN (?, ?, ?)", &multi) ==
               "SELECT * FROM t WHERE id IN (?)");
    BOOST_TEST(multi);
    BOOST_TEST(detail::statement_shape("INSERT INTO t (a, b) VALUES (?, ?), (?, ?)", &multi) ==
               "INSERT INTO t (a, b) VALUES (?)");
    BOOST_TEST(multi);
    BOOST_TEST(detail::statement_shape("INSERT INTO t (a, b) VALUES (?, ?)", &multi) == "INSERT INTO t (a, b) VALUES (?)");
    BOOST_TEST(!multi);
    BOOST_TEST(detail::statement_shape("SELECT * FROM t2 WHERE name = 'it''s' AND n = 42", &multi) ==
               "SELECT * FROM t2 WHERE name = ? AND n = ?");
}

BOOST_AUTO_TEST_SUITE_END()
