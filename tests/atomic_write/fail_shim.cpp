// A preloaded library for tests/atomic_write_test.sh: makes one kind of
// system call fail with EIO, to fault harden's writer between staging a
// file and renaming it over the original. HARDEN_TEST_FAIL names the call:
//   rename  rename() of a harden temporary file (".NAME.harden-XXXXXX")
//   fsync   every fsync()
//   syncfs  every syncfs()
// Each failure is logged to HARDEN_TEST_FAIL_LOG when set, so that a test
// can tell that the fault happened. Nothing is changed without the variable.
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool failing(const char* call) {
  const char* want = std::getenv("HARDEN_TEST_FAIL");
  return want && std::strcmp(want, call) == 0;
}

void log_failure(const char* call, const char* detail) {
  const char* log = std::getenv("HARDEN_TEST_FAIL_LOG");
  if (!log) return;
  int fd = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  char line[512];
  int n = std::snprintf(line, sizeof line, "%s %s\n", call, detail);
  if (n > 0) (void)!::write(fd, line, static_cast<std::size_t>(n) < sizeof line ? n : sizeof line - 1);
  ::close(fd);
}

template <typename F>
F next(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" int rename(const char* from, const char* to) {
  if (failing("rename") && std::strstr(from, ".harden-")) {
    log_failure("rename", from);
    errno = EIO;
    return -1;
  }
  static auto real = next<int (*)(const char*, const char*)>("rename");
  return real(from, to);
}

extern "C" int fsync(int fd) {
  if (failing("fsync")) {
    log_failure("fsync", "");
    errno = EIO;
    return -1;
  }
  static auto real = next<int (*)(int)>("fsync");
  return real(fd);
}

extern "C" int syncfs(int fd) {
  if (failing("syncfs")) {
    log_failure("syncfs", "");
    errno = EIO;
    return -1;
  }
  static auto real = next<int (*)(int)>("syncfs");
  return real(fd);
}
