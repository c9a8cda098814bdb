#include "harden/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

namespace harden {
namespace fs = std::filesystem;

namespace {

// Up to this many files, each file and folder gets its own fsync; above,
// one syncfs per filesystem flushes them all at once.
constexpr std::size_t kMaxSeparateFlushes = 2;

std::string errno_text() { return std::strerror(errno); }

bool write_all(int fd, std::string_view content) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// Flushes the folder of `file` (fsync), or its whole filesystem (syncfs).
bool flush_folder_of(const std::string& file, bool whole_filesystem) {
  fs::path folder = fs::path(file).parent_path();
  if (folder.empty()) folder = ".";  // a file named without a folder
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir < 0) return false;
  bool ok = (whole_filesystem ? ::syncfs(dir) : ::fsync(dir)) == 0;
  ::close(dir);
  return ok;
}

}  // namespace

WriteBatch::WriteBatch(WriteBatch&& other) noexcept : staged_(std::move(other.staged_)) {
  other.staged_.clear();
  other.release_signals();
}

void WriteBatch::absorb(WriteBatch&& other) {
  staged_.insert(staged_.end(), std::make_move_iterator(other.staged_.begin()),
                 std::make_move_iterator(other.staged_.end()));
  other.staged_.clear();
  other.release_signals();
}

WriteBatch::~WriteBatch() {
  for (Staged& s : staged_) {
    if (s.fd >= 0) ::close(s.fd);
    ::unlink(s.temp.c_str());
  }
  staged_.clear();
  release_signals();
}

void WriteBatch::hold_signals() {
  if (holding_) return;
  sigset_t held;
  sigemptyset(&held);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&held, sig);
  holding_ = ::pthread_sigmask(SIG_BLOCK, &held, &previous_) == 0;
}

void WriteBatch::release_signals() {
  if (!holding_) return;
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  holding_ = false;
}

std::optional<std::string> WriteBatch::stage(const std::string& path, std::string_view content) {
  hold_signals();  // before the temporary file exists
  auto done = [&](std::optional<std::string> error) {
    if (staged_.empty()) release_signals();
    return error;
  };
  // Rewrite the target of a symlink, never the link itself. (Links among
  // the folders above need nothing: the file is replaced where it is.)
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return done("cannot stat the file: " + errno_text());
  fs::path target = path;
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    target = fs::canonical(path, ec);
    if (ec) return done("cannot resolve the path: " + ec.message());
    if (::stat(target.c_str(), &st) != 0) return done("cannot stat the file: " + errno_text());
  }

  std::string temp_name = ".";
  temp_name += target.filename().string();
  temp_name += ".harden-XXXXXX";
  std::string temp = (target.parent_path() / temp_name).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return done("cannot create a temporary file beside it: " + errno_text());
  auto fail = [&](std::string message) {
    int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    errno = saved;
    return done(std::move(message));
  };
  if (!write_all(fd, content)) return fail("cannot write the temporary file: " + errno_text());
  if (::fchmod(fd, st.st_mode & 07777) != 0) return fail("cannot keep the file's permissions: " + errno_text());
  if (::fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM)
    return fail("cannot keep the file's owner: " + errno_text());
  staged_.push_back(Staged{temp, target.string(), fd, st.st_dev});
  return std::nullopt;
}

std::vector<std::optional<std::string>> WriteBatch::commit() {
  std::vector<std::optional<std::string>> errors(staged_.size());
  bool separate = staged_.size() <= kMaxSeparateFlushes;
  // 1. Every new content on disk before any original is replaced.
  std::map<dev_t, std::optional<std::string>> device_error;  // filesystems flushed so far
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    Staged& s = staged_[i];
    if (separate) {
      if (::fsync(s.fd) != 0) errors[i] = "cannot flush the temporary file: " + errno_text();
      continue;
    }
    auto [it, first] = device_error.try_emplace(s.device);
    if (first && !flush_folder_of(s.target, true)) it->second = "cannot flush the temporary file: " + errno_text();
    errors[i] = it->second;
  }
  // 2. Replace the originals.
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    Staged& s = staged_[i];
    if (::close(s.fd) != 0 && !errors[i]) errors[i] = "cannot close the temporary file: " + errno_text();
    s.fd = -1;
    if (!errors[i] && ::rename(s.temp.c_str(), s.target.c_str()) != 0)
      errors[i] = "cannot replace the file: " + errno_text();
    if (errors[i]) ::unlink(s.temp.c_str());
  }
  // 3. Make the renames durable.
  std::set<dev_t> synced;
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    if (errors[i]) continue;
    if (separate) flush_folder_of(staged_[i].target, false);
    else if (synced.insert(staged_[i].device).second) flush_folder_of(staged_[i].target, true);
  }
  staged_.clear();
  release_signals();
  return errors;
}

std::optional<std::string> write_atomically(const std::string& path, std::string_view content) {
  WriteBatch batch;
  if (auto error = batch.stage(path, content)) return error;
  return batch.commit().front();
}

}  // namespace harden
