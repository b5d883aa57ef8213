// The query doctor through the CLI (--doctor): what the library finds shows
// in the CLI too, and the tour's rows follow the guide: every section's
// "before" is flagged, its "after" is not, and each finding is named once.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using namespace cli_test;

namespace {

struct TourRow {
    std::string section, variant;
    std::vector<std::string> findings;  // the "doctor:" lines under the row
};

// The tour's table: rows after the dashed rule, each followed by its
// "doctor: ..." and "fix: ..." lines, up to the first blank line.
std::vector<TourRow> tour_rows(const std::string& out) {
    std::vector<TourRow> rows;
    std::istringstream in(out);
    std::string line, section;
    bool table = false;
    while (std::getline(in, line)) {
        if (!table) {
            table = line.rfind("-----", 0) == 0;
            continue;
        }
        if (line.empty()) break;
        if (line.find("doctor: ") != std::string::npos) {
            BOOST_REQUIRE(!rows.empty());
            rows.back().findings.push_back(line.substr(line.find("doctor: ")));
            continue;
        }
        if (line.find("fix: ") != std::string::npos) continue;
        const std::string name = line.substr(0, 22);
        if (name.find_first_not_of(' ') != std::string::npos) section = name.substr(0, name.find_last_not_of(' ') + 1);
        rows.push_back({section, line.substr(23, 44), {}});
    }
    return rows;
}

} // namespace

BOOST_AUTO_TEST_CASE(doctor_sees_the_naive_imports_in_the_cli) {
    TempDir dir;
    const std::string db = dir / "d.sqlite3";
    BOOST_REQUIRE(run({"gen-data", "--authors", "30", "--articles", "60", "--out", dir / "d"}).code == 0);
    Result a = run({"--db", db, "--doctor", "--stats-json", dir / "a.json", "import-authors", "--naive",
                    dir / "d/old_authors.json"});
    BOOST_REQUIRE_MESSAGE(a.code == 0, a.err);
    BOOST_TEST(a.err.find("-- doctor: 1 finding(s)") != std::string::npos, a.err);
    BOOST_TEST(a.err.find("one-by-one writes: INSERT") != std::string::npos, a.err);
    auto j = nlohmann::json::parse(read_file(dir / "a.json"));
    BOOST_REQUIRE(j["findings"].size() == 1u);
    BOOST_TEST(j["findings"][0]["pattern"].get<std::string>() == "one-by-one writes");
    Result b = run({"--db", db, "--doctor", "import-articles", "--naive", dir / "d/old_articles.json"});
    BOOST_REQUIRE_MESSAGE(b.code == 0, b.err);
    BOOST_TEST(b.err.find("one-by-one writes") != std::string::npos, b.err);
    // The bulk path is clean.
    Result c = run({"--db", dir / "e.sqlite3", "--doctor", "import-authors", dir / "d/old_authors.json"});
    BOOST_REQUIRE_MESSAGE(c.code == 0, c.err);
    BOOST_TEST(c.err.find("-- doctor: 0 finding(s)") != std::string::npos, c.err);
}

BOOST_AUTO_TEST_CASE(doctor_on_the_tour_flags_every_before_and_no_after) {
    TempDir dir;
    Result t = run({"--db", dir / "t.sqlite3", "--doctor", "tour"});
    BOOST_REQUIRE_MESSAGE(t.code == 0, t.err);
    const auto rows = tour_rows(t.out);
    std::map<std::string, std::vector<const TourRow*>> sections;
    for (const auto& r : rows) sections[r.section].push_back(&r);
    BOOST_TEST(sections.size() == 12u);
    // The pattern each section's "before" teaches (the guide's own lesson).
    const std::map<std::string, std::string> lesson = {
        {"1 bulk insert", "one-by-one writes"},      {"2 article import", "one-by-one writes"},
        {"3 mass update", "full-row update"},        {"4 mass delete", "one-by-one writes"},
        {"5 export", "large result cached"},         {"6 clone", "related object loaded for its id"},
        {"7 list page", "N+1"},                      {"8 defer/only", "unused columns"},
        {"9 index", "missing index"},                {"10 len vs count", "counting by fetching"},
        {"11 count vs exists", "count compared with zero"}, {"12 lazy slicing", "slicing after evaluation"}};
    for (const auto& [name, rs] : sections) {
        BOOST_REQUIRE(rs.size() >= 2u);
        // The first row of a section is its "before", the last its "after".
        BOOST_TEST(!rs.front()->findings.empty(), name << " / " << rs.front()->variant << ": no finding");
        BOOST_REQUIRE_MESSAGE(lesson.count(name), "a section the test does not know: " << name);
        const std::string expected = "doctor: " + lesson.at(name) + ":";
        BOOST_TEST(std::any_of(rs.front()->findings.begin(), rs.front()->findings.end(),
                               [&](const std::string& f) { return f.rfind(expected, 0) == 0; }),
                   name << ": expected '" << expected << "'");
        BOOST_TEST(rs.back()->findings.empty(),
                   name << " / " << rs.back()->variant << ": " << (rs.back()->findings.empty() ? "" : rs.back()->findings[0]));
        for (const TourRow* r : rs) {
            const std::set<std::string> unique(r->findings.begin(), r->findings.end());
            BOOST_TEST(unique.size() == r->findings.size(), name << " / " << r->variant << ": a finding repeated");
        }
    }
}
