#include "oci/layer/layer_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <fstream>
#include <ostream>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/layer/archive_handle.h"
#include "oci/layer/utf8_locale.h"
#include "tests/support/files.h"

namespace kiln::oci {
namespace {
using kiln::testing::read_file;

namespace fs = std::filesystem;

// What a reader sees of one tar entry; compared whole so a test names every field it expects.
struct TarEntry {
  std::string path;
  char type = '?';  // 'f' file, 'd' directory, 'l' symlink
  unsigned mode = 0;
  std::int64_t uid = -1, gid = -1;
  std::string uname, gname;
  std::int64_t mtime = -1;
  bool atime_or_ctime = false;
  std::string link;
  std::string content;
  friend bool operator==(const TarEntry&, const TarEntry&) = default;
  friend std::ostream& operator<<(std::ostream& os, const TarEntry& e) {
    return os << e.type << " " << e.path << " " << std::oct << e.mode << std::dec << " " << e.uid << ":" << e.gid
              << " '" << e.uname << "':'" << e.gname << "' mtime=" << e.mtime << " atime/ctime=" << e.atime_or_ctime
              << " link=" << e.link << " content=" << e.content;
  }
};

std::string digest_of(std::string_view bytes) {  // independent of oci/sha256
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  std::ostringstream hex;
  for (unsigned i = 0; i < len; ++i) hex << "0123456789abcdef"[md[i] >> 4] << "0123456789abcdef"[md[i] & 15];
  return "sha256:" + hex.str();
}


void write_file(const fs::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

// Reads a blob with libarchive's read side, every filter enabled. `format_raw` yields the
// decompressed stream as one entry instead of parsing it as tar.
struct Reader {
  explicit Reader(const fs::path& blob, bool format_raw = false) : a(archive_read_new()) {
    archive_read_support_filter_all(a.get());
    if (format_raw) archive_read_support_format_raw(a.get());
    else archive_read_support_format_tar(a.get());
    EXPECT_EQ(archive_read_open_filename(a.get(), blob.c_str(), 1 << 16), ARCHIVE_OK) << archive_error_string(a.get());
  }
  std::string data() {
    std::string out;
    char buf[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(a.get(), buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  ScopedUtf8Locale utf8;  // so pax `path=` records come back as UTF-8 (see utf8_locale.h)
  ReadArchive a;
};

std::vector<TarEntry> read_entries(const fs::path& blob) {
  Reader reader(blob);
  std::vector<TarEntry> out;
  archive_entry* e = nullptr;
  while (archive_read_next_header(reader.a.get(), &e) == ARCHIVE_OK) {
    const auto text = [](const char* s) { return std::string(s ? s : ""); };
    const unsigned type = archive_entry_filetype(e);
    out.push_back(TarEntry{.path = text(archive_entry_pathname_utf8(e)),
                           .type = type == AE_IFREG ? 'f' : type == AE_IFDIR ? 'd' : type == AE_IFLNK ? 'l' : '?',
                           .mode = static_cast<unsigned>(archive_entry_perm(e)),
                           .uid = archive_entry_uid(e),
                           .gid = archive_entry_gid(e),
                           .uname = text(archive_entry_uname(e)),
                           .gname = text(archive_entry_gname(e)),
                           .mtime = archive_entry_mtime(e),
                           .atime_or_ctime = archive_entry_atime_is_set(e) || archive_entry_ctime_is_set(e),
                           .link = text(archive_entry_symlink_utf8(e)),
                           .content = reader.data()});
  }
  return out;
}

std::string decompress(const fs::path& blob) {
  Reader reader(blob, true);
  archive_entry* e = nullptr;
  EXPECT_EQ(archive_read_next_header(reader.a.get(), &e), ARCHIVE_OK);
  return reader.data();
}

LayerEntry file_entry(std::string path, std::string content, std::uint32_t mode = 0644) {
  LayerEntry e;
  e.path = std::move(path);
  e.content = std::move(content);
  e.mode = mode;
  return e;
}

TarEntry expected(char type, std::string path, unsigned mode, std::string content = "", std::string link = "") {
  return TarEntry{.path = std::move(path), .type = type, .mode = mode, .uid = 0, .gid = 0, .uname = "", .gname = "",
                  .mtime = 1700000000, .atime_or_ctime = false, .link = std::move(link), .content = std::move(content)};
}

const CompressionSettings kAllCompressions[] = {
    {.kind = Compression::none, .level = 1}, {.kind = Compression::gzip, .level = 1},
    {.kind = Compression::gzip, .level = 6}, {.kind = Compression::zstd, .level = 3}};

class WriteLayer : public ::testing::Test {
 protected:
  // A spec touching every entry kind: a streamed source file, inline files, an explicit
  // directory with its own mode, a symlink, and parents that must be added.
  LayerSpec sample_spec(const CompressionSettings& compression) {
    const fs::path source = dir_.path() / "main.bin";
    write_file(source, "\x7f" "ELF binary bytes\n");
    fs::permissions(source, fs::perms::owner_read | fs::perms::owner_write);  // 0600: the tar says 0755
    LayerEntry main;
    main.path = "/usr/local/app/main";
    main.source = source;
    LayerEntry cache;
    cache.type = LayerEntry::Type::directory;
    cache.path = "./var/cache/app/";
    cache.mode = 0700;
    LayerEntry link;
    link.type = LayerEntry::Type::symlink;
    link.path = "usr/bin/app";
    link.link_target = "/usr/local/app/main";
    return LayerSpec{.entries = {main, file_entry("etc/app.conf", "key=value\n"), cache, link, file_entry("etc/empty", "")},
                     .mtime = 1700000000,
                     .compression = compression};
  }
  fs::path blob(const std::string& name = "blob") const { return dir_.path() / name; }

  TempDir dir_{"kiln-layer-test"};
};

TEST_F(WriteLayer, ReadsBackExactlyTheExpectedEntries) {
  const std::vector<TarEntry> want = {
      expected('d', "etc/", 0755),
      expected('f', "etc/app.conf", 0644, "key=value\n"),
      expected('f', "etc/empty", 0644),
      expected('d', "usr/", 0755),
      expected('d', "usr/bin/", 0755),
      expected('l', "usr/bin/app", 0777, "", "/usr/local/app/main"),
      expected('d', "usr/local/", 0755),
      expected('d', "usr/local/app/", 0755),
      expected('f', "usr/local/app/main", 0755, "\x7f" "ELF binary bytes\n"),
      expected('d', "var/", 0755),
      expected('d', "var/cache/", 0755),
      expected('d', "var/cache/app/", 0700),
  };
  for (const auto& compression : kAllCompressions) {
    const WrittenLayer layer = write_layer(sample_spec(compression), blob());
    EXPECT_EQ(layer.blob_path, blob());
    EXPECT_EQ(layer.compression, compression.kind);
    EXPECT_EQ(read_entries(blob()), want) << "level " << compression.level;
  }
}

// COPY --chown: the entry's owner is recorded; the parents kiln adds stay root's.
TEST_F(WriteLayer, RecordsOwnersGivenPerEntry) {
  LayerEntry owned = file_entry("srv/data/file", "x");
  owned.uid = 1000;
  owned.gid = 2000;
  write_layer(LayerSpec{.entries = {owned}, .mtime = 1700000000, .compression = {}}, blob());
  TarEntry file = expected('f', "srv/data/file", 0644, "x");
  file.uid = 1000;
  file.gid = 2000;
  EXPECT_EQ(read_entries(blob()),
            (std::vector<TarEntry>{expected('d', "srv/", 0755), expected('d', "srv/data/", 0755), file}));
}

TEST_F(WriteLayer, DigestsMatchIndependentHashes) {
  for (const auto& compression : kAllCompressions) {
    const WrittenLayer layer = write_layer(sample_spec(compression), blob());
    const std::string bytes = read_file(blob());
    EXPECT_EQ(layer.digest.to_string(), digest_of(bytes));
    EXPECT_EQ(layer.size, static_cast<std::int64_t>(bytes.size()));
    EXPECT_EQ(layer.diff_id.to_string(), digest_of(decompress(blob())));
    if (compression.kind == Compression::none) {
      EXPECT_EQ(layer.digest, layer.diff_id);
    } else {
      EXPECT_NE(layer.digest, layer.diff_id);
    }
  }
}

TEST_F(WriteLayer, SameSpecGivesIdenticalBytesInAnyEntryOrder) {
  for (const auto& compression : kAllCompressions) {
    LayerSpec spec = sample_spec(compression);
    const WrittenLayer first = write_layer(spec, blob("first"));
    const WrittenLayer again = write_layer(spec, blob("again"));
    std::reverse(spec.entries.begin(), spec.entries.end());
    const WrittenLayer reversed = write_layer(spec, blob("reversed"));
    EXPECT_EQ(read_file(blob("first")), read_file(blob("again")));
    EXPECT_EQ(read_file(blob("first")), read_file(blob("reversed")));
    EXPECT_EQ(first.digest, reversed.digest);
    EXPECT_EQ(first.diff_id, again.diff_id);
  }
}

// RFC 1952: ID1 ID2 CM FLG MTIME(4) XFL OS. FLG 0 = no file name; MTIME 0 = no timestamp.
TEST_F(WriteLayer, GzipHeaderCarriesNoTimestampOrName) {
  write_layer(sample_spec({.kind = Compression::gzip, .level = 6}), blob());
  const std::string bytes = read_file(blob());
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x1f\x8b\x08\x00", 4));
  EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\0'));
}

TEST_F(WriteLayer, ZstdBlobIsAZstdFrame) {
  write_layer(sample_spec({.kind = Compression::zstd, .level = 1}), blob());
  EXPECT_EQ(read_file(blob()).substr(0, 4), "\x28\xb5\x2f\xfd");
}

// One 600-byte file: header (512) + data padded to 1024 + two zero blocks = 2560 bytes; the
// default 10240-byte record padding would make it 10240.
TEST_F(WriteLayer, TarEndsWithExactlyTwoZeroBlocks) {
  for (const auto& compression : kAllCompressions) {
    write_layer(LayerSpec{.entries = {file_entry("a", std::string(600, 'x'))}, .mtime = 0, .compression = compression},
                blob());
    const std::string tar = decompress(blob());
    ASSERT_EQ(tar.size(), 2560u);
    EXPECT_EQ(tar.substr(1536), std::string(1024, '\0'));
    EXPECT_EQ(tar.substr(1024, 88), std::string(88, 'x'));  // last data block holds the file's tail
  }
}

// libarchive 3.6.2 converts names through the thread's locale; the writer pins C.UTF-8, so
// the process locale changes nothing and the name is a UTF-8 pax `path=` record.
TEST_F(WriteLayer, Utf8NamesDoNotDependOnTheLocale) {
  const LayerSpec spec{.entries = {file_entry("usr/share/ünïcode.txt", "ü")},
                       .mtime = 1700000000,
                       .compression = {.kind = Compression::none, .level = 1}};
  const std::string previous = std::setlocale(LC_ALL, nullptr);
  ASSERT_NE(std::setlocale(LC_ALL, "C"), nullptr);
  write_layer(spec, blob("c"));
  ASSERT_NE(std::setlocale(LC_ALL, "C.UTF-8"), nullptr);
  write_layer(spec, blob("utf8"));
  std::setlocale(LC_ALL, previous.c_str());

  const std::string tar = read_file(blob("c"));
  EXPECT_EQ(tar, read_file(blob("utf8")));
  EXPECT_NE(tar.find("path=usr/share/ünïcode.txt\n"), std::string::npos);
  EXPECT_EQ(tar.find("hdrcharset"), std::string::npos);  // BINARY would mean "not UTF-8"
  const auto entries = read_entries(blob("c"));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].path, "usr/share/ünïcode.txt");
  EXPECT_EQ(entries[2].content, "ü");
}

TEST_F(WriteLayer, ErrorsNameTheInputAndLeaveNoBlob) {
  LayerEntry missing;
  missing.path = "usr/local/app/main";
  missing.source = dir_.path() / "missing";
  LayerEntry a_directory = missing;
  a_directory.source = dir_.path();
  const auto spec_of = [](std::vector<LayerEntry> entries, CompressionSettings c = {}) {
    return LayerSpec{.entries = std::move(entries), .mtime = 0, .compression = c};
  };
  const std::pair<LayerSpec, std::string> cases[] = {
      {spec_of({missing}), "layer entry 'usr/local/app/main': cannot read source file '" + dir_.path().string() +
                               "/missing': No such file or directory"},
      {spec_of({a_directory}),
       "layer entry 'usr/local/app/main': cannot read source file '" + dir_.path().string() + "': not a regular file"},
      {spec_of({file_entry("usr/bin/x", "1"), file_entry("./usr/bin/x", "2")}),
       "layer entry 'usr/bin/x' appears more than once"},
      {spec_of({file_entry("../etc/passwd", "")}), "layer entry '../etc/passwd': path must not contain '..'"},
      {spec_of({file_entry("a", "")}, {.kind = Compression::gzip, .level = 12}),
       "gzip compression level 12 is out of range 1-9"},
      {spec_of({file_entry("a", "")}, {.kind = Compression::zstd, .level = 0}),
       "zstd compression level 0 is out of range 1-19"},
  };
  for (const auto& [spec, message] : cases) {
    try {
      write_layer(spec, blob());
      ADD_FAILURE() << "no error for: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string(e.what()), message);
    }
    EXPECT_FALSE(fs::exists(blob())) << message;
  }
}

TEST_F(WriteLayer, UnwritableBlobIsAnInfraError) {
  const fs::path nowhere = dir_.path() / "no-such-dir" / "blob";
  try {
    write_layer(LayerSpec{.entries = {file_entry("a", "")}, .mtime = 0, .compression = {}}, nowhere);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_EQ(std::string(e.what()), "cannot create layer blob '" + nowhere.string() + "': No such file or directory");
  }
}

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A 64 MiB file, mostly a hole (fast to make and to compress), with data at chunk edges:
// its content must come back intact and the writer must not hold it in memory.
TEST_F(WriteLayer, StreamsLargeFilesInChunks) {
  constexpr off_t kSize = 64 << 20;
  const fs::path source = dir_.path() / "big";
  {
    const int fd = ::open(source.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, kSize), 0);
    for (off_t at : {off_t{0}, off_t{(1 << 20) - 3}, off_t{kSize / 2 + 11}, off_t{kSize - 5}}) {
      ASSERT_EQ(::pwrite(fd, "kiln!", 5, at), 5);
    }
    ::close(fd);
  }
  LayerEntry big;
  big.path = "data/big";
  big.source = source;
  // gzip in parallel blocks holds a bounded number of 1 MiB blocks in flight (parallel_gzip.h).
  // Both are written before anything is read back: ru_maxrss only grows, so the 64 MiB read
  // back would hide the next writer's peak.
  std::vector<std::pair<Compression, WrittenLayer>> written;
  for (const Compression kind : {Compression::gzip, Compression::zstd}) {
    const long rss_before = max_rss_kib();
    const fs::path out = blob(kind == Compression::gzip ? "gzip" : "zstd");
    written.emplace_back(kind, write_layer(LayerSpec{.entries = {big}, .mtime = 0, .compression = {.kind = kind, .level = 1}}, out));
    EXPECT_LT(max_rss_kib() - rss_before, 32 * 1024) << "peak memory grew by more than half the file";
  }
  for (const auto& [kind, layer] : written) {
    const std::string tar = decompress(layer.blob_path);
    EXPECT_EQ(layer.diff_id.to_string(), digest_of(tar));
    const std::string content = tar.substr(1024, kSize);  // after the "data/" and "data/big" headers
    EXPECT_EQ(digest_of(content), digest_of(read_file(source)));
    EXPECT_EQ(tar.size(), 512u + 512u + kSize + 1024u) << (kind == Compression::gzip ? "gzip" : "zstd");
  }
}

// A build that learns mid-way that the layer is not needed stops: the source is read no
// further, the partial blob is removed, and a writer that is never stopped writes the same
// bytes as write_layer().
TEST_F(WriteLayer, StopsWhenTheLayerIsNoLongerWanted) {
  const fs::path source = dir_.path() / "eight-mib";
  std::ofstream(source, std::ios::binary) << std::string(8u << 20, 'k');
  LayerEntry entry;
  entry.path = "usr/local/app/main";
  entry.source = source;
  const LayerSpec spec{.entries = {entry}, .mtime = 0, .compression = {.kind = Compression::gzip, .level = 1}};

  int asked = 0;
  std::vector<std::int64_t> read;
  const auto stopped = write_layer_unless(spec, blob("stopped"), nullptr, [&](const LayerProgress& p) {
    EXPECT_EQ(p.bytes_total, 8 << 20);
    read.push_back(p.bytes_read);
    return ++asked < 3;
  });
  EXPECT_FALSE(stopped);
  EXPECT_EQ(asked, 3) << "asked before each 1 MiB piece, and not again once told to stop";
  EXPECT_EQ(read, (std::vector<std::int64_t>{0, 1 << 20, 2 << 20})) << "the source bytes read before each piece";
  EXPECT_FALSE(fs::exists(blob("stopped")));

  asked = 0;
  const auto whole = write_layer_unless(spec, blob("whole"), nullptr, [&](const LayerProgress&) { return ++asked > 0; });
  ASSERT_TRUE(whole);
  EXPECT_EQ(asked, 8);
  EXPECT_EQ(whole->digest, write_layer(spec, blob("plain")).digest);
  EXPECT_EQ(whole->diff_id.to_string(), digest_of(decompress(whole->blob_path)));
}

TEST(LayerMediaType, FollowsTheManifestVendor) {
  const std::tuple<Compression, bool, std::string_view> cases[] = {
      {Compression::none, true, "application/vnd.docker.image.rootfs.diff.tar"},
      {Compression::gzip, true, "application/vnd.docker.image.rootfs.diff.tar.gzip"},
      {Compression::none, false, "application/vnd.oci.image.layer.v1.tar"},
      {Compression::gzip, false, "application/vnd.oci.image.layer.v1.tar+gzip"},
      {Compression::zstd, false, "application/vnd.oci.image.layer.v1.tar+zstd"},
  };
  for (const auto& [compression, docker, want] : cases) EXPECT_EQ(layer_media_type(compression, docker), want);
}

TEST(LayerMediaType, ZstdNeedsAnOciManifest) {
  try {
    layer_media_type(Compression::zstd, true);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(),
                 "zstd layers need an OCI manifest: Docker manifests have no zstd layer media type "
                 "(use gzip, or push an OCI manifest)");
  }
}

}  // namespace
}  // namespace kiln::oci
