// The bundle's launcher (ci/bundle.sh): <bundle>/kiln-plugin and <bundle>/kiln-verify are copies
// of this static program. It finds the bundle through /proc/self/exe and runs the real program
// with the bundle's own glibc loader and libraries, so the bundle needs nothing from the root
// filesystem (no shell, no /lib, no ld.so.cache) and works from any path:
//
//   <bundle>/lib/ld.so --library-path <bundle>/lib --argv0 <bundle>/<name>
//       <bundle>/lib/<name> args...
//
// argv[0] becomes the launcher's absolute path, so the program can find files next to it
// (kiln-verify's kiln-probe): under an explicit loader its own /proc/self/exe is the loader.
// --argv0 needs glibc >= 2.33 (bookworm: 2.36).
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// ci/bundle.sh links lib/ld.so to the loader under its own name (ld-linux-x86-64.so.2,
// ld-linux-aarch64.so.1, ...), so this program is the same on every architecture.
#define KILN_LOADER_NAME "ld.so"

static int fail(const char* what, const char* path) {
  fprintf(stderr, "kiln launcher: %s %s: %s\n", what, path, strerror(errno));
  return 127;
}

int main(int argc, char** argv) {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return fail("cannot read", "/proc/self/exe");
  self[n] = '\0';
  char* slash = strrchr(self, '/');
  if (!slash) return fail("no directory in", self);
  const char* name = slash + 1;

  char dir[PATH_MAX], lib[PATH_MAX], loader[PATH_MAX], program[PATH_MAX];
  const int dir_len = (int)(slash - self);
  if (snprintf(dir, sizeof dir, "%.*s", dir_len, self) >= (int)sizeof dir ||
      snprintf(lib, sizeof lib, "%s/lib", dir) >= (int)sizeof lib ||
      snprintf(loader, sizeof loader, "%s/%s", lib, KILN_LOADER_NAME) >= (int)sizeof loader ||
      snprintf(program, sizeof program, "%s/%s", lib, name) >= (int)sizeof program) {
    errno = ENAMETOOLONG;
    return fail("path too long:", self);
  }

  // loader --library-path lib --argv0 self program args... NULL
  char** args = calloc((size_t)argc + 7, sizeof *args);
  if (!args) return fail("out of memory for", "argv");
  int i = 0;
  args[i++] = loader;
  args[i++] = "--library-path";
  args[i++] = lib;
  args[i++] = "--argv0";
  args[i++] = self;
  args[i++] = program;
  for (int a = 1; a < argc; ++a) args[i++] = argv[a];
  args[i] = NULL;
  execv(loader, args);
  return fail("cannot run", loader);
}
