// The dashboard (GET /): one page built into the binary, no external asset.
// It holds no data: what it shows it asks of the read API with the token.
#pragma once

namespace ticketlemond {

const char* dashboard_page();

}  // namespace ticketlemond
