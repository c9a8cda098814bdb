#include "harden/read_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace harden {
namespace {

// Why a path that failed to open cannot be read. A missing file says so at
// once (it is the common failure: absent Dockerfiles, base files); other
// failures stat() to tell a folder from a permission problem.
LoadError open_failure(const std::string& path, int open_errno) {
  if (open_errno == ENOENT || open_errno == ENOTDIR) return LoadError{"no such file"};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return LoadError{"no such file"};
    return LoadError{std::string("cannot be read: ") + std::strerror(errno)};  // e.g. a symlink loop
  }
  if (S_ISDIR(st.st_mode)) return LoadError{"is a folder, not a file"};
  if (!S_ISREG(st.st_mode)) return LoadError{"not a regular file"};
  if (open_errno == EACCES || open_errno == EPERM) return LoadError{"cannot be read (permission denied?)"};
  return LoadError{std::string("cannot be read: ") + std::strerror(open_errno)};
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::variant<std::string, LoadError> read_regular_file(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return open_failure(path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return LoadError{std::string("cannot be read: ") + std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return LoadError{"is a folder, not a file"};
  if (!S_ISREG(st.st_mode)) return LoadError{"not a regular file"};
  auto too_large = [&] { return LoadError{fmt::format("file is larger than the limit of {} bytes", max_bytes)}; };
  if (static_cast<std::size_t>(st.st_size) > max_bytes) return too_large();

  // One byte more than the size reported, and reads until one returns
  // nothing: a short read is not the end on every filesystem (FUSE, NFS),
  // and a file cut short here would be written back cut short.
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (used > max_bytes) return too_large();
      text.resize(text.size() * 2);
    }
    ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return LoadError{"read error"};
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > max_bytes) return too_large();
  text.resize(used);
  return text;
}

}  // namespace harden
