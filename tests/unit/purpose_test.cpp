// Fixes that keep the service's purpose: a monitoring agent's host-root
// bind, privileged on Docker-in-Docker or with host devices are removed
// only by an unsafe fix, never by a default run.
#include <doctest/doctest.h>

#include <string>

#include "findings.h"
#include "harden/pipeline.h"
#include "harden/report.h"
#include "harden/rule.h"

using namespace harden;
using harden::test::finding_of;

namespace {

FileResult run(const std::string& text, bool unsafe_fixes = false) {
  Options options;
  options.unsafe_fixes = unsafe_fixes;
  FileResult result = process_text("compose.yaml", text, options);
  REQUIRE_FALSE(result.error.has_value());
  return result;
}

}  // namespace

TEST_CASE("purpose: a read-only host-root bind of a monitoring agent is an unsafe removal") {
  const std::string text =
      "services:\n  node:\n    image: prom/node-exporter:v1.9.1\n    volumes:\n      - /:/host:ro,rslave\n"
      "    command:\n      - '--path.rootfs=/host'\n";
  FileResult result = run(text);
  const Finding* h106 = finding_of(result, "H106", "node");
  REQUIRE(h106);
  CHECK_FALSE(h106->fixed);
  CHECK(fix_safety_name(*h106) == "unsafe");
  CHECK(result.output.find("- /:/host:ro,rslave") != std::string::npos);
  REQUIRE_FALSE(h106->reasons.empty());
  CHECK(h106->reasons[0].starts_with("image prom/node-exporter:v1.9.1 is a host-monitoring agent (profile "
                                     "node-exporter)"));

  FileResult unsafe = run(text, true);
  CHECK(unsafe.output.find("/:/host") == std::string::npos);
}

TEST_CASE("purpose: cadvisor's /:/rootfs:ro stays in a default run") {
  const std::string text =
      "services:\n  cadvisor:\n    image: gcr.io/cadvisor/cadvisor:v0.52.1\n    volumes:\n      - /:/rootfs:ro\n"
      "      - /sys:/sys:ro\n";
  FileResult result = run(text);
  CHECK(result.output.find("- /:/rootfs:ro") != std::string::npos);
  CHECK_FALSE(finding_of(result, "H106", "cadvisor")->fixed);
}

TEST_CASE("purpose: an unprofiled service that passes the mount's target in its command or environment") {
  FileResult command = run(
      "services:\n  agent:\n    image: example/agent\n    volumes:\n      - /:/hostfs:ro\n"
      "    command: agent --root=/hostfs/proc\n");
  const Finding* h106 = finding_of(command, "H106", "agent");
  REQUIRE(h106);
  CHECK_FALSE(h106->fixed);
  CHECK(h106->reasons[0] == "the service reads the host through this mount: it passes --root=/hostfs/proc to the "
                            "container; removing it is an unsafe fix");

  FileResult environment = run(
      "services:\n  agent:\n    image: example/agent\n    volumes:\n      - /:/hostfs:ro\n"
      "    environment:\n      HOST_MOUNT_PREFIX: /hostfs\n");
  CHECK_FALSE(finding_of(environment, "H106", "agent")->fixed);

  // Nothing names the target: the mount is removed by default.
  FileResult plain = run("services:\n  app:\n    image: example/app\n    volumes:\n      - /:/host:ro\n"
                         "    command: app --data=/data\n");
  CHECK(finding_of(plain, "H106", "app")->fixed);
  CHECK(plain.output.find("/:/host") == std::string::npos);
}

TEST_CASE("purpose: privileged on Docker-in-Docker or with host devices is an unsafe removal") {
  const auto privileged_kept = [](const std::string& text) {
    FileResult result = run(text);
    const Finding* h101 = finding_of(result, "H101", "svc");
    REQUIRE(h101);
    CHECK_FALSE(h101->fixed);
    CHECK(fix_safety_name(*h101) == "unsafe");
    CHECK(result.output.find("privileged: true") != std::string::npos);
    FileResult unsafe = run(text, true);
    CHECK(unsafe.output.find("privileged") == std::string::npos);
    return h101->reasons.empty() ? std::string() : h101->reasons[0];
  };
  CHECK(privileged_kept("services:\n  svc:\n    image: docker:26-dind\n    privileged: true\n")
            .starts_with("image docker:26-dind needs privileged mode (profile docker-dind)"));
  CHECK(privileged_kept("services:\n  svc:\n    image: ghcr.io/k3d-io/k3d:5.8.3-dind\n    privileged: true\n")
            .starts_with("image ghcr.io/k3d-io/k3d:5.8.3-dind runs Docker-in-Docker"));
  CHECK(privileged_kept("services:\n  svc:\n    image: example/usb\n    privileged: true\n    devices:\n"
                        "      - /dev/ttyUSB0:/dev/ttyUSB0\n")
            .starts_with("the service passes host devices (/dev/ttyUSB0:/dev/ttyUSB0)"));

  // A plain privileged service loses it by default.
  FileResult plain = run("services:\n  svc:\n    image: nginx\n    privileged: true\n");
  CHECK(finding_of(plain, "H101", "svc")->fixed);
  CHECK(fix_safety_name(*finding_of(plain, "H101", "svc")) == "safe");
}
