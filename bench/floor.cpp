// The floor: parse every file with yaml-cpp's event API on N threads and do
// nothing else. harden cannot be faster than this, since it parses with
// yaml-cpp too.
//   floor THREADS FILE...   (or `floor THREADS -` to read paths from stdin)
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Ignore : YAML::EventHandler {
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: floor THREADS FILE... | floor THREADS -\n";
    return 2;
  }
  unsigned threads = static_cast<unsigned>(std::stoul(argv[1]));
  std::vector<std::string> files;
  if (std::string(argv[2]) == "-") {
    for (std::string line; std::getline(std::cin, line);) files.push_back(line);
  } else {
    files.assign(argv + 2, argv + argc);
  }
  std::atomic<std::size_t> next{0}, events{0}, failures{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      std::ifstream in(files[i], std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      std::istringstream input(text.str());
      Ignore handler;
      try {
        YAML::Parser parser(input);
        while (parser.HandleNextDocument(handler)) {
        }
      } catch (const std::exception&) {
        ++failures;
      }
      events += handler.events;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  std::cout << files.size() << " files, " << events << " events, " << failures << " parse errors\n";
  return 0;
}
