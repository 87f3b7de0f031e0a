// Contexts as tars: what pack_context writes, GNU tar (not libarchive) lists; what a client
// uploads unpacks, and an entry that climbs out of the directory is refused.
#include "server/api/context_archive.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"

namespace kiln::server {

TEST(ContextArchive, PackedContextIsATarThatGnuTarReadsAndUnpacksBack) {
  TempDir src("kiln-ctx-src"), out("kiln-ctx-out");
  std::filesystem::create_directories(src.path() / "sub");
  std::ofstream(src.path() / "Dockerfile") << "FROM scratch\n";
  std::ofstream(src.path() / "sub/main") << "binary";
  std::ostringstream tar;
  pack_context(src.path(), tar);
  const ProcessResult listing = run_process({"tar", "-tf", "-"}, {.input = tar.str()});
  EXPECT_EQ(listing.exit_code, 0) << listing.err;
  for (const char* name : {"Dockerfile\n", "sub/\n", "sub/main\n"}) EXPECT_NE(listing.out.find(name), std::string::npos) << listing.out;
  EXPECT_EQ(listing.out.find(src.path().string()), std::string::npos) << "paths are relative";

  unpack_context(tar.str(), out.path());
  std::ifstream main(out.path() / "sub/main");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(main), {}), "binary");
}

TEST(ContextArchive, RefusesEntriesOutsideTheDirectory) {
  TempDir src("kiln-ctx-src"), out("kiln-ctx-out");
  std::ofstream(src.path() / "x") << "x";
  const std::string evil = run_process({"tar", "-C", src.path().string(), "-cf", "-", "--transform", "s,^,../,", "x"}).out;
  EXPECT_THROW(unpack_context(evil, out.path() / "inner"), Error);
  EXPECT_FALSE(std::filesystem::exists(out.path() / "x"));
  EXPECT_THROW(unpack_context("not a tar at all", out.path()), Error);
}

}  // namespace kiln::server
