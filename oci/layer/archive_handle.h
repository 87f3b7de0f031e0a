#pragma once
// Owners for libarchive's handles, so an early return or an exception never leaks one.
#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace kiln::oci {

struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveEntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

/// A reader (archive_read_new, archive_read_disk_new).
using ReadArchive = std::unique_ptr<archive, ArchiveReadFree>;
/// A writer (archive_write_new, archive_write_disk_new).
using WriteArchive = std::unique_ptr<archive, ArchiveWriteFree>;
using ArchiveEntry = std::unique_ptr<archive_entry, ArchiveEntryFree>;

}  // namespace kiln::oci
