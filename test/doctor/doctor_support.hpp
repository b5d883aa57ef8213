// doctor_support.hpp: helpers of the doctor suite: run code under a scope
// that collects findings, or under a throwing scope that must stay silent.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace doctor_test {

// The findings `body` produces (Collect mode). Locals of `body` die before
// the scope closes, so end-of-life checks (unused loads, size()) are in.
inline std::vector<folio::Finding> diagnose(folio::Database& db, const std::function<void()>& body) {
    folio::DoctorScope scope(db, folio::Doctor::Mode::Collect);
    body();
    auto findings = scope.close();
    if (std::getenv("FOLIO_DOCTOR_DUMP"))  // to read the messages: FOLIO_DOCTOR_DUMP=1
        for (const auto& f : findings) std::cerr << f.to_string() << '\n';
    return findings;
}

// "" when `body` is clean under a throwing scope, else the DoctorError text.
inline std::string clean(folio::Database& db, const std::function<void()>& body,
                         std::vector<folio::Pattern> ignore = {}) {
    folio::DoctorOptions options;
    options.mode = folio::Doctor::Mode::Throw;
    options.ignore = std::move(ignore);
    try {
        folio::DoctorScope scope(db, options);
        body();
        scope.close();
    } catch (const folio::DoctorError& e) {
        return e.what();
    }
    return {};
}

// The first finding of `pattern` whose fix mentions `fix_word`, or nullptr.
inline const folio::Finding* find(const std::vector<folio::Finding>& findings, folio::Pattern pattern,
                                  const std::string& fix_word = "") {
    for (const auto& f : findings)
        if (f.pattern == pattern && f.fix.find(fix_word) != std::string::npos) return &f;
    return nullptr;
}

inline std::string dump(const std::vector<folio::Finding>& findings);

// The first finding of `pattern`, required: a missing one ends the test case
// with the findings listed (rather than a null pointer crashing the suite).
inline const folio::Finding& require_finding(const std::vector<folio::Finding>& findings, folio::Pattern pattern) {
    const folio::Finding* f = find(findings, pattern);
    BOOST_REQUIRE_MESSAGE(f != nullptr, "expected " << folio::to_string(pattern) << "; got:\n" << dump(findings));
    return *f;
}

inline std::string dump(const std::vector<folio::Finding>& findings) {
    std::string out;
    for (const auto& f : findings) out += f.to_string() + "\n";
    return out;
}

} // namespace doctor_test

// Asserts a finding of `pattern` whose fix names `fix_word`, printing all findings otherwise.
#define EXPECT_FINDING(findings, pattern, fix_word)                                                   \
    BOOST_TEST((doctor_test::find((findings), (pattern), (fix_word)) != nullptr),                    \
               "expected " << folio::to_string(pattern) << " naming '" << (fix_word) << "'; got:\n" \
                           << doctor_test::dump(findings))
