// thresholds_test.cpp: the doctor's options and its negative cases: each
// threshold moves the line between silent and loud (n_plus_one_threshold,
// repeat_threshold, scan_min_rows), an ignored pattern stays unreported,
// statements that are not queries (PRAGMA) are never "repeated", a nested
// scope left open when its outer one closes ends quietly with it, and every
// pattern has its own printable name.
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>

#include "support/backend_only.hpp"
#include "support/blog_fixture.hpp"
#include "support/blog.hpp"
#include "doctor_support.hpp"

using namespace folio;
using doctor_test::diagnose;
using folio_test::BlogFixture;

namespace {
// A Collect-mode scope's options with one change applied.
template <class Change>
DoctorOptions collect_with(Change change) {
    DoctorOptions o;
    o.mode = Doctor::Mode::Collect;
    change(o);
    return o;
}
// The findings `body` produces under a scope that attaches its own doctor with `options`.
std::vector<Finding> diagnose_with(Database& db, DoctorOptions options, const std::function<void()>& body) {
    BOOST_REQUIRE(Doctor::of(db) == nullptr);  // the options are those of the scope's own doctor
    DoctorScope scope(db, std::move(options));
    body();
    return scope.close();
}
// Reads the author of the first `n` articles, one lazy load each.
void lazy_authors(BlogFixture& f, int n) {
    for (const Article& a : f.blog.articles().order_by({"id"}).slice(0, n)) BOOST_TEST(!a.author().username().empty());
}
} // namespace

BOOST_AUTO_TEST_SUITE(doctor_thresholds)

BOOST_AUTO_TEST_CASE(every_pattern_has_its_own_name) {
    std::set<std::string> names;
    for (Pattern p : {Pattern::NPlusOne, Pattern::RepeatedQuery, Pattern::OneByOneWrites, Pattern::FullRowUpdate,
                      Pattern::LargeResultCached, Pattern::RelatedObjectForId, Pattern::UnusedColumns,
                      Pattern::DeferredFieldLoaded, Pattern::MissingIndex, Pattern::CountByFetching,
                      Pattern::CountVsZero, Pattern::SliceAfterEvaluation, Pattern::UnusedEagerLoading,
                      Pattern::UnindexedSort}) {
        std::ostringstream out;
        out << p;
        BOOST_TEST(out.str() == std::string(to_string(p)));
        BOOST_TEST(out.str() != "?");
        names.insert(out.str());
    }
    BOOST_TEST(names.size() == 14u);  // no two patterns print alike
    BOOST_TEST(to_string(Pattern::MissingIndex) == "missing index");
}

BOOST_AUTO_TEST_CASE(a_finding_line_shows_its_count_only_when_repeated) {
    Finding f;
    f.pattern = Pattern::RepeatedQuery;
    f.what = "w";
    f.fix = "x";
    BOOST_TEST(f.to_string() == "[folio doctor] repeated query: w -> fix: x");  // no statement: no parentheses
    f.sql = "SELECT ?";
    f.count = 1;
    BOOST_TEST(f.to_string() == "[folio doctor] repeated query: w (SELECT ?) -> fix: x");
    f.count = 12;
    BOOST_TEST(f.to_string() == "[folio doctor] repeated query: w (12x: SELECT ?) -> fix: x");
}

BOOST_AUTO_TEST_CASE(n_plus_one_threshold_moves_the_line) {
    BlogFixture f;
    // Default 5: four lazy loads are a small loop, not N+1.
    BOOST_TEST(diagnose(f.db, [&] { lazy_authors(f, 4); }).empty());
    // Threshold 3: three lazy loads are one, counted.
    auto findings = diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.n_plus_one_threshold = 3; }),
                                  [&] { lazy_authors(f, 3); });
    const Finding& n1 = doctor_test::require_finding(findings, Pattern::NPlusOne);
    BOOST_TEST(n1.count == 3u);
    BOOST_TEST(n1.what.find("Article.author") != std::string::npos, n1.what);
    // A single-row evaluation never is, however many times its object loads.
    BOOST_TEST(diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.n_plus_one_threshold = 1; }), [&] {
                   lazy_authors(f, 1);
               }).empty());
}

