// Files the CLI writes: checked before any work is done, written whole or
// not at all (temporary file + rename), and errors that name the file and
// the OS error: a missing directory, a full device, a size limit mid-write.
#include <sys/mount.h>

#include "cli_support.hpp"

using namespace cli_test;

namespace {

struct Imported {
    TempDir dir;
    std::string db = dir / "blog.sqlite3";
    Imported() {
        Result g = run({"gen-data", "--authors", "10", "--articles", "300", "--content-bytes", "1000", "--out",
                        dir / "d"});
        BOOST_REQUIRE_MESSAGE(g.code == 0, g.err);
        BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
        BOOST_REQUIRE(run({"--db", db, "import-articles", dir / "d/old_articles.json"}).code == 0);
    }
};

// Files in `dir` other than `keep`: leftovers of a failed write.
std::vector<std::string> others(const fs::path& dir, const std::vector<std::string>& keep) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (std::find(keep.begin(), keep.end(), name) == keep.end()) out.push_back(name);
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(stats_json_is_checked_before_the_import) {
    TempDir dir;
    const std::string db = dir / "s.sqlite3";
    BOOST_REQUIRE(run({"--db", db, "migrate"}).code == 0);
    write_file(dir / "a.json", R"([{"username":"u","email":"","bio":""}])");
    for (const std::string& bad : {dir.file("missing/s.json"), std::string("/proc/folio-stats.json")}) {
        Result r = run({"--db", db, "--stats-json", bad, "import-authors", dir / "a.json"});
        BOOST_TEST(r.code == 1, bad);
        BOOST_TEST(r.err.find("cannot write '" + bad + "'") != std::string::npos, r.err);
        BOOST_TEST(r.out == "", bad);  // no "Imported ..." line: nothing ran
        BOOST_TEST(count_of(db, "SELECT count(*) FROM author") == 0);
    }
    // Written in place of an older report only when the command ends.
    write_file(dir / "s.json", "old");
    Result ok = run({"--db", db, "--stats-json", dir / "s.json", "import-authors", dir / "a.json"});
    BOOST_TEST(ok.code == 0, ok.err);
    BOOST_TEST(read_file(dir / "s.json").find("\"queries\"") != std::string::npos);
    BOOST_TEST(others(dir.path(), {"s.sqlite3", "a.json", "s.json", "s.sqlite3-wal", "s.sqlite3-shm"}).empty());
}

BOOST_AUTO_TEST_CASE(export_to_an_unwritable_place_fails_first_and_names_it) {
    Imported b;
    for (const std::string& bad : {b.dir.file("missing/out.csv"), std::string("/proc/out.csv")}) {
        Result r = run({"--db", b.db, "export-articles", bad});
        BOOST_TEST(r.code == 1, bad);
        BOOST_TEST(r.err.find("cannot write '" + bad + "'") != std::string::npos, r.err);
        BOOST_TEST((r.err.find("No such file or directory") != std::string::npos ||
                    r.err.find("ermission") != std::string::npos || r.err.find("not permitted") != std::string::npos),
                   r.err);
    }
    // A device that is full: the OS error, not "iostream error".
    Result full = run({"--db", b.db, "export-articles", "/dev/full"});
    BOOST_TEST(full.code == 1);
    BOOST_TEST(full.err.find("cannot write '/dev/full': No space left on device") != std::string::npos, full.err);
    // The same on standard output ("-") sent to a full device.
    Result piped = run({"--db", b.db, "export-articles", "-"}, {}, {"sh", "-c", "exec \"$@\" > /dev/full", "sh"});
    BOOST_TEST(piped.code == 1);
    BOOST_TEST(piped.err.find("cannot write standard output: No space left on device") != std::string::npos,
               piped.err);
}

BOOST_AUTO_TEST_CASE(export_that_fails_midway_leaves_the_old_file) {
    Imported b;
    const std::string out = b.dir / "out.csv";
    write_file(out, "previous export\n");
    // A file-size limit of 100 KiB (above SQLite's 32 KiB -shm file): the
    // export (~300 KB) fails part way, as on a full disk.
    Result r = run({"--db", b.db, "export-articles", out}, {},
                   {"sh", "-c", "trap '' XFSZ; ulimit -f 100; exec \"$@\"", "sh"});
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.err.find("cannot write '" + out + "': File too large") != std::string::npos, r.err);
    BOOST_TEST(read_file(out) == "previous export\n");
    BOOST_TEST(others(b.dir.path(), {"blog.sqlite3", "blog.sqlite3-wal", "blog.sqlite3-shm", "d", "out.csv"}).empty());
    // Without the limit it is replaced whole.
    Result ok = run({"--db", b.db, "export-articles", out});
    BOOST_TEST(ok.code == 0, ok.err);
    BOOST_TEST(lines(read_file(out)) >= 300u);
}

