// folio.hpp: everything of folio's public API in one include.
#pragma once

#include "folio/blog.hpp"
#include "folio/blog_io.hpp"
#include "folio/database.hpp"
#include "folio/doctor.hpp"
#include "folio/errors.hpp"
#include "folio/exclusive_load.hpp"
#include "folio/explain.hpp"
#include "folio/migrations.hpp"
#include "folio/model.hpp"
#include "folio/query.hpp"
#include "folio/queryset.hpp"
#include "folio/sql_log.hpp"
#include "folio/statement.hpp"
#include "folio/statement_cache.hpp"
#include "folio/transaction.hpp"
#include "folio/value.hpp"
