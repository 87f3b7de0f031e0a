// kiln-make-base: pushes the busybox-static base image the demo builds on.
// Usage: kiln-make-base <registry host:port> <repository> <tag> [--oci] [--multi-platform]
#include <iostream>
#include <memory>

#include "core/error.h"
#include "tests/support/busybox_image.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: kiln-make-base <registry host:port> <repository> <tag> [--oci] [--multi-platform]\n";
    return 2;
  }
  kiln::testing::BusyboxBase base{.repository = argv[2], .tag = argv[3]};
  for (int i = 4; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--oci") base.format = kiln::testing::ImageFormat::oci;
    else if (arg == "--multi-platform") base.multi_platform = true;
    else {
      std::cerr << "kiln-make-base: unknown option " << arg << "\n";
      return 2;
    }
  }
  try {
    // Plain HTTP: this tool only ever talks to the demo's own registry on 127.0.0.1.
    kiln::oci::RegistryClient client(argv[1], std::make_shared<kiln::oci::AnonymousKeychain>(),
                                     kiln::oci::RegistryOptions{.insecure = true});
    const auto digest = kiln::testing::push_busybox_base(client, base);
    std::cout << argv[1] << "/" << base.repository << ":" << base.tag << "@" << digest.to_string() << "\n";
    return 0;
  } catch (const kiln::Error& e) {
    std::cerr << "kiln-make-base: " << e.what() << "\n";
    return static_cast<int>(e.exit_class());
  }
}
