// H107 no-docker-socket: which host paths expose a container engine's API.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harden/inference.h"

using harden::engine_sockets_of;
using harden::with_interpolation_defaults;

namespace {

std::vector<std::string> engines(std::string_view source) {
  std::vector<std::string> out;
  for (const auto& socket : engine_sockets_of(source))
    out.push_back(socket.engine + (socket.through_folder ? " via folder" : ""));
  return out;
}

}  // namespace

TEST_CASE("H107: the sockets of Docker, containerd, Podman and CRI-O, wherever they lie") {
  using V = std::vector<std::string>;
  CHECK(engines("/var/run/docker.sock") == V{"Docker"});
  CHECK(engines("/run//docker.sock") == V{"Docker"});
  CHECK(engines("/home/me/.docker/run/docker.sock") == V{"Docker"});
  CHECK(engines("/run/containerd/containerd.sock") == V{"containerd"});
  CHECK(engines("/run/user/1000/podman/podman.sock") == V{"Podman"});
  CHECK(engines("/var/run/crio/crio.sock") == V{"CRI-O"});
  CHECK(engines("/var/run/cri-dockerd.sock") == V{"Docker"});
  CHECK(engines("./docker.sock") == V{"Docker"});
}

TEST_CASE("H107: a folder that holds a socket at its usual place exposes it") {
  using V = std::vector<std::string>;
  CHECK(engines("/var/run") ==
        V{"Docker via folder", "containerd via folder", "Podman via folder", "CRI-O via folder"});
  CHECK(engines("/run/") == V{"Docker via folder", "containerd via folder", "Podman via folder", "CRI-O via folder"});
  CHECK(engines("/run/containerd") == V{"containerd via folder"});
  CHECK(engines("/var") == V{"Docker via folder", "containerd via folder", "Podman via folder", "CRI-O via folder"});
  CHECK(engines("/run/user/1000") == V{"Docker via folder", "Podman via folder"});
  CHECK(engines("/run/user") == V{"Docker via folder", "Podman via folder"});
  // The host root is H106's; other folders hold no socket.
  CHECK(engines("/").empty());
  CHECK(engines("/run/secrets").empty());
  CHECK(engines("/run/user/1000/app").empty());
  CHECK(engines("/var/lib/docker").empty());
  CHECK(engines("./data").empty());
  CHECK(engines("data").empty());
}

TEST_CASE("H107: interpolation defaults are the path Compose uses when the variable is unset") {
  CHECK(with_interpolation_defaults("${DOCKER_SOCK:-/var/run/docker.sock}") == "/var/run/docker.sock");
  CHECK(with_interpolation_defaults("${SOCK-/run/docker.sock}") == "/run/docker.sock");
  CHECK(with_interpolation_defaults("${ROOT:-/srv}/data") == "/srv/data");
  CHECK(with_interpolation_defaults("${HOME}/x") == "${HOME}/x");
  CHECK(with_interpolation_defaults("$HOME/x") == "$HOME/x");
  CHECK(with_interpolation_defaults("${A:?required}") == "${A:?required}");
  CHECK(with_interpolation_defaults("${unclosed") == "${unclosed");
  CHECK(engines("${DOCKER_SOCK:-/var/run/docker.sock}") == std::vector<std::string>{"Docker"});
  CHECK(engines("${RUN:-/var/run}") == std::vector<std::string>{"Docker via folder", "containerd via folder",
                                                                 "Podman via folder", "CRI-O via folder"});
}

TEST_CASE("H108: a socket is no folder to make read-only; a folder holding one still is sensitive") {
  CHECK_FALSE(harden::sensitive_host_folder("/run/containerd/containerd.sock").has_value());
  CHECK_FALSE(harden::sensitive_host_folder("/var/run/docker.sock").has_value());
  CHECK(harden::sensitive_host_folder("/var/run").has_value());
  CHECK(harden::sensitive_host_folder("/run/secrets").has_value());
}
