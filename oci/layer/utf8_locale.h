#pragma once
// Runs libarchive name conversions under a UTF-8 LC_CTYPE, whatever the process locale is.
//
// Why: libarchive 3.6.2 converts entry names through the current locale even when they were
// set with archive_entry_set_pathname_utf8(). In the "C" locale (what a program gets unless
// it calls setlocale) a non-ASCII name makes archive_write_header() crash (libarchive#2233,
// fixed upstream by #2856), and readers report "can't be converted" for pax `path=` records.
// Under a UTF-8 locale the conversion is the identity, so the bytes written never depend on
// the caller's locale.
#include <locale.h>

namespace kiln::oci {

/// Switches the calling thread (uselocale, not setlocale: other threads and the process
/// locale are untouched) to C.UTF-8 until destruction. Throws kiln::Error(infra) when the C
/// library has no C.UTF-8 (glibc has it built in since 2.35).
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale();
  ~ScopedUtf8Locale();
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

 private:
  locale_t utf8_ = nullptr;
  locale_t previous_ = nullptr;
};

}  // namespace kiln::oci
