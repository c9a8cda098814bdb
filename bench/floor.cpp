// The floor: parse every file with yaml-cpp's event API on N threads and do
// nothing else. harden cannot be faster than this, since it parses with
// yaml-cpp too.
//   floor THREADS FILE...   (or `floor THREADS -` to read paths from stdin)
#include <atomic>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "parse_only.h"

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
      if (std::optional<std::size_t> n = bench::parse_only(bench::read_file(files[i]))) events += *n;
      else ++failures;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  std::cout << files.size() << " files, " << events << " events, " << failures << " parse errors\n";
  return 0;
}
