// Rules: each one checks a service (or the file) and returns findings,
// each with an optional fix. Rules live in transforms/, one file each, and
// are registered in one ordered list (transforms/registry.cpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harden/compose.h"
#include "harden/edit.h"
#include "harden/edit_builder.h"
#include "harden/inference.h"
#include "harden/options.h"

namespace harden {

struct RuleInfo {
  std::string_view code;     // "H101"
  std::string_view name;     // "no-privileged"
  std::string_view summary;  // one line: what it finds
  Profile profile = Profile::Baseline;
  bool has_fix = true;
  FixSafety safety = FixSafety::Safe;
  // `harden explain`: why it matters, what the fix does, what it can
  // break, how to opt out, references.
  std::string_view explain;
};

struct Finding {
  const RuleInfo* rule = nullptr;
  std::string service;          // "" for file-level findings
  std::size_t offset = 0;       // where, in the input text
  // The list item concerned, when the finding is reported at its list's key
  // (`ports:`, `cap_add:`): a waiver on the item's line counts as well.
  std::optional<std::size_t> item_offset;
  int line = 0, column = 0;     // 1-based, filled by the pipeline
  std::string message;
  std::vector<std::string> reasons;  // why the fix chose its values
  std::optional<Fix> fix;
  std::string not_fixed;  // why no fix was applied ("unsafe fix: pass --unsafe-fixes", a refusal)
  bool fixed = false;
  bool waived = false;    // silenced by `# harden: ignore` or the config
  std::string waiver_reason;
};

// Everything a rule may read about one service.
struct ServiceContext {
  const Document& doc;
  const ComposeFile& compose;
  const Service& service;
  const ServiceFacts& facts;
  const Options& options;
  const EditBuilder& edits;  // in the style of this service and file
};

struct FileContext {
  const Document& doc;
  const ComposeFile& compose;
  const Options& options;
  const EditBuilder& edits;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  virtual void check_service(const ServiceContext&, std::vector<Finding>&) const {}
  virtual void check_file(const FileContext&, std::vector<Finding>&) const {}
};

// All rules, in code order.
const std::vector<std::unique_ptr<Rule>>& all_rules();
const Rule* find_rule(std::string_view code_or_name);

// Helpers for rules.
Path service_path(const Service& service, std::initializer_list<std::string_view> more = {});
// Turns an edit result into a fix on `finding`, or records the refusal.
void attach_fix(Finding& finding, EditResult edit, std::vector<Intent> intents, FixSafety safety);
void attach_fix(Finding& finding, EditsResult edits, std::vector<Intent> intents, FixSafety safety);

}  // namespace harden
