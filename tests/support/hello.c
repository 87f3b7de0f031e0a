/* The application of the tests and the demo: a static binary that says who it is and what
   it was given, so a test can tell that its own output came back from a container. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
  char cwd[4096];
  printf("hello from kiln (cwd %s, argv0 %s", getcwd(cwd, sizeof cwd) ? cwd : "?", argv[0]);
  for (int i = 1; i < argc; ++i) printf(", arg %s", argv[i]);
  printf(")\n");
  return 0;
}
