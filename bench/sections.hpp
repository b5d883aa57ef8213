// sections.hpp: one entry point per guide section, each in its own file (or
// a file per small group sharing data: §3-4, §7-8, §10-12). Each runs the
// section's before/after variants and its raw C-API limit, adding rows to
// ctx.report and statement-count failures to ctx.failures.
#pragma once

namespace folio::bench {

struct Context;

void run_section_01(Context& ctx);  // section_01_bulk_insert.cpp
void run_section_02(Context& ctx);  // section_02_m2m_import.cpp
void run_section_03(Context& ctx);  // section_03_04_update_delete.cpp
void run_section_04(Context& ctx);  // section_03_04_update_delete.cpp
void run_section_05(Context& ctx);  // section_05_export.cpp
void run_section_06(Context& ctx);  // section_06_clone.cpp
void run_section_07(Context& ctx);  // section_07_08_list_page.cpp
void run_section_08(Context& ctx);  // section_07_08_list_page.cpp
void run_section_09(Context& ctx);  // section_09_index.cpp
void run_section_10(Context& ctx);  // section_10_12_counting.cpp
void run_section_11(Context& ctx);  // section_10_12_counting.cpp
void run_section_12(Context& ctx);  // section_10_12_counting.cpp
void run_section_13(Context& ctx);  // section_13_statement_cache.cpp
void run_section_14(Context& ctx);  // section_14_import.cpp (issue 11: the import end to end)

}  // namespace folio::bench