BOOST_AUTO_TEST_CASE(repeat_threshold_moves_the_line_and_ignore_silences) {
    BlogFixture f;
    auto twelve_gets = [&] {
        for (int i = 0; i < 12; ++i) (void)f.blog.authors().get("username", "user" + std::to_string(i));
    };
    BOOST_TEST(diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.repeat_threshold = 13; }), twelve_gets)
                   .empty());
    BOOST_TEST(diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.ignore = {Pattern::RepeatedQuery}; }),
                             twelve_gets)
                   .empty());
    auto at_12 = diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.repeat_threshold = 12; }), twelve_gets);
    BOOST_TEST(doctor_test::require_finding(at_12, Pattern::RepeatedQuery).count == 12u);
}

BOOST_AUTO_TEST_CASE(raw_queries_of_every_select_spelling_are_grouped_and_pragmas_are_not,
                     *folio_test::sqlite_only("runs SQLite's PRAGMA statements")) {
    BlogFixture f;
    auto findings = diagnose(f.db, [&] {
        for (int i = 0; i < 10; ++i) {
            f.db.scalar("WITH n(x) AS (SELECT " + std::to_string(i) + ") SELECT x FROM n");
            f.db.scalar("  VALUES (" + std::to_string(i) + ")");
            f.db.scalar("PRAGMA user_version");
        }
    });
    std::size_t repeated = 0;
    for (const auto& x : findings) repeated += x.pattern == Pattern::RepeatedQuery;
    BOOST_TEST(repeated == 2u, doctor_test::dump(findings));  // the WITH and the VALUES, read as SELECTs
    for (const auto& x : findings) BOOST_TEST(x.sql.find("PRAGMA") == std::string::npos, x.sql);
    BOOST_TEST(doctor_test::find(findings, Pattern::RepeatedQuery)->sql.find("?") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_by_one_updates_name_update) {
    BlogFixture f(12, 0);
    auto findings = diagnose(f.db, [&] {
        for (Author a : f.blog.authors().all()) {
            a.set_bio("new");
            a.save({.update_fields = {"bio"}});
        }
    });
    const Finding& w = doctor_test::require_finding(findings, Pattern::OneByOneWrites);
    BOOST_TEST(w.count == 12u);
    BOOST_TEST(w.what.find("UPDATE") != std::string::npos, w.what);
    BOOST_TEST(w.fix.find("update(") != std::string::npos, w.fix);
}

BOOST_AUTO_TEST_CASE(scan_min_rows_moves_the_missing_index_line) {
    BlogFixture f(20, 0);
    f.db.execute("DROP INDEX author_username");
    auto lookup = [&] { (void)f.blog.authors().filter("username", "user3").first(); };
    BOOST_TEST(diagnose(f.db, lookup).empty());  // 20 rows < 1000: a scan is cheap
    auto small = diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.scan_min_rows = 20; }), lookup);
    const Finding& m = doctor_test::require_finding(small, Pattern::MissingIndex);
    BOOST_TEST(m.what.find("all 20 rows of author") != std::string::npos, m.what);
    BOOST_TEST(m.fix.find("author.username") != std::string::npos, m.fix);
    BOOST_TEST(diagnose_with(f.db, collect_with([](DoctorOptions& o) { o.scan_min_rows = 21; }), lookup).empty());
}

