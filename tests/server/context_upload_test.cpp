// Uploaded contexts against a real kiln-server: bounded in unpacked bytes and entries (a small
// gzip of zeros must not fill the disk), no setuid bits, no devices or FIFOs, and every
// directory that holds them (or other secrets) private to the server's user.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>

#include "oci/layer/archive_handle.h"
#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

struct TarEntry {
  std::string name;
  mode_t type = AE_IFREG;
  int mode = 0644;
  std::int64_t size = 0;  ///< bytes of zeros, for AE_IFREG
};

// A tar built with libarchive, gzip-compressed when asked: what a hostile client can send.
std::string make_tar(const std::vector<TarEntry>& entries, bool gzip) {
  oci::WriteArchive tar(archive_write_new());
  archive_write_set_format_pax_restricted(tar.get());
  if (gzip) archive_write_add_filter_gzip(tar.get());
  std::string out;
  archive_write_open(
      tar.get(), &out, nullptr,
      [](archive*, void* client, const void* buffer, size_t n) -> la_ssize_t {
        static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  const std::string zeros(1 << 20, '\0');
  for (const TarEntry& e : entries) {
    oci::ArchiveEntry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), e.name.c_str());
    archive_entry_set_filetype(entry.get(), e.type);
    archive_entry_set_perm(entry.get(), static_cast<mode_t>(e.mode));
    archive_entry_set_size(entry.get(), e.type == AE_IFREG ? e.size : 0);
    if (e.type == AE_IFCHR) archive_entry_set_rdev(entry.get(), makedev(1, 3));
    archive_write_header(tar.get(), entry.get());
    for (std::int64_t left = e.type == AE_IFREG ? e.size : 0; left > 0;) {
      const auto n = static_cast<size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(zeros.size())));
      archive_write_data(tar.get(), zeros.data(), n);
      left -= static_cast<std::int64_t>(n);
    }
  }
  archive_write_close(tar.get());
  return out;
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<fs::path> uploads(const fs::path& data) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(data / "contexts")) out.push_back(e.path());
  return out;
}

class ServerUploads : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kiln-server-uploads");
    server_ = new ServerProcess(dir_->path() / "data",
                                {.extra = {{"max_context_bytes", "1048576"}, {"max_context_entries", "50"}}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static HttpReply upload(const std::string& tar) { return server_->request("POST", "/v1/contexts", tar, kToken, "application/x-tar"); }
  static fs::path data() { return dir_->path() / "data"; }

  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* ServerUploads::dir_ = nullptr;
ServerProcess* ServerUploads::server_ = nullptr;

}  // namespace

TEST_F(ServerUploads, AGzipBombStopsAtMaxContextBytesBeforeItsDataIsWritten) {
  const auto before = uploads(data()).size();
  // 256 MiB of zeros in about 250 KB of gzip: before, all of it was written out.
  const std::string bomb = make_tar({{.name = "Dockerfile", .size = 100}, {.name = "zeros", .size = std::int64_t{256} << 20}}, true);
  ASSERT_LT(bomb.size(), 1u << 20);
  const HttpReply r = upload(bomb);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"], "context upload: entry 'zeros' (268435456 bytes) takes the unpacked context past the limit of "
                               "1048576 bytes (max_context_bytes)");
  EXPECT_EQ(uploads(data()).size(), before) << "a refused upload leaves nothing behind";
  // Just under the limit is fine.
  const HttpReply fits = upload(make_tar({{.name = "a", .size = 600 << 10}, {.name = "b", .size = 400 << 10}}, true));
  EXPECT_EQ(fits.status, 201) << fits.body;
}

TEST_F(ServerUploads, TooManyEntriesStopAtMaxContextEntries) {
  std::vector<TarEntry> many;
  for (int i = 0; i < 51; ++i) many.push_back({.name = "f" + std::to_string(i)});
  const HttpReply r = upload(make_tar(many, false));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"], "context upload: entry 'f50' is one more than the limit of 50 entries (max_context_entries)");
  many.pop_back();
  EXPECT_EQ(upload(make_tar(many, false)).status, 201);
}

TEST_F(ServerUploads, SetuidSetgidAndStickyBitsAreDropped) {
  const HttpReply r = upload(make_tar({{.name = "bin", .type = AE_IFDIR, .mode = 01777},
                                       {.name = "bin/planted", .mode = 04755, .size = 10},
                                       {.name = "bin/group", .mode = 02711, .size = 10}},
                                      false));
  ASSERT_EQ(r.status, 201) << r.body;
  const fs::path ctx = data() / "contexts" / r.json()["id"].get<std::string>();
  EXPECT_EQ(mode_of(ctx / "bin/planted"), 0755u);
  EXPECT_EQ(mode_of(ctx / "bin/group"), 0711u);
  EXPECT_EQ(mode_of(ctx / "bin"), 0777u);
}

TEST_F(ServerUploads, DevicesAndFifosAreRefusedNamingTheEntry) {
  const auto before = uploads(data()).size();
  const HttpReply device = upload(make_tar({{.name = "Dockerfile", .size = 10}, {.name = "dev/mem", .type = AE_IFCHR, .mode = 0666}}, false));
  EXPECT_EQ(device.status, 400);
  EXPECT_EQ(device.json()["error"],
            "context upload: entry 'dev/mem' is a character device; a build context holds files, directories and links only");
  const HttpReply fifo = upload(make_tar({{.name = "pipe", .type = AE_IFIFO}}, false));
  EXPECT_EQ(fifo.status, 400);
  EXPECT_EQ(fifo.json()["error"], "context upload: entry 'pipe' is a FIFO; a build context holds files, directories and links only");
  EXPECT_EQ(uploads(data()).size(), before);
}

TEST_F(ServerUploads, UploadsAndTheDataDirsSecretsArePrivate) {
  const HttpReply r = upload(make_tar({{.name = "Dockerfile", .size = 10}}, false));
  ASSERT_EQ(r.status, 201) << r.body;
  // Before: 0755, so any local user could reach (and run) what a client uploaded.
  EXPECT_EQ(mode_of(data() / "contexts"), 0700u);
  EXPECT_EQ(mode_of(data() / "contexts" / r.json()["id"].get<std::string>()), 0700u);
  for (const char* dir : {"logs", "reports", "tmp"}) EXPECT_EQ(mode_of(data() / dir), 0700u) << dir;
  EXPECT_EQ(mode_of(data() / "kiln-server.db"), 0600u);
  EXPECT_EQ(mode_of(data() / "secret.key"), 0600u);
}

}  // namespace kiln::testing
