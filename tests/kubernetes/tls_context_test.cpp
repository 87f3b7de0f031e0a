// TLS to the API server with certificates made here by openssl: the cluster CA (and only it) is
// trusted, the client certificate from memory is what lets us in, insecure-skip-tls-verify does
// what it says, and a key that does not match is refused without being printed.
#include "kubernetes/tls_context.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "inspect/base64.h"
#include "kubernetes/api_client.h"
#include "tests/support/stand_in_kubernetes_api.h"
#include "tests/support/tools.h"

namespace kiln::kubernetes {
namespace {

using kiln::testing::PodScript;
using kiln::testing::run_ok;
using kiln::testing::StandInKubernetesApi;

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA; and a
// second, unrelated CA.
class Pki {
 public:
  Pki() {
    make_ca("ca");
    make_ca("other-ca");
    make_signed("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    make_signed("client", "kiln-verify", "extendedKeyUsage=clientAuth\n");
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string pem(const std::string& name) const { return read(dir_.path() / name); }

 private:
  void make_ca(const std::string& name) {
    run_ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            file(name + ".key"), "-out", file(name + ".crt"), "-subj", "/CN=kiln-test-" + name, "-days", "1"});
  }
  void make_signed(const std::string& name, const std::string& cn, const std::string& extensions) {
    std::ofstream(file(name + ".ext")) << extensions;
    run_ok({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            file(name + ".key"), "-out", file(name + ".csr"), "-subj", "/CN=" + cn});
    run_ok({"openssl", "x509", "-req", "-in", file(name + ".csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"),
            "-CAcreateserial", "-out", file(name + ".crt"), "-days", "1", "-extfile", file(name + ".ext")});
  }
  TempDir dir_{"kiln-pki"};
};

class ClusterTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new Pki; }
  static void TearDownTestSuite() { delete pki_; }

  StandInKubernetesApi api() const {
    return StandInKubernetesApi(PodScript::succeeds, "", "",
                                kiln::testing::StandInTls{.certificate_file = pki_->file("server.crt"),
                                                          .key_file = pki_->file("server.key"),
                                                          .client_ca_file = pki_->file("ca.crt")});
  }
  ClusterConfig config(const std::string& server) const {
    return {.server = server,
            .ca_pem = pki_->pem("ca.crt"),
            .client_certificate_pem = pki_->pem("client.crt"),
            .client_key_pem = pki_->pem("client.key"),
            .namespace_name = "ci",
            .source = "kubeconfig 'k' context 'c'"};
  }
  static Pki* pki_;
};
Pki* ClusterTls::pki_ = nullptr;

TEST_F(ClusterTls, AClientCertificateFromMemoryGetsIn) {
  const auto server = api();
  ApiClient client(config(server.server()));
  EXPECT_EQ(client.pod_events("kiln-verify-x7k2p")["kind"], "EventList");
}

TEST_F(ClusterTls, AKubeconfigWithCertificateDataGetsIn) {
  const auto server = api();
  TempDir dir("kiln-kubeconfig");
  std::ofstream(dir.path() / "config")
      << "current-context: c\nclusters: [{name: k, cluster: {server: '" << server.server()
      << "', certificate-authority-data: " << inspect::base64_encode(pki_->pem("ca.crt")) << "}}]\n"
      << "users: [{name: u, user: {client-certificate-data: " << inspect::base64_encode(pki_->pem("client.crt"))
      << ", client-key-data: " << inspect::base64_encode(pki_->pem("client.key")) << "}}]\n"
      << "contexts: [{name: c, context: {cluster: k, user: u, namespace: ci}}]\n";
  ApiClient client(load_cluster_config(Env{}, {.kubeconfig = (dir.path() / "config").string()}));
  EXPECT_EQ(client.pod_events("kiln-verify-x7k2p")["kind"], "EventList");
}

TEST_F(ClusterTls, WithoutAClientCertificateTheServerRefusesUs) {
  const auto server = api();
  auto c = config(server.server());
  c.client_certificate_pem.clear();
  c.client_key_pem.clear();
  ApiClient client(c);
  try {
    client.pod_events("x");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_EQ(e.status(), 0);
    EXPECT_NE(std::string(e.what()).find("cannot list events of pod 'x' in namespace 'ci' (GET https://127.0.0.1:"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ClusterTls, OnlyTheClusterCaIsTrustedUnlessVerificationIsSkipped) {
  const auto server = api();
  auto c = config(server.server());
  c.ca_pem = pki_->pem("other-ca.crt");
  EXPECT_THROW(ApiClient(c).pod_events("x"), ApiError);
  c.insecure_skip_tls_verify = true;
  EXPECT_EQ(ApiClient(c).pod_events("x")["kind"], "EventList");
}

TEST_F(ClusterTls, AKeyThatDoesNotMatchIsRefusedWithoutPrintingIt) {
  auto c = config("https://127.0.0.1:1");
  c.client_key_pem = pki_->pem("server.key");
  try {
    make_cluster_tls_context(c, "127.0.0.1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "the client key of kubeconfig 'k' context 'c' does not match its client certificate");
  }
  c.client_key_pem = "not a key";
  try {
    make_cluster_tls_context(c, "127.0.0.1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the client key of kubeconfig 'k' context 'c' is not a PEM private key");
  }
  c.ca_pem = "garbage";
  try {
    make_cluster_tls_context(c, "127.0.0.1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the CA of kubeconfig 'k' context 'c' holds no PEM certificate");
  }
}

}  // namespace
}  // namespace kiln::kubernetes