BOOST_AUTO_TEST_CASE(export_onto_a_full_filesystem) {
    Imported b;
    TempDir small;
    // A 64 KiB tmpfs, where the system lets us mount one (root, no container rule against it).
    if (::mount("tmpfs", small.path().c_str(), "tmpfs", 0, "size=64k") != 0) {
        BOOST_TEST_MESSAGE("cannot mount a small tmpfs here; full-filesystem case skipped");
        return;
    }
    struct Unmount {
        std::string p;
        ~Unmount() { ::umount(p.c_str()); }
    } unmount{small.path().string()};
    const std::string out = small / "out.csv";
    write_file(out, "previous export\n");
    Result r = run({"--db", b.db, "export-articles", out});
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.err.find("cannot write '" + out + "': No space left on device") != std::string::npos, r.err);
    BOOST_TEST(read_file(out) == "previous export\n");
    BOOST_TEST(others(small.path(), {"out.csv"}).empty());
}

// gen-data writes two files: both appear whole, or neither changes. Each is
// written to a temporary file beside it; the renames come after both.
BOOST_AUTO_TEST_CASE(gen_data_that_fails_on_its_second_file_changes_neither) {
    TempDir dir;
    const std::string d = dir / "d";
    auto gen = [&](const std::string& seed, const std::vector<std::string>& wrapper = {}) {
        return run({"gen-data", "--authors", "10", "--articles", "300", "--content-bytes", "1000", "--seed", seed,
                    "--out", d},
                   {}, wrapper);
    };
    BOOST_REQUIRE(gen("1").code == 0);
    const std::string old_authors = read_file(d + "/old_authors.json"), old_articles = read_file(d + "/old_articles.json");
    // A size limit the authors (~2 KB) pass and the articles (~300 KB) do
    // not, as a disk filling up after the first file.
    Result r = gen("2", {"sh", "-c", "trap '' XFSZ; ulimit -f 100; exec \"$@\"", "sh"});
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.err.find("cannot write '" + d + "/old_articles.json': File too large") != std::string::npos, r.err);
    BOOST_TEST(read_file(d + "/old_authors.json") == old_authors);  // written in full, yet not renamed
    BOOST_TEST(read_file(d + "/old_articles.json") == old_articles);
    BOOST_TEST(others(d, {"old_authors.json", "old_articles.json"}).empty());  // no temporary left
    // The second output a device that fills at once: into a new directory, nothing appears.
    const std::string fresh = dir / "fresh";
    fs::create_directories(fresh);
    fs::create_symlink("/dev/full", fresh + "/old_articles.json");
    Result full = run({"gen-data", "--authors", "10", "--articles", "30", "--out", fresh});
    BOOST_TEST(full.code == 1);
    BOOST_TEST(full.err.find("cannot write '" + fresh + "/old_articles.json': No space left on device") !=
                   std::string::npos,
               full.err);
    BOOST_TEST(!fs::exists(fresh + "/old_authors.json"));
    BOOST_TEST(others(fresh, {"old_articles.json"}).empty());
    // Without the limit both are replaced, and say the new seed.
    BOOST_REQUIRE(gen("2").code == 0);
    BOOST_TEST(read_file(d + "/old_authors.json") != old_authors);
    BOOST_TEST(read_file(d + "/old_articles.json") != old_articles);
}
