// Cluster access as kubectl finds it: kubeconfig files (token, tokenFile, client certificate,
// CA, insecure, contexts, namespaces, KUBECONFIG lists) and the in-cluster service account.
#include "kubernetes/cluster_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "inspect/base64.h"

namespace kiln::kubernetes {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// Two clusters, three users, contexts that combine them; data fields are base64 as kubectl writes.
std::string kubeconfig() {
  return R"(apiVersion: v1
kind: Config
current-context: ci
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: )" +
         inspect::base64_encode("CA-FROM-DATA") + R"(
- name: lab
  cluster:
    server: https://lab.example:443/k8s/clusters/c-1
    certificate-authority: certs/lab-ca.pem
- name: loose
  cluster:
    server: https://loose.example
    insecure-skip-tls-verify: true
users:
- name: robot
  user:
    token: secret-token-123
- name: filer
  user:
    tokenFile: tokens/filer
- name: certy
  user:
    client-certificate-data: )" +
         inspect::base64_encode("CERT-PEM") + R"(
    client-key-data: )" + inspect::base64_encode("KEY-PEM") + R"(
- name: certfiles
  user:
    client-certificate: certs/client.pem
    client-key: certs/client-key.pem
- name: execy
  user:
    exec:
      command: aws
contexts:
- name: ci
  context: {cluster: prod, user: robot, namespace: builds}
- name: lab-filer
  context: {cluster: lab, user: filer}
- name: lab-certy
  context: {cluster: lab, user: certy, namespace: certs}
- name: lab-certfiles
  context: {cluster: lab, user: certfiles}
- name: loose-anonymous
  context: {cluster: loose}
- name: exec
  context: {cluster: prod, user: execy}
- name: dangling
  context: {cluster: nowhere, user: robot}
)";
}

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write(file_, kubeconfig());
    write(dir_.path() / "certs/lab-ca.pem", "LAB-CA");
    write(dir_.path() / "tokens/filer", "file-token-456\n");
    write(dir_.path() / "certs/client.pem", "CERT-FILE");
    write(dir_.path() / "certs/client-key.pem", "KEY-FILE");
  }
  ClusterConfig load(const std::string& context, const std::string& ns = "") {
    return load_cluster_config(Env{{{"KUBECONFIG", file_.string()}}}, {.kubeconfig = {}, .context = context, .namespace_name = ns});
  }
  TempDir dir_{"kiln-kubeconfig"};
  fs::path file_ = dir_.path() / "config";
};

TEST_F(KubeconfigTest, ReadsEachWayOfProvingWhoWeAre) {
  struct Row {
    std::string context;
    std::string server, ca, token, cert, key, ns;
    bool insecure = false;
  };
  for (const Row& row : std::vector<Row>{
           {"", "https://10.0.0.1:6443", "CA-FROM-DATA", "secret-token-123", "", "", "builds"},  // current-context
           {"lab-filer", "https://lab.example:443/k8s/clusters/c-1", "LAB-CA", "file-token-456", "", "", "default"},
           {"lab-certy", "https://lab.example:443/k8s/clusters/c-1", "LAB-CA", "", "CERT-PEM", "KEY-PEM", "certs"},
           {"lab-certfiles", "https://lab.example:443/k8s/clusters/c-1", "LAB-CA", "", "CERT-FILE", "KEY-FILE", "default"},
           {"loose-anonymous", "https://loose.example", "", "", "", "", "default", true},
       }) {
    SCOPED_TRACE("context '" + row.context + "'");
    const ClusterConfig config = load(row.context);
    EXPECT_EQ(config.server, row.server);
    EXPECT_EQ(config.ca_pem, row.ca);
    EXPECT_EQ(config.token, row.token);
    EXPECT_EQ(config.client_certificate_pem, row.cert);
    EXPECT_EQ(config.client_key_pem, row.key);
    EXPECT_EQ(config.namespace_name, row.ns);
    EXPECT_EQ(config.insecure_skip_tls_verify, row.insecure);
  }
}

