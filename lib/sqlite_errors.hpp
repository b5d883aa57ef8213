// sqlite_errors.hpp (internal): moved. SQLite's error mapping is now
// lib/backend/sqlite/errors.hpp (behind the dialect seam) and shorten_sql()
// lib/backend/sql_text.hpp; this header only forwards the latter for
// lib/backend/postgresql/, which includes it by this name until issue 10
// plugs that backend into the seam.
#pragma once

#include "lib/backend/sql_text.hpp"
