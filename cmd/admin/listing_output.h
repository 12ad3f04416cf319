// How `tl-admin tickets` and `tl-admin applications` print a page of
// tickets: --format table (aligned text), json (as --json) or csv (RFC 4180
// with a header row); -q prints the codes, one a line.
#pragma once

#include <string>

#include "common/tool.h"
#include "ticket/listing.h"

namespace ticket::cli {

struct PageFlags {
  std::string page;
  std::string limit;
  std::string format = "table";
};

// Adds --page, --limit and --format to a subcommand.
void add_page_flags(CLI::App* command, PageFlags& flags);

// The page and limit flags as the filter wants them (absent when not given).
void apply_page_flags(const CLI::App* command, const PageFlags& flags, TicketFilter& filter);

enum class ListingFormat { kTable, kJson, kCsv };

// --format checked against --json; kInvalid when they disagree.
Result<ListingFormat> listing_format(const Tool& tool, const CLI::App* command,
                                     const PageFlags& flags);

// Fills `out` for the format; with `applications` the answers and decisions
// are shown too.
void render_page(const TicketPage& page, ListingFormat format, bool applications, Output& out);

}  // namespace ticket::cli