BOOST_AUTO_TEST_CASE(an_inner_scope_left_open_closes_quietly_with_its_outer_one) {
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    auto outer = std::make_unique<DoctorScope>(blog.db(), Doctor::Mode::Collect);
    DoctorScope inner(blog.db(), Doctor::Mode::Throw);
    for (int i = 0; i < 12; ++i) Author("u" + std::to_string(i), "", "").save(blog.db());
    // The outer scope closes first and takes the open inner one with it; its
    // own doctor (attached by the outer scope) leaves.
    outer->close();
    outer.reset();
    BOOST_TEST(Doctor::of(blog.db()) == nullptr);
    std::vector<Finding> late;
    BOOST_CHECK_NO_THROW(late = inner.close());
    BOOST_TEST(late.empty(), doctor_test::dump(late));
}

BOOST_AUTO_TEST_CASE(clear_forgets_findings_and_flush_reports_now) {
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    Doctor doctor(blog.db(), collect_with([](DoctorOptions&) {}));
    for (int i = 0; i < 12; ++i) Author("u" + std::to_string(i), "", "").save(blog.db());
    BOOST_TEST(doctor.findings().empty());  // shapes are judged when the scope ends, or at flush()
    doctor.flush();
    BOOST_REQUIRE(doctor.findings().size() == 1u);
    BOOST_TEST(doctor.findings()[0].pattern == Pattern::OneByOneWrites);
    doctor.clear();
    BOOST_TEST(doctor.findings().empty());
    // Counted afresh after flush(): two more INSERTs are under the threshold.
    for (int i = 0; i < 2; ++i) Author("v" + std::to_string(i), "", "").save(blog.db());
    doctor.flush();
    BOOST_TEST(doctor.findings().empty());
    BOOST_TEST(doctor.options().repeat_threshold == 10u);
}

BOOST_AUTO_TEST_CASE(save_of_an_unchanged_object_says_skip_it) {
    BlogFixture f(3, 0);
    auto findings = diagnose(f.db, [&] {
        Author a = f.blog.authors().get("username", "user1");
        a.save();  // nothing set since it was loaded
    });
    const Finding& full = doctor_test::require_finding(findings, Pattern::FullRowUpdate);
    BOOST_TEST(full.fix == "skip the save(), nothing changed");
    BOOST_TEST(full.what.find("though none changed") != std::string::npos, full.what);
    // update_fields naming only what changed is not flagged.
    BOOST_TEST(diagnose(f.db, [&] {
                   Author a = f.blog.authors().get("username", "user1");
                   a.set_bio("changed");
                   a.save({.update_fields = {"bio"}});
               }).empty());
}

BOOST_AUTO_TEST_CASE(slicing_a_cache_is_flagged_only_when_most_rows_are_thrown_away) {
    BlogFixture f(20, 0);
    auto slice_of_cached = [&](std::int64_t stop) {
        return diagnose(f.db, [&] {
            auto all = f.blog.authors().order_by({"id"});
            BOOST_TEST(all.results().size() == 20u);
            std::size_t names = 0;
            for (const Author& a : all.slice(0, stop)) names += a.username().size();
            BOOST_TEST(names > 0u);
        });
    };
    const auto most_dropped = slice_of_cached(9);  // 9 of 20 kept, 11 thrown away
    const Finding& s = doctor_test::require_finding(most_dropped, Pattern::SliceAfterEvaluation);
    BOOST_TEST(s.what.find("all 20 rows of Author were fetched, then sliced in memory to 9") != std::string::npos, s.what);
    BOOST_TEST(doctor_test::find(slice_of_cached(11), Pattern::SliceAfterEvaluation) == nullptr);  // most kept
}

