#pragma once
// The permission strings of container-structure-test specs: Go's os.FileMode.String(), not
// ls's. Type and special-bit letters come first, in the order of Go's "dalTLDpSugct?", then nine
// rwx characters; a lone "-" stands in when there is no letter. So setuid 04755 is
// "urwxr-xr-x" and sticky /tmp is "dtrwxrwxrwx".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "inspect/facts.h"

namespace kiln::verify {

/// The Go FileMode string of an entry as the image stores it (symlinks not followed). A hard
/// link is "-": tar's FileInfo gives it no type bit.
std::string go_file_mode(inspect::FileStat::Type type, std::uint32_t mode);
/// Whether `text` is something go_file_mode can produce.
bool is_go_file_mode(std::string_view text);

/// "file", "directory", "symlink", "hardlink", "chardevice", "blockdevice", "fifo", "socket".
std::string_view file_type_name(inspect::FileStat::Type type);
std::optional<inspect::FileStat::Type> parse_file_type(std::string_view name);

/// "0755": four octal digits.
std::string octal_mode(std::uint32_t mode);
/// Parses "755" or "0755" or "04755"; nullopt unless 3–5 octal digits within 07777.
std::optional<std::uint32_t> parse_octal_mode(std::string_view text);

}  // namespace kiln::verify
