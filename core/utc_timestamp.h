#pragma once
// The current time as JUnit reports carry it: Ant's schema wants "YYYY-MM-DDTHH:MM:SS", with no
// zone and no fraction, so the reports that kiln writes keep it in UTC.
#include <string>

namespace kiln {

std::string utc_timestamp_now();

}  // namespace kiln