BOOST_AUTO_TEST_CASE(large_result_rows_moves_the_line_and_a_second_pass_earns_the_cache) {
    BlogFixture f(20, 0);
    const auto at_20 = collect_with([](DoctorOptions& o) { o.large_result_rows = 20; });
    auto passes = [&](int n) {
        auto all = f.blog.authors().all();
        std::size_t names = 0;
        for (int i = 0; i < n; ++i)
            for (const Author& a : all) names += a.username().size();
        BOOST_TEST(names > 0u);
    };
    auto once = diagnose_with(f.db, at_20, [&] { passes(1); });
    const Finding& l = doctor_test::require_finding(once, Pattern::LargeResultCached);
    BOOST_TEST(l.count == 20u);
    BOOST_TEST(l.fix.find("iterator()") != std::string::npos, l.fix);
    BOOST_TEST(doctor_test::find(diagnose_with(f.db, at_20, [&] { passes(2); }), Pattern::LargeResultCached) == nullptr);
    BOOST_TEST(doctor_test::find(diagnose(f.db, [&] { passes(1); }), Pattern::LargeResultCached) == nullptr);  // 20 < 1000
}

BOOST_AUTO_TEST_CASE(size_is_counting_by_fetching_only_when_the_rows_go_unused) {
    BlogFixture f(20, 0);
    auto only_size = diagnose(f.db, [&] { BOOST_TEST(f.blog.authors().all().size() == 20u); });
    const Finding& c = doctor_test::require_finding(only_size, Pattern::CountByFetching);
    BOOST_TEST(c.what.find("fetched all 20 Author rows only to count them") != std::string::npos, c.what);
    auto then_used = diagnose(f.db, [&] {
        auto all = f.blog.authors().all();
        BOOST_TEST(all.size() == 20u);
        std::size_t names = 0;
        for (const Author& a : all) names += a.username().size();
        BOOST_TEST(names > 0u);
    });
    BOOST_TEST(doctor_test::find(then_used, Pattern::CountByFetching) == nullptr, doctor_test::dump(then_used));
}

BOOST_AUTO_TEST_CASE(objects_that_outlive_their_doctor_work_and_report_nothing) {
    // Loaded under a scope (stamped with its provenance), used after the
    // scope and its doctor left: every hook finds no doctor and stays quiet.
    BlogFixture f(5, 10);
    std::vector<Article> kept;
    std::vector<Finding> seen;
    {
        DoctorOptions o;
        o.on_finding = [&](const Finding& x) { seen.push_back(x); };
        DoctorScope scope(f.db, o);
        kept = f.blog.articles().defer({"content"}).order_by({"id"}).results();
        BOOST_TEST(scope.close().empty());
    }
    BOOST_REQUIRE(Doctor::of(f.db) == nullptr);
    BOOST_REQUIRE(kept.size() == 10u);
    std::size_t chars = 0;
    for (Article& a : kept) {
        chars += a.content().size() + a.author().username().size();  // deferred field and lazy FK loads
        chars += static_cast<std::size_t>(a.tags().count());           // a relation
        a.save();                                                       // a full-row save of nothing changed
    }
    BOOST_TEST(chars > 0u);
    BOOST_TEST(kept[0].content() == "content of article 0");
    BOOST_TEST(seen.empty(), doctor_test::dump(seen));
    // A new doctor does not judge objects of an earlier one.
    BOOST_TEST(diagnose(f.db, [&] {
                   for (const Article& a : kept) BOOST_TEST(!a.author().username().empty());
               }).empty());
}

BOOST_AUTO_TEST_CASE(a_query_whose_table_was_dropped_before_its_explain_is_passed_over) {
    // The plan of a raw SELECT is read when the scope ends; its table is gone
    // by then. The doctor has nothing to say of it, and the scope closes.
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    blog.db().execute_script("CREATE TABLE scratch (x INTEGER); INSERT INTO scratch VALUES (1)");
    std::vector<Finding> findings;
    BOOST_CHECK_NO_THROW(findings = diagnose(blog.db(), [&] {
                             BOOST_TEST(blog.db().scalar("SELECT x FROM scratch WHERE x = 1").as_integer() == 1);
                             blog.db().execute("DROP TABLE scratch");
                         }));
    BOOST_TEST(findings.empty(), doctor_test::dump(findings));
}

BOOST_AUTO_TEST_SUITE_END()
