// print.hpp: lets BOOST_TEST print folio's values in failure messages (found
// by ADL in namespace folio). Include it in any suite that compares Values.
#pragma once

#include <ostream>

#include "folio/sql_log.hpp"
#include "folio/value.hpp"

namespace folio {
inline std::ostream& boost_test_print_type(std::ostream& os, const Value& v) { return os << v.repr(); }
inline std::ostream& boost_test_print_type(std::ostream& os, LoggedStatement::Kind k) {
    switch (k) {
    case LoggedStatement::Kind::Query: return os << "Query";
    case LoggedStatement::Kind::TransactionControl: return os << "TransactionControl";
    case LoggedStatement::Kind::Trigger: return os << "Trigger";
    }
    return os << "?";
}
} // namespace folio
