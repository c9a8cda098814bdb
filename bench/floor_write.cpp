// The write floor: the least that `--write` must do on top of nothing,
// for a tool that verifies every rewrite with a second parse and replaces
// files durably. For each file: parse the original with yaml-cpp's event
// API, parse the rewritten text the same way, and when they differ put the
// rewritten text in place the way harden does: a temporary file beside the
// target with the target's permissions; the workers hand groups of 32 to a
// committing thread, which takes what waits and does one syncfs, the
// renames, one syncfs, while the workers go on parsing. No model, no
// rules, no edits, no report.
//   floor_write THREADS ORIGINALS REWRITTEN TARGET < RELATIVE_PATHS
// ORIGINALS, REWRITTEN and TARGET are folders holding the same relative
// paths: the corpus, harden's --write output of it, and a fresh copy of
// the corpus to write into.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parse_only.h"

namespace {

struct Staged {
  std::string temp, target;
};

// Commits what the workers hand over, on a thread of its own.
class Committer {
 public:
  explicit Committer(const std::string& folder) : dir_(::open(folder.c_str(), O_RDONLY | O_DIRECTORY)) {}
  ~Committer() { ::close(dir_); }

  void push(std::vector<Staged>&& group) {
    std::lock_guard lock(mutex_);
    for (Staged& s : group) waiting_.push_back(std::move(s));
    group.clear();
    work_.notify_one();
  }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    work_.notify_one();
    thread_.join();
  }

 private:
  void loop() {
    for (;;) {
      std::vector<Staged> group;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !waiting_.empty() || closing_; });
        if (waiting_.empty()) return;
        group.swap(waiting_);
      }
      if (::syncfs(dir_) != 0) std::perror("syncfs");
      for (const Staged& s : group)
        if (::rename(s.temp.c_str(), s.target.c_str()) != 0) std::perror("rename");
      if (::syncfs(dir_) != 0) std::perror("syncfs");
    }
  }

  int dir_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::vector<Staged> waiting_;
  bool closing_ = false;
  std::thread thread_{[this] { loop(); }};  // last: starts once the members above exist
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: floor_write THREADS ORIGINALS REWRITTEN TARGET < RELATIVE_PATHS\n";
    return 2;
  }
  unsigned threads = static_cast<unsigned>(std::stoul(argv[1]));
  std::string originals = argv[2], rewritten = argv[3], target = argv[4];
  std::vector<std::string> files;
  for (std::string line; std::getline(std::cin, line);) files.push_back(line);
  std::atomic<std::size_t> next{0}, written{0};
  Committer committer(target);
  auto worker = [&] {
    std::vector<Staged> staged;
    for (std::size_t i = next++; i < files.size(); i = next++) {
      std::string before = bench::read_file(originals + "/" + files[i]);
      std::string after = bench::read_file(rewritten + "/" + files[i]);
      bench::parse_only(before);
      if (after == before) continue;
      bench::parse_only(after);
      std::string path = target + "/" + files[i];
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) continue;
      std::size_t slash = path.rfind('/') + 1;  // 0 without one
      std::string temp = path.substr(0, slash) + "." + path.substr(slash) + ".floor-XXXXXX";
      int fd = ::mkstemp(temp.data());
      if (fd < 0) continue;
      if (::write(fd, after.data(), after.size()) != static_cast<ssize_t>(after.size())) std::perror("write");
      ::fchmod(fd, st.st_mode & 07777);
      ::close(fd);
      staged.push_back({temp, path});
      ++written;
      if (staged.size() >= 32) committer.push(std::move(staged));
    }
    committer.push(std::move(staged));
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  committer.finish();
  std::cout << files.size() << " files, " << written << " written\n";
  return 0;
}