TEST_F(KubeconfigTest, TheNamespaceSettingWins) {
  EXPECT_EQ(load("", "verify").namespace_name, "verify");
}

TEST_F(KubeconfigTest, TheKubeconfigSettingWinsOverTheEnvironment) {
  const auto config = load_cluster_config(Env{{{"KUBECONFIG", "/nonexistent"}}},
                                          {.kubeconfig = file_.string(), .context = "lab-filer", .namespace_name = {}});
  EXPECT_EQ(config.token, "file-token-456");
  EXPECT_EQ(config.source, "kubeconfig '" + file_.string() + "' context 'lab-filer'");
}

TEST_F(KubeconfigTest, KubeconfigListsMergeFirstDefinitionWins) {
  const fs::path first = dir_.path() / "first";
  write(first, "current-context: lab-filer\nusers:\n- name: filer\n  user:\n    token: override-token\n");
  const auto config = load_cluster_config(Env{{{"KUBECONFIG", first.string() + ":/missing:" + file_.string()}}}, {});
  EXPECT_EQ(config.server, "https://lab.example:443/k8s/clusters/c-1");
  EXPECT_EQ(config.token, "override-token");
}

TEST_F(KubeconfigTest, ErrorsNameTheFileContextAndField) {
  const std::string f = file_.string();
  struct Row {
    std::string context, message;
  };
  for (const Row& row : std::vector<Row>{
           {"nope", "kubeconfig '" + f + "' has no context 'nope'"},
           {"dangling", "kubeconfig '" + f + "' context 'dangling': cluster 'nowhere' is not defined"},
           {"exec", "user 'execy' in kubeconfig '" + f + "': 'exec' is not supported; use token, tokenFile or a client certificate"},
       }) {
    try {
      load(row.context);
      ADD_FAILURE() << row.context;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string(e.what()), row.message);
    }
  }
}

TEST_F(KubeconfigTest, SyntaxErrorsNameTheLine) {
  write(file_, "current-context: ci\nclusters: [\n  - {name: x\n");
  try {
    load("");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_EQ(std::string(e.what()).rfind("kubeconfig '" + file_.string() + "': line ", 0), 0u) << e.what();
  }
}

TEST(InCluster, ReadsTheServiceAccount) {
  TempDir dir("kiln-sa");
  write(dir.path() / "token", "sa-token-789\n");
  write(dir.path() / "ca.crt", "CLUSTER-CA");
  write(dir.path() / "namespace", "ci-jobs");
  const Env env{{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}, {"HOME", dir.path().string()}}};
  const auto config = load_cluster_config(env, {.service_account_dir = dir.path()});
  EXPECT_EQ(config.server, "https://10.96.0.1:443");
  EXPECT_EQ(config.token, "sa-token-789");
  EXPECT_EQ(config.ca_pem, "CLUSTER-CA");
  EXPECT_EQ(config.namespace_name, "ci-jobs");
  EXPECT_FALSE(config.insecure_skip_tls_verify);

  const Env ipv6{{{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "443"}}};
  EXPECT_EQ(read_in_cluster(ipv6, dir.path()).server, "https://[fd00::1]:443");
}

TEST(InCluster, AKubeconfigInHomeComesFirst) {
  TempDir dir("kiln-home");
  write(dir.path() / ".kube/config",
        "current-context: c\nclusters: [{name: k, cluster: {server: 'https://home.example'}}]\n"
        "contexts: [{name: c, context: {cluster: k}}]\n");
  const Env env{{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}, {"HOME", dir.path().string()}}};
  EXPECT_EQ(load_cluster_config(env, {}).server, "https://home.example");
}

TEST(InCluster, NothingConfiguredIsAUsageError) {
  try {
    load_cluster_config(Env{{{"HOME", "/nonexistent"}}}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "no Kubernetes cluster configured: set kubeconfig (or KUBECONFIG), or run in a pod");
  }
}

}  // namespace
}  // namespace kiln::kubernetes
