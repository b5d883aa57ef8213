// statement_shape.cpp: fuzz target for the query doctor's SQL-shape
// normaliser (lib/doctor_state.hpp: literals and placeholder lists folded so
// that statements differing only in values group together). Properties on
// any bytes: no out-of-bounds access (ASan), a shape never longer than the
// statement, no string literal left in it (no quote character), and the
// same answer twice for the same text.
#include <string>

#include "fuzz_support.hpp"
#include "lib/doctor_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string sql(reinterpret_cast<const char*>(data), size);
    bool multi = false, again = false;
    const std::string shape = folio::detail::statement_shape(sql, &multi);
    FUZZ_CHECK(shape.size() <= sql.size(), "a shape is never longer than its statement");
    FUZZ_CHECK(shape.find('\'') == std::string::npos, "every string literal is folded");
    FUZZ_CHECK(folio::detail::statement_shape(sql, &again) == shape && again == multi, "the shape is deterministic");
    return 0;
}
