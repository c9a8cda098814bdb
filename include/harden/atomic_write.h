// Writing files so that a failure at any point leaves the original as it
// was: a temporary file in the same folder, flushed to disk, then renamed
// over the original, and the rename flushed too. A symlink's target is
// rewritten, not the link.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harden {

// Returns an error message, or nothing on success.
std::optional<std::string> write_atomically(const std::string& path, std::string_view content);

// Many files with few flushes: stage() writes each file's new content to a
// temporary file beside it; commit() flushes them all, renames each over
// its original, and flushes the renames. For more than a couple of files
// a flush is one syncfs per filesystem instead of an fsync per file and
// folder, which is what makes --write of a monorepo fast. Until commit(),
// every original is untouched. While staged files exist, SIGINT, SIGTERM,
// SIGHUP and SIGQUIT are held back on this thread, so a signal takes effect
// only once they are renamed or removed. One WriteBatch per thread.
class WriteBatch {
 public:
  WriteBatch() = default;
  // Takes the staged files over, to commit them on another thread: `other`
  // is left empty and stops holding signals back on its thread (call it on
  // the thread that staged them); this one holds none.
  WriteBatch(WriteBatch&& other) noexcept;
  WriteBatch(const WriteBatch&) = delete;
  // Adds `other`'s staged files after this one's, to commit them together.
  void absorb(WriteBatch&& other);
  WriteBatch& operator=(const WriteBatch&) = delete;
  ~WriteBatch();  // removes what was staged and not committed

  // Returns an error message (nothing is staged then), or nothing.
  std::optional<std::string> stage(const std::string& path, std::string_view content);
  // Per staged file, in staging order: an error message, or nothing when
  // the file now holds its new content.
  std::vector<std::optional<std::string>> commit();
  std::size_t size() const { return staged_.size(); }

 private:
  struct Staged {
    std::string temp, target;
    int fd = -1;  // the temporary file, open until commit
    dev_t device = 0;
  };
  void hold_signals();
  void release_signals();

  std::vector<Staged> staged_;
  bool holding_ = false;
  sigset_t previous_{};
};

}  // namespace harden
