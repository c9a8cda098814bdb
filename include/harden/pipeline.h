// The pipeline for one file: load -> analyse -> edit -> verify. Emitting
// (stdout, --write, --diff) is the caller's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harden/compose.h"
#include "harden/loader.h"
#include "harden/options.h"
#include "harden/rule.h"

namespace harden {

struct FileResult {
  std::string path;
  std::string original;  // the input bytes
  std::string output;    // the hardened bytes (== original when nothing changed or on error)
  bool changed = false;
  std::vector<Finding> findings;  // in file order
  std::optional<LoadError> error;  // the file could not be processed
  std::vector<std::string> notes;  // e.g. unknown images
  // The file has no `services:` (nor `include:`): no Compose file, or a
  // misspelt key. Nothing in it was checked; --check fails on it.
  bool no_services = false;
  std::string diff;                // the unified diff, when the caller made one
};

// Runs every enabled rule on `text` and applies the fixes that are allowed,
// in passes until nothing is left to fix; every pass is verified.
// `cache`: documents a batch shares between files (see DocumentCache).
FileResult process_text(const std::string& path, std::string text, const Options& options,
                        DocumentCache* cache = nullptr);

// Reads `path` first (limits, errors as FileResult.error).
FileResult process_file(const std::string& path, const Options& options, DocumentCache* cache = nullptr);

// True when the rule is on for this run (profile, --select, --ignore).
bool rule_enabled(const RuleInfo& rule, const Options& options);

}  // namespace harden
