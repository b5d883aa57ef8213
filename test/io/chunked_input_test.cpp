// chunked_input_test.cpp: the readers' input at its edges: a file the OS
// opens but cannot read (an I/O error mid-read) names the file and the OS
// error; a stream without a buffer is refused as unreadable; whitespace
// longer than one read chunk before the array is skipped across the chunk
// boundary, and the byte count the progress hook ends with is the whole input.
#include "test_support.hpp"

#include <sstream>
#include <string>
#include <vector>

#include "folio/io/json_records.hpp"

using namespace folio::io;
using folio_test::catch_input_error;

BOOST_AUTO_TEST_SUITE(chunked_input_edges)

BOOST_AUTO_TEST_CASE(a_read_error_names_the_file_and_the_os_error) {
    // Linux opens /proc/self/mem for reading, and reading its offset 0
    // (never mapped) fails with EIO: a real read error, no mock.
    const auto e = catch_input_error([] { read_authors("/proc/self/mem", [](AuthorRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == std::string("/proc/self/mem: read error: Input/output error"));
    BOOST_TEST(e.file() == "/proc/self/mem");
    BOOST_TEST(e.record() == InputError::npos);
}

BOOST_AUTO_TEST_CASE(a_stream_without_a_buffer_is_refused) {
    std::istream in(nullptr);
    const auto e = catch_input_error([&] { read_authors(in, "nobuf.json", [](AuthorRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == std::string("nobuf.json: cannot read stream"));
}

BOOST_AUTO_TEST_CASE(whitespace_longer_than_a_chunk_is_skipped_across_the_boundary) {
    const std::string text = std::string(read_chunk_size + 17, ' ') + "\n\t\r" +
                             R"([{"username": "ann", "email": "a@b.c", "bio": ""}])";
    std::istringstream in(text);
    std::vector<std::string> names;
    std::uint64_t last_done = 0, last_total = 0;
    const std::size_t n = read_authors(
        in, "ws.json", [&](AuthorRecord&& a, std::size_t) { names.push_back(a.username); },
        [&](std::uint64_t done, std::uint64_t total) {
            last_done = done;
            last_total = total;
        });
    BOOST_TEST(n == 1u);
    BOOST_REQUIRE(names.size() == 1u);
    BOOST_TEST(names[0] == "ann");
    BOOST_TEST(last_done == text.size());
    BOOST_TEST(last_total == text.size());
    // Only whitespace, over more than a chunk: an empty input.
    std::istringstream blank(std::string(read_chunk_size + 3, '\n'));
    const auto e = catch_input_error([&] { read_authors(blank, "blank.json", [](AuthorRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == std::string("blank.json: empty file"));
}

BOOST_AUTO_TEST_SUITE_END()
