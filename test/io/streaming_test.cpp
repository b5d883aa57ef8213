// Checks that the JSON reader really streams: reading a generated ~50 MB
// articles file must raise the process's peak RSS by far less than the file
// size (a DOM parse would need several times the file size).
#include "test_support.hpp"

#include <fstream>

#include <sys/resource.h>

#include "folio/io/datagen.hpp"
#include "folio/io/json_records.hpp"

using namespace folio::io;

namespace {

// Peak resident set size of this process in bytes (Linux reports KiB).
std::uint64_t peak_rss_bytes() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024u;
}

// Linux lets a process reset its own peak-RSS mark ("5" in clear_refs), so
// memory used by earlier tests does not hide growth; best effort elsewhere.
void reset_peak_rss() {
    std::ofstream f("/proc/self/clear_refs");
    if (f) f << "5";
}

} // namespace

BOOST_AUTO_TEST_SUITE(streaming)

// AddressSanitizer keeps freed memory in quarantine and adds shadow memory,
// so peak RSS says nothing about the reader there: the case is skipped (and
// reported as skipped) in sanitizer builds, and runs in every other build.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMeasurableRss = false;
#else
constexpr bool kMeasurableRss = true;
#endif

BOOST_AUTO_TEST_CASE(reading_50mb_keeps_peak_rss_small, *boost::unit_test::enable_if<kMeasurableRss>()) {
    folio_test::TempDir dir;
    GenOptions o;
    o.authors = 500;
    o.articles = 5000;
    o.content_bytes = 10000;
    o.seed = 3;
    const GenResult r = write_dataset(dir.path(), o);
    BOOST_TEST_MESSAGE("articles file: " << r.articles_bytes << " bytes");
    BOOST_REQUIRE_GT(r.articles_bytes, 50'000'000u);

    reset_peak_rss();
    const std::uint64_t before = peak_rss_bytes();
    std::uint64_t content = 0;
    std::uint64_t last_progress = 0;
    std::size_t progress_calls = 0;
    const std::size_t n = read_articles(
        dir / "old_articles.json",
        [&](ArticleRecord&& a, std::size_t) { content += a.content.size(); },
        [&](std::uint64_t done, std::uint64_t total) {
            BOOST_REQUIRE_GE(done, last_progress);
            BOOST_REQUIRE_EQUAL(total, r.articles_bytes);
            last_progress = done;
            ++progress_calls;
        });
    const std::uint64_t after = peak_rss_bytes();
    BOOST_TEST(n == o.articles);
    BOOST_TEST(content >= o.articles * o.content_bytes);
    BOOST_TEST(last_progress == r.articles_bytes);
    BOOST_TEST(progress_calls > r.articles_bytes / read_chunk_size);
    BOOST_TEST_MESSAGE("peak RSS before " << before << ", after " << after);
    BOOST_TEST(after - before < r.articles_bytes / 4, "peak RSS grew by " << (after - before));
}

BOOST_AUTO_TEST_SUITE_END()
