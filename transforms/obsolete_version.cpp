// H119 obsolete-version: the top-level `version:` is ignored by Compose v2
// and only produces a warning.
#include <fmt/format.h>

#include "rule_helpers.h"

namespace harden {
namespace {

constexpr RuleInfo kInfo{
    "H119",
    "obsolete-version",
    "the file has an obsolete top-level version:",
    Profile::Strict,
    true,
    FixSafety::Safe,
    R"(Why it matters
  The Compose Specification has no file version: `docker compose` (v2)
  ignores the top-level `version:` and warns "the attribute `version` is
  obsolete". It misleads readers and tools: some scanners still branch on
  it and, for example, only check `deploy.resources` limits in "v3" files
  or `mem_limit` in "v2" files, although Compose v2 reads both.

What the fix changes
  The `version:` entry is deleted, with its trailing comment. When it is
  the first line of the file, the blank lines after it go too, so that the
  file does not start with an empty line.

What it can break
  Only the legacy Python `docker-compose` v1 (end of life since June 2023)
  requires the key for v2/v3 features. Keep it if that tool still reads
  the file.

How to opt out
  Put `# harden: ignore[H119] -- reason` on the `version:` line, or pass
  `--ignore H119` / add H119 to `ignore` in .harden.yaml.

References
  Compose Specification, "Version and name top-level elements".)"};

class ObsoleteVersion final : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void check_file(const FileContext& ctx, std::vector<Finding>& findings) const override {
    const Node* root = ctx.compose.root;
    if (!root || !root->is_mapping()) return;
    const MapEntry* entry = root->find("version");
    if (!entry) return;
    Finding finding;
    finding.rule = &kInfo;
    finding.offset = entry->key->content_begin;
    finding.message = fmt::format("version: {} is obsolete: docker compose ignores it",
                                  scalar_or_empty(entry->value).empty() ? std::string("(empty)")
                                                                        : scalar_or_empty(entry->value));
    std::size_t index = rules::entry_index(*root, *entry);
    EditResult edit = EditRefusal{"", 0};
    if (root->is_block() && root->entries.size() == 1)
      edit = EditRefusal{"version: is the only entry of the file", entry->begin};
    else if (rules::anchor_in_use(ctx.doc, *entry->value))
      edit = EditRefusal{"the value carries an anchor that other keys use; delete it by hand", entry->begin};
    else
      edit = ctx.edits.delete_entry(*root, index);
    if (auto* e = std::get_if<Edit>(&edit); e && root->is_block() && e->begin <= ctx.doc.bom_size) {
      // The file's first line: take the blank lines that followed it too.
      std::size_t end = e->end;
      while (end < ctx.doc.text.size()) {
        std::size_t line_end = ctx.doc.line_end(end);
        bool blank = true;
        for (std::size_t i = end; i < line_end; ++i)
          if (ctx.doc.text[i] != ' ' && ctx.doc.text[i] != '\t') blank = false;
        if (!blank || line_end >= ctx.doc.text.size()) break;
        end = ctx.doc.next_line_begin(end);
      }
      e->end = end;
    }
    attach_fix(finding, std::move(edit), {Intent{Intent::Op::Remove, Path{std::string("version")}, {}}}, kInfo.safety);
    findings.push_back(std::move(finding));
  }
};

}  // namespace

std::unique_ptr<Rule> make_obsolete_version() { return std::make_unique<ObsoleteVersion>(); }

}  // namespace harden
