// --to-override: the base file stays as it is and the hardening goes into an
// override file that `docker compose` merges over it (compose.override.yaml
// beside the base by default).
//
// The override holds only what changes, per service, written so that
// Compose's merge of base + override gives the values of the hardened file:
//   - a key the base lacks, or a scalar that changes: the new value;
//   - a mapping (deploy.resources.limits ...): only the entries that change,
//     since Compose merges mappings recursively;
//   - a sequence that only gains items (cap_add, cap_drop, security_opt,
//     tmpfs ...): only the new items, since Compose appends (and unions)
//     sequences;
//   - a sequence that loses or changes items (a host-root bind removed from
//     `volumes`): `!override [remaining items]` (Compose 2.24+);
//   - a removed key: `privileged: false` for privileged, `KEY: !reset null`
//     otherwise.
// The text is built from the values of the two files (their anchors,
// aliases and merge keys resolved), never by editing the base.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/document.h"
#include "harden/pipeline.h"

namespace harden {

// The first line of every override file harden writes: an existing file
// without it is not replaced.
inline constexpr std::string_view kOverrideMarker = "# Written by `harden --to-override`";

struct OverrideResult {
  std::string text;    // the override file ("" when nothing changes)
  bool empty = true;   // no key of any service changes
  std::optional<std::string> error;
};

// The override that turns `base_text` into `hardened_text` under Compose's
// merge rules. `base_name` is named in the header comment.
OverrideResult build_override(std::string_view base_text, std::string_view hardened_text,
                              const std::string& base_name = "compose.yaml");
// For one file of a run: its original bytes are the base.
OverrideResult build_override(const FileResult& hardened);
OverrideResult build_override(const FileResult& hardened, const Document& base);

// compose.override.yaml beside `base_path`.
std::string default_override_path(const std::string& base_path);

// The CLI side of --to-override, so that cli.cpp only calls this.
enum class OverrideMode { Print, Write, Diff, Check };
struct OverrideRunOptions {
  // The --to-override value: "" for compose.override.yaml beside each base;
  // a bare name for that name beside each base; a path for exactly one base.
  std::string file;
  OverrideMode mode = OverrideMode::Print;
  bool color = false;  // of the diff
  bool quiet = false;  // no "wrote ..." lines
};
// For each processed file (errors skipped; an override target of another
// file of the run skipped): builds the override and prints (Print), writes
// it atomically (Write), prints its unified diff against the existing file
// (Diff), or says what it would write (Check). Base files are never
// written. Returns 2 on an error (an existing override file that harden did
// not write is refused), 1 in Diff/Check mode when an override file would
// change, else 0.
int run_to_override(const std::vector<FileResult>& results, const OverrideRunOptions& options, std::ostream& out,
                    std::ostream& err);

}  // namespace harden
