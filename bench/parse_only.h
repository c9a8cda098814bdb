// What both floors do with a file: read it (an ifstream copied through a
// stringstream) and run yaml-cpp's event parser over it, keeping nothing.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <cstddef>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace bench {

struct CountEvents : YAML::EventHandler {
  std::size_t events = 0;
  void OnDocumentStart(const YAML::Mark&) override { ++events; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { ++events; }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnMapEnd() override {}
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number of events, or nothing when the text is not YAML.
inline std::optional<std::size_t> parse_only(const std::string& text) {
  std::istringstream input(text);
  CountEvents handler;
  try {
    YAML::Parser parser(input);
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return handler.events;
}

}  // namespace bench
