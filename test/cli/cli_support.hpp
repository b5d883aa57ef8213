// Helpers of the CLI tests: a checksum of a database's content used to prove
// that a failed command wrote nothing, and counts of output lines. Running
// `folio` as a child process, temporary directories and files are the
// suites' shared ones (test/support/), named here as cli_test::.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

// The system and standard headers the CLI test files rely on through this one.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <folio/folio.hpp>

#include "support/files.hpp"
#include "support/print.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace cli_test {

namespace fs = std::filesystem;

using folio_test::folio_bin;
using folio_test::in_dir;
using folio_test::read_file;
using folio_test::Result;
using folio_test::run;
using folio_test::spawn;
using folio_test::TempDir;
using folio_test::unprivileged;
using folio_test::wait_code;
using folio_test::write_file;

inline std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

// Lines of `err` that list a record rejected by --skip-invalid.
inline std::size_t rejected_lines(const std::string& err) {
    std::size_t n = 0;
    for (std::size_t at = err.find("rejected: "); at != std::string::npos; at = err.find("rejected: ", at + 1))
        n += at == 0 || err[at - 1] == '\n';
    return n;
}

// A database's content: row counts and a hash of every row of the blog's
// tables (the links without their surrogate id), plus the schema version
// (SQLite's user_version; the rows of PostgreSQL's folio_migrations).
inline std::string checksum(const std::string& db_path) {
    folio::Database db(db_path);
    const bool server = folio::is_postgresql_address(db_path);
    std::string summary;
    const std::vector<std::pair<std::string, std::string>> tables = {
        {"author", "SELECT * FROM author ORDER BY id"},
        {"tag", "SELECT * FROM tag ORDER BY id"},
        {"article", "SELECT * FROM article ORDER BY id"},
        {"article_tags", "SELECT article_id, tag_id FROM article_tags ORDER BY article_id, tag_id"},
    };
    summary += "version=" + db.scalar(server ? "SELECT count(*) FROM folio_migrations" : "PRAGMA user_version").repr();
    const std::string table_exists =
        server ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
               : "SELECT count(*) FROM sqlite_schema WHERE name = ?";
    for (const auto& [name, sql] : tables) {
        if (db.scalar(table_exists, {name}).as_integer() == 0) continue;
        std::uint64_t h = 1469598103934665603ull, rows = 0;
        folio::Statement st = db.prepare(sql);
        while (st.step()) {
            ++rows;
            for (int i = 0; i < st.column_count(); ++i)
                for (char c : st.column(i).repr(std::string::npos) + "\x1f") h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        }
        summary += " " + name + "=" + std::to_string(rows) + "#" + std::to_string(h);
    }
    return summary;
}

// Generates a data set in `data_dir` (gen-data) and imports it into `db`
// through the CLI, requiring each step to succeed.
inline void import_generated(const std::string& db, const std::string& data_dir, int authors, int articles,
                             int content_bytes) {
    Result g = run({"gen-data", "--authors", std::to_string(authors), "--articles", std::to_string(articles),
                    "--content-bytes", std::to_string(content_bytes), "--out", data_dir});
    BOOST_REQUIRE_MESSAGE(g.code == 0, g.err);
    Result a = run({"--db", db, "import-authors", data_dir + "/old_authors.json"});
    BOOST_REQUIRE_MESSAGE(a.code == 0, a.err);
    Result b = run({"--db", db, "import-articles", data_dir + "/old_articles.json"});
    BOOST_REQUIRE_MESSAGE(b.code == 0, b.err);
}

inline std::int64_t count_of(const std::string& db_path, const std::string& sql) {
    folio::Database db(db_path);
    return db.scalar(sql).as_integer();
}

} // namespace cli_test
