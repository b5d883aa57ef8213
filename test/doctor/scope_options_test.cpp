// A DoctorScope opened with options under an already attached doctor: every
// option applies while it is open (thresholds and on_finding too, not only
// mode and ignore), and the doctor's own are back in force when it closes,
// in whatever order nested scopes close; the mode-only scope keeps the
// options in force.
#include <boost/test/unit_test.hpp>

#include "support/blog_fixture.hpp"
#include "doctor_support.hpp"

using namespace folio;
using folio_test::BlogFixture;

namespace {
DoctorOptions options(DoctorMode mode, std::size_t repeat_threshold,
                      std::function<void(const Finding&)> on_finding = {}) {
    DoctorOptions o;
    o.mode = mode;
    o.repeat_threshold = repeat_threshold;
    o.on_finding = std::move(on_finding);
    return o;
}
// `n` lookups of one shape: a repeated query from n >= repeat_threshold.
void lookups(BlogFixture& f, int n) {
    for (int i = 0; i < n; ++i) (void)f.blog.authors().get("username", "user" + std::to_string(i));
}
std::size_t repeated(const std::vector<Finding>& findings) {
    std::size_t n = 0;
    for (const auto& f : findings) n += f.pattern == Pattern::RepeatedQuery;
    return n;
}
} // namespace

BOOST_AUTO_TEST_SUITE(doctor_scope_options)

BOOST_AUTO_TEST_CASE(a_scopes_threshold_applies_under_an_attached_doctor_and_ends_with_it) {
    BlogFixture f;
    Doctor doctor(f.db, options(DoctorMode::Collect, 10));
    {
        DoctorScope scope(f.db, options(DoctorMode::Collect, 5));
        BOOST_TEST(doctor.options().repeat_threshold == 5u);  // the options in force
        lookups(f, 5);
        const auto found = scope.close();
        BOOST_TEST(repeated(found) == 1u, doctor_test::dump(found));
        BOOST_TEST(doctor_test::require_finding(found, Pattern::RepeatedQuery).count == 5u);
    }
    BOOST_TEST(doctor.options().repeat_threshold == 10u);
    // The doctor's threshold again: five lookups are fine.
    DoctorScope plain(f.db, DoctorMode::Collect);
    lookups(f, 5);
    BOOST_TEST(plain.close().empty());
}

BOOST_AUTO_TEST_CASE(a_report_scopes_on_finding_receives_its_findings_and_the_doctors_comes_back) {
    BlogFixture f;
    std::vector<Finding> to_doctor, to_scope;
    Doctor doctor(f.db, options(DoctorMode::Report, 3, [&](const Finding& x) { to_doctor.push_back(x); }));
    {
        DoctorScope scope(f.db, options(DoctorMode::Report, 3, [&](const Finding& x) { to_scope.push_back(x); }));
        lookups(f, 3);
        (void)scope.close();
    }
    BOOST_TEST(repeated(to_scope) == 1u, doctor_test::dump(to_scope));
    BOOST_TEST(to_doctor.empty(), doctor_test::dump(to_doctor));
    // The mode-only scope keeps the doctor's sink and threshold.
    {
        DoctorScope scope(f.db, DoctorMode::Report);
        lookups(f, 3);
        (void)scope.close();
    }
    BOOST_TEST(repeated(to_doctor) == 1u, doctor_test::dump(to_doctor));
    BOOST_TEST(to_scope.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_throw_scope_destroyed_unclosed_reports_to_its_own_on_finding) {
    BlogFixture f;
    std::vector<Finding> to_doctor, to_scope;
    Doctor doctor(f.db, options(DoctorMode::Collect, 10, [&](const Finding& x) { to_doctor.push_back(x); }));
    {
        DoctorScope scope(f.db, options(DoctorMode::Throw, 4, [&](const Finding& x) { to_scope.push_back(x); }));
        lookups(f, 4);  // judged when the scope ends: its destructor reports instead of throwing
    }
    BOOST_TEST(repeated(to_scope) == 1u, doctor_test::dump(to_scope));
    BOOST_TEST(to_doctor.empty(), doctor_test::dump(to_doctor));
    BOOST_TEST(doctor.options().repeat_threshold == 10u);
}

BOOST_AUTO_TEST_CASE(nested_scopes_put_back_the_options_in_any_closing_order) {
    BlogFixture f;
    Doctor doctor(f.db, options(DoctorMode::Collect, 10));
    {
        DoctorScope outer(f.db, options(DoctorMode::Collect, 6));
        {
            DoctorScope inner(f.db, options(DoctorMode::Collect, 3));
            BOOST_TEST(doctor.options().repeat_threshold == 3u);
            lookups(f, 3);
            BOOST_TEST(repeated(inner.close()) == 1u);
        }
        BOOST_TEST(doctor.options().repeat_threshold == 6u);
        lookups(f, 3);  // 3 < 6 in the outer scope
        BOOST_TEST(outer.close().empty());
    }
    BOOST_TEST(doctor.options().repeat_threshold == 10u);
    // The outer scope closes first, with the inner one still open: both
    // scopes' options end, and the inner's later close changes nothing.
    auto outer = std::make_unique<DoctorScope>(f.db, options(DoctorMode::Collect, 6));
    DoctorScope inner(f.db, options(DoctorMode::Collect, 3));
    (void)outer->close();
    BOOST_TEST(doctor.options().repeat_threshold == 10u);
    DoctorScope later(f.db, options(DoctorMode::Collect, 2));
    BOOST_TEST(inner.close().empty());
    // The scope opened since is not the inner one's to close.
    BOOST_TEST(doctor.options().repeat_threshold == 2u);
    lookups(f, 2);
    BOOST_TEST(repeated(later.close()) == 1u);
    BOOST_TEST(doctor.options().repeat_threshold == 10u);
}

BOOST_AUTO_TEST_SUITE_END()
