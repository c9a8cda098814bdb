// fuzz_edits: the edit builder either refuses an edit or produces text that
// the verifier accepts with the matching intent. Input: 4 control bytes
// (which node, which operation, which value, which index), then the YAML.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "harden/edit.h"
#include "harden/edit_builder.h"
#include "harden/loader.h"
#include "harden/verify.h"

namespace {
using namespace harden;

struct Target {
  const Node* node;
  Path path;
  const MapEntry* owner;  // the entry holding the node, if any
};

// Collections reachable from the root through scalar keys and indexes, not
// through aliases (aliases stay references in the verifier's values).
void collect(const Node* node, Path& path, const MapEntry* owner, std::vector<Target>& out, int depth) {
  if (!node || depth > 64 || out.size() > 4096) return;
  if (node->is_mapping() || node->is_sequence()) out.push_back({node, path, owner});
  if (node->is_mapping()) {
    for (const MapEntry& e : node->entries) {
      if (!e.key || !e.key->is_scalar() || !e.value) continue;
      path.emplace_back(e.key->value);
      collect(e.value, path, &e, out, depth + 1);
      path.pop_back();
    }
  } else if (node->is_sequence()) {
    for (std::size_t i = 0; i < node->items.size(); ++i) {
      path.emplace_back(i);
      collect(node->items[i].value, path, nullptr, out, depth + 1);
      path.pop_back();
    }
  }
}

// Keys the caller would write: plain and safe.
const char* const kKeys[] = {"fuzz_key", "x-fuzz", "cap_drop", "read_only", "security_opt", "k"};

NewValue pick_value(std::uint8_t b, char quote) {
  switch (b % 6) {
    case 0: return NewValue::text("true");
    case 1: return NewValue::text(scalar_text("no-new-privileges:true", quote));
    case 2: return NewValue::text(scalar_text("512m", quote));
    case 3: return NewValue::sequence({NewValue::text("ALL")});
    case 4: return NewValue::sequence({NewValue::text(scalar_text("/tmp", quote)), NewValue::text("b")});
    default:
      return NewValue::mapping({{"limits", NewValue::mapping({{"memory", NewValue::text(scalar_text("1g", quote))}})},
                                {"x", NewValue::text("1")}});
  }
}

bool key_count_is_one(const Node& mapping, const std::string& key) {
  int n = 0;
  for (const MapEntry& e : mapping.entries)
    if (e.key && e.key->is_scalar() && e.key->value == key) ++n;
  return n == 1;
}

bool has_key(const Node& mapping, std::string_view key) {
  for (const MapEntry& e : mapping.entries)
    if (e.key && (e.key->is_scalar() || e.key->is_null()) && e.key->value == key) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harden_fuzz::Bytes control(data, size);
  std::uint8_t which = control.next(), op = control.next(), val = control.next(), index = control.next();
  std::size_t skip = control.consumed();
  std::string text(reinterpret_cast<const char*>(data) + skip, size - skip);

  LoadOptions options;
  options.limits.max_bytes = 1u << 20;
  LoadResult loaded = load_document("fuzz.yml", text, options);
  if (!loaded.ok()) return 0;
  const Document& doc = *loaded.document;
  if (doc.documents.empty()) return 0;

  std::vector<Target> targets;
  Path path;
  collect(doc.documents.front().root, path, nullptr, targets, 0);
  if (targets.empty()) return 0;
  const Target& t = targets[which % targets.size()];
  const Node& node = *t.node;

  FileStyle style = FileStyle::learn(doc, (val & 0x80) ? nullptr : &node);
  EditBuilder builder(doc, style);
  NewValue value = pick_value(val, style.quote);

  EditResult result = EditRefusal{"no operation", 0};
  std::vector<Intent> intents;
  if (node.is_mapping()) {
    switch (op % 3) {
      case 0: {  // insert a new entry
        std::string key = kKeys[index % (sizeof kKeys / sizeof *kKeys)];
        if (has_key(node, key)) return 0;
        result = builder.insert_entry(node, key, value);
        Path p = t.path;
        p.emplace_back(key);
        intents.push_back({Intent::Op::Set, p, value.meaning()});
        break;
      }
      case 1: {  // delete an entry
        if (node.entries.empty()) return 0;
        std::size_t i = index % node.entries.size();
        const MapEntry& e = node.entries[i];
        if (!e.key || !e.key->is_scalar() || !key_count_is_one(node, e.key->value)) return 0;
        result = builder.delete_entry(node, i);
        Path p = t.path;
        p.emplace_back(e.key->value);
        intents.push_back({Intent::Op::Remove, p, {}});
        break;
      }
      default: {  // replace an entry's value
        if (node.entries.empty()) return 0;
        std::size_t i = index % node.entries.size();
        const MapEntry& e = node.entries[i];
        if (!e.key || !e.key->is_scalar() || !key_count_is_one(node, e.key->value)) return 0;
        // The verifier keeps anchors: an anchored value keeps its name only
        // if the builder keeps it, which replace_value does not promise.
        if (!e.value->anchor.empty()) return 0;
        const std::string& tag = e.value->tag;
        if (!tag.empty() && tag != "?" && tag != "!") return 0;
        result = builder.replace_value(e, node, value);
        Path p = t.path;
        p.emplace_back(e.key->value);
        intents.push_back({Intent::Op::Set, p, value.meaning()});
        break;
      }
    }
  } else {
    if (t.path.empty()) return 0;  // an intent needs a path
    switch (op % 2) {
      case 0: {
        result = builder.append_item(node, value);
        intents.push_back({Intent::Op::Append, t.path, value.meaning()});
        break;
      }
      default: {
        if (node.items.empty()) return 0;
        std::size_t i = index % node.items.size();
        result = builder.delete_item(node, i, t.owner);
        Path p = t.path;
        p.emplace_back(i);
        intents.push_back({Intent::Op::RemoveItem, p, {}});
        break;
      }
    }
  }
  if (std::holds_alternative<EditRefusal>(result)) return 0;
  const Edit& edit = std::get<Edit>(result);
  if (edit.begin > edit.end || edit.end > text.size()) harden_fuzz::fail("edit out of range", text);
  std::optional<std::string> rewritten = apply_edits(text, {edit});
  if (!rewritten) harden_fuzz::fail("a single edit could not be applied", text);
  if (auto problem = verify_rewrite(doc, *rewritten, intents, options.limits))
    harden_fuzz::fail("the edit builder produced text that does not verify",
                      *problem + "\n--- op " + std::to_string(op) + " at " + to_string(t.path) + " ---\n" + text +
                          "\n--- rewritten ---\n" + *rewritten);
  return 0;
}
