// Opting out: `# harden: ignore[H101,H104] -- reason` on a service's key
// line (the whole service) or on the line of the entry concerned, and
// `services.<name>.ignore` in .harden.yaml.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/compose.h"
#include "harden/options.h"
#include "harden/rule.h"

namespace harden {

struct InlineWaiver {
  std::vector<std::string> rules;  // empty: every rule
  std::string reason;
};

// Parses a `# harden: ignore...` comment on the line holding `offset`.
std::optional<InlineWaiver> waiver_on_line(const Document& doc, std::size_t offset);

// Notes for the `# harden: ignore[...]` comments of the document that name
// no rule: a typo (`ignore[H1O4]`) silences nothing, and would otherwise go
// unnoticed. One note per unknown name, naming its line.
std::vector<std::string> unknown_waiver_rules(const Document& doc);

// Marks findings that a waiver silences (waived, waiver_reason).
void apply_waivers(const Document& doc, const ComposeFile& compose, const Options& options,
                   std::vector<Finding>& findings);

}  // namespace harden
