#pragma once
// Any bytes made fit for an XML 1.0 document: command output and file contents may hold
// invalid UTF-8 and control characters, which no XML parser accepts even escaped.
#include <cstddef>
#include <string>
#include <string_view>

namespace kiln::verify {

/// `bytes` as well-formed UTF-8 with only XML 1.0 characters: invalid sequences become U+FFFD,
/// characters XML forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF) are dropped. At most
/// `max_bytes` of the result are kept, cut on a character boundary, followed by a note that says
/// how much was left out.
std::string xml_text(std::string_view bytes, std::size_t max_bytes = std::string::npos);

}  // namespace kiln::verify
