// The sales report as one self-contained HTML page: inline SVG charts, no
// script, no external font or asset, readable when printed.
#pragma once

#include <string>

#include "ticket/report.h"

namespace ticket::cli {

std::string report_html(const Report& report);

}  // namespace ticket::cli
