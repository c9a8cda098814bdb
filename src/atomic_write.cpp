#include "harden/atomic_write.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace harden {
namespace fs = std::filesystem;

namespace {

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

// Holds back SIGINT, SIGTERM, SIGHUP and SIGQUIT while a temporary file
// exists: a signal then takes effect once the file is renamed or removed,
// so an interrupted run never leaves a `.NAME.harden-*` file behind.
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t held;
    sigemptyset(&held);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&held, sig);
    active_ = ::pthread_sigmask(SIG_BLOCK, &held, &previous_) == 0;
  }
  ~SignalsHeld() {
    if (active_) ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t previous_;
  bool active_ = false;
};

}  // namespace

std::optional<std::string> write_atomically(const std::string& path, std::string_view content) {
  SignalsHeld held;  // released on every return, after the temporary file is gone
  std::error_code ec;
  // Rewrite the target of a symlink, never the link itself.
  fs::path target = fs::canonical(path, ec);
  if (ec) return "cannot resolve the path: " + ec.message();
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return "cannot stat the file: " + errno_text();

  std::string temp_name = ".";
  temp_name += target.filename().string();
  temp_name += ".harden-XXXXXX";
  std::string temp = (target.parent_path() / temp_name).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return "cannot create a temporary file beside it: " + errno_text();
  auto fail = [&](std::string message) -> std::optional<std::string> {
    int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    errno = saved;
    return message;
  };
  if (!write_all(fd, content)) return fail("cannot write the temporary file: " + errno_text());
  if (::fchmod(fd, st.st_mode & 07777) != 0) return fail("cannot keep the file's permissions: " + errno_text());
  if (::fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM)
    return fail("cannot keep the file's owner: " + errno_text());
  if (::fsync(fd) != 0) return fail("cannot flush the temporary file: " + errno_text());
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    return "cannot close the temporary file: " + errno_text();
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    std::string message = "cannot replace the file: " + errno_text();
    ::unlink(temp.c_str());
    return message;
  }
  // Make the rename itself durable.
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return std::nullopt;
}

}  // namespace harden
