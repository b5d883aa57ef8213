// json_reader_check.hpp: the property both JSON reader targets check,
// through the readers' public API only (include/folio/io/json_records.hpp):
// any bytes either read as records or fail with folio::io::InputError naming
// the input; records arrive in order with consecutive indexes, the count
// returned is the count delivered; and the records read, written back as
// JSON, read again to the same records.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <folio/io/json_records.hpp>

#include "fuzz_support.hpp"

namespace folio_fuzz {

// `read(istream&, name, callback)` -> count; `to_json(record)` -> json.
template <class Record, class Read, class ToJson>
void check_json_reader(const std::uint8_t* data, std::size_t size, Read read, ToJson to_json) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    std::vector<Record> records;
    std::size_t returned = 0;
    try {
        returned = read(in, "fuzz-input.json", [&](Record&& r, std::size_t index) {
            FUZZ_CHECK(index == records.size(), "record indexes are consecutive from 0");
            records.push_back(std::move(r));
        });
    } catch (const folio::io::InputError& e) {
        FUZZ_CHECK(std::string_view(e.what()).find("fuzz-input.json") != std::string_view::npos,
                   "an input error names the input");
        return;
    }
    FUZZ_CHECK(returned == records.size(), "the count returned is the count delivered");
    // Round trip: what was read is valid UTF-8 (the readers reject the
    // rest), so it dumps as JSON and must read back identically.
    nlohmann::json array = nlohmann::json::array();
    for (const Record& r : records) array.push_back(to_json(r));
    std::istringstream again(array.dump());
    std::vector<Record> second;
    try {
        read(again, "round-trip.json", [&](Record&& r, std::size_t) { second.push_back(std::move(r)); });
    } catch (const folio::io::InputError& e) {
        std::fprintf(stderr, "re-reading its own records failed: %s\n", e.what());
        FUZZ_CHECK(false, "records read back after a round trip through JSON");
    }
    FUZZ_CHECK(second == records, "records read back after a round trip through JSON are equal");
}

} // namespace folio_fuzz
