#include "plugin/backend/native/add_archive.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/layer/archive_handle.h"
#include "tests/support/files.h"

namespace kiln::plugin {
namespace {
namespace fs = std::filesystem;
using testing::read_file;

struct TarEntry {
  std::string name;
  char type = 'f';  ///< f file, d directory, l symlink, h hard link, c character device, p FIFO
  std::string content_or_target = {};
  unsigned mode = 0644;
  unsigned uid = 0, gid = 0;
  std::int64_t declared_size = -1;  ///< -1: the content's size
};

// A tar written with libarchive: `filter` is "", "gzip", "bzip2", "xz" or "zstd".
void write_tar(const fs::path& path, const std::vector<TarEntry>& entries, const std::string& filter = "") {
  oci::WriteArchive a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  if (filter == "gzip") archive_write_add_filter_gzip(a.get());
  if (filter == "bzip2") archive_write_add_filter_bzip2(a.get());
  if (filter == "xz") archive_write_add_filter_xz(a.get());
  if (filter == "zstd") archive_write_add_filter_zstd(a.get());
  ASSERT_EQ(archive_write_open_filename(a.get(), path.c_str()), ARCHIVE_OK);
  for (const TarEntry& t : entries) {
    oci::ArchiveEntry e(archive_entry_new());
    archive_entry_set_pathname(e.get(), t.name.c_str());
    archive_entry_set_perm(e.get(), t.mode);
    archive_entry_set_uid(e.get(), t.uid);
    archive_entry_set_gid(e.get(), t.gid);
    switch (t.type) {
      case 'd': archive_entry_set_filetype(e.get(), AE_IFDIR); break;
      case 'l': archive_entry_set_filetype(e.get(), AE_IFLNK); archive_entry_set_symlink(e.get(), t.content_or_target.c_str()); break;
      case 'h': archive_entry_set_filetype(e.get(), AE_IFREG); archive_entry_set_hardlink(e.get(), t.content_or_target.c_str()); break;
      case 'c': archive_entry_set_filetype(e.get(), AE_IFCHR); archive_entry_set_rdev(e.get(), 0x0501); break;
      case 'p': archive_entry_set_filetype(e.get(), AE_IFIFO); break;
      default:
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_size(e.get(), t.declared_size >= 0 ? t.declared_size
                                                              : static_cast<std::int64_t>(t.content_or_target.size()));
    }
    ASSERT_EQ(archive_write_header(a.get(), e.get()), ARCHIVE_OK) << archive_error_string(a.get());
    if (t.type == 'f') {
      std::int64_t left = t.declared_size >= 0 ? t.declared_size : static_cast<std::int64_t>(t.content_or_target.size());
      if (t.declared_size < 0) archive_write_data(a.get(), t.content_or_target.data(), t.content_or_target.size());
      else
        for (const std::string zeros(1 << 16, '\0'); left > 0; left -= static_cast<std::int64_t>(zeros.size()))
          archive_write_data(a.get(), zeros.data(), std::min<std::size_t>(zeros.size(), static_cast<std::size_t>(left)));
    }
  }
  ASSERT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
}

class AddArchiveTest : public ::testing::Test {
 protected:
  fs::path tar(const std::vector<TarEntry>& entries, const std::string& filter = "", const std::string& name = "a.tar") {
    const fs::path path = dir_.path() / name;
    write_tar(path, entries, filter);
    return path;
  }
  std::vector<oci::LayerEntry> unpack(const fs::path& file, const std::string& destination = "/opt") {
    return unpack_archive(file, file.filename().string(), destination, dir_.path() / "scratch", budget_, "Dockerfile:2");
  }
  std::string error_of(const fs::path& file) {
    try {
      unpack(file);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"kiln-add-archive"};
  ArchiveBudget budget_;
};

TEST_F(AddArchiveTest, RecognisesTarsByContentWhateverTheirName) {
  const std::vector<TarEntry> one{{.name = "f", .content_or_target = "x"}};
  for (const std::string filter : {"", "gzip", "bzip2", "xz", "zstd"})
    EXPECT_TRUE(is_tar_archive(tar(one, filter, "archive-" + filter + ".bin"))) << filter;
  std::ofstream(dir_.path() / "notes.tar.gz") << "not an archive at all";
  EXPECT_FALSE(is_tar_archive(dir_.path() / "notes.tar.gz")) << "the name does not make it an archive";
  std::ofstream(dir_.path() / "empty.tar");
  EXPECT_FALSE(is_tar_archive(dir_.path() / "empty.tar"));
  EXPECT_FALSE(is_tar_archive(tar({}, "", "only-end-blocks.tar"))) << "a tar without an entry is copied, as by Docker";
  EXPECT_FALSE(is_tar_archive(dir_.path())) << "a directory";
}

TEST_F(AddArchiveTest, GzipOfAFileThatIsNotATarIsNotAnArchive) {
  const fs::path gz = dir_.path() / "notes.txt.gz";
  {
    oci::WriteArchive a(archive_write_new());
    archive_write_set_format_raw(a.get());
    archive_write_add_filter_gzip(a.get());
    ASSERT_EQ(archive_write_open_filename(a.get(), gz.c_str()), ARCHIVE_OK);
    oci::ArchiveEntry e(archive_entry_new());
    archive_entry_set_pathname(e.get(), "notes.txt");
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_size(e.get(), 12);
    archive_write_header(a.get(), e.get());
    archive_write_data(a.get(), "plain text\n\n", 12);
  }
  EXPECT_FALSE(is_tar_archive(gz));
}

TEST_F(AddArchiveTest, EntriesKeepOwnersModesAndLinksUnderTheDestination) {
  const auto entries = unpack(tar({{.name = "./", .type = 'd', .mode = 0700},
                                   {.name = "app/", .type = 'd', .mode = 0750, .uid = 5, .gid = 6},
                                   {.name = "app/main", .content_or_target = "main", .mode = 04755, .uid = 5, .gid = 6},
                                   {.name = "app/current", .type = 'l', .content_or_target = "main", .uid = 5, .gid = 6},
                                   {.name = "app/again", .type = 'h', .content_or_target = "app/main"},
                                   {.name = "/etc/x.conf", .content_or_target = "c"}},
                                  "gzip"));
  std::map<std::string, const oci::LayerEntry*> by_path;
  for (const auto& e : entries) by_path[e.path] = &e;
  EXPECT_FALSE(by_path.count("/opt")) << "the archive's root leaves the destination as it is";
  ASSERT_TRUE(by_path.count("/opt/app"));
  EXPECT_EQ(by_path["/opt/app"]->type, oci::LayerEntry::Type::directory);
  EXPECT_EQ(by_path["/opt/app"]->mode, 0750u);
  EXPECT_EQ(by_path["/opt/app"]->uid, 5u);
  const oci::LayerEntry& main = *by_path.at("/opt/app/main");
  EXPECT_EQ(main.mode, 04755u);
  EXPECT_EQ(main.gid, 6u);
  EXPECT_EQ(read_file(main.source), "main");
  EXPECT_EQ(by_path.at("/opt/app/current")->link_target, "main");
  EXPECT_EQ(by_path.at("/opt/app/current")->uid, 5u) << "a symlink keeps its owner, as Docker's lchown does";
  EXPECT_EQ(read_file(by_path.at("/opt/app/again")->source), "main") << "a hard link becomes a copy";
  EXPECT_EQ(by_path.at("/opt/app/again")->mode, 04755u);
  EXPECT_TRUE(by_path.count("/opt/etc/x.conf")) << "an absolute name lands under the destination";
}

TEST_F(AddArchiveTest, UnpacksAtTheRoot) {
  const auto entries = unpack(tar({{.name = "etc/app", .content_or_target = "x"}}, "bzip2"), "/");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, "/etc/app");
}

TEST_F(AddArchiveTest, RefusesEntriesThatClimbOutOrCannotBeWritten) {
  EXPECT_EQ(error_of(tar({{.name = "a/../../etc/passwd", .content_or_target = "x"}}, "", "climb.tar")),
            "Dockerfile:2: ADD climb.tar: entry 'a/../../etc/passwd' is outside the destination");
  EXPECT_EQ(error_of(tar({{.name = "x", .type = 'h', .content_or_target = "../../etc/shadow"}}, "", "hard.tar")),
            "Dockerfile:2: ADD hard.tar: entry 'x' is a hard link to '../../etc/shadow', which is not a file unpacked "
            "before it");
  EXPECT_EQ(error_of(tar({{.name = "dev/tty", .type = 'c'}}, "", "dev.tar")),
            "Dockerfile:2: ADD dev.tar: entry 'dev/tty' is a character device; the native backend unpacks files, "
            "directories and links only; build with backend: kaniko");
  EXPECT_NE(error_of(tar({{.name = "fifo", .type = 'p'}}, "", "fifo.tar")).find("is a FIFO"), std::string::npos);
  EXPECT_EQ(error_of(tar({{.name = std::string(5000, 'a'), .content_or_target = "x"}}, "", "long.tar")),
            "Dockerfile:2: ADD long.tar: an entry's name is longer than 4096 bytes");
  EXPECT_EQ(error_of(tar({{.name = "l", .type = 'l', .content_or_target = std::string(5000, 'a')}}, "", "target.tar")),
            "Dockerfile:2: ADD target.tar: entry 'l' links to a target longer than 4096 bytes");
  EXPECT_EQ(error_of(tar({{.name = "usr/.wh.bin", .content_or_target = ""}}, "", "wh.tar")),
            "Dockerfile:2: ADD wh.tar: entry 'usr/.wh.bin' has a whiteout name (.wh.*), which would delete files from "
            "the image");
}

TEST_F(AddArchiveTest, ACorruptArchiveIsAUsageError) {
  const fs::path good = tar({{.name = "a", .content_or_target = std::string(100000, 'a')},
                             {.name = "b", .content_or_target = "b"}},
                            "gzip", "cut.tar.gz");
  fs::resize_file(good, fs::file_size(good) / 2);
  EXPECT_NE(error_of(good).find("Dockerfile:2: ADD cut.tar.gz: "), std::string::npos);
}

// The attack: an archive that unpacks to far more than it weighs (xz of zeros), or to a flood of
// entries. The budget is spent across archives and stops the unpacking as it is crossed.
TEST_F(AddArchiveTest, BombsStopAtTheBudget) {
  budget_.bytes = 1 << 20;
  const fs::path bomb = tar({{.name = "zeros", .declared_size = std::int64_t{16} << 20}}, "xz", "bomb.tar.xz");
  EXPECT_LT(fs::file_size(bomb), 64u << 10) << "the archive is small";
  EXPECT_EQ(error_of(bomb), "Dockerfile:2: ADD bomb.tar.xz: entry 'zeros' is past the limit of bytes ADD unpacks in "
                            "one build");
  EXPECT_LE(fs::file_size(dir_.path() / "scratch/0"), std::uintmax_t{1} << 20) << "no more than the budget was written";

  budget_ = {.entries = 100, .bytes = 1 << 20};
  std::vector<TarEntry> many;
  for (int i = 0; i < 60; ++i) many.push_back({.name = "f" + std::to_string(i), .content_or_target = "x"});
  const fs::path half = tar(many, "", "many.tar");
  EXPECT_EQ(unpack(half).size(), 60u);
  EXPECT_EQ(error_of(half), "Dockerfile:2: ADD many.tar: entry 'f40' is past the limit of entries ADD unpacks in one "
                            "build")
      << "the second archive of the build gets what the first left";
}

}  // namespace
}  // namespace kiln::plugin
