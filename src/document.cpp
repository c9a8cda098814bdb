#include "harden/document.h"

#include <algorithm>

namespace harden {

const MapEntry* Node::find(std::string_view key) const {
  if (kind != NodeKind::Mapping) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const Node* k = it->key ? it->key->resolved() : nullptr;
    if (k && k->kind == NodeKind::Scalar && k->value == key) return &*it;
  }
  return nullptr;
}

const Node* Node::get(std::string_view key) const {
  const MapEntry* entry = find(key);
  return entry ? entry->value : nullptr;
}

const Node* resolved(const Node* node) { return node ? node->resolved() : nullptr; }

const Node* mapping_get(const Node* mapping, std::string_view key) {
  mapping = resolved(mapping);
  return mapping && mapping->is_mapping() ? resolved(mapping->get(key)) : nullptr;
}

std::vector<const Node*> sequence_items(const Node* sequence) {
  std::vector<const Node*> items;
  sequence = resolved(sequence);
  if (!sequence || !sequence->is_sequence()) return items;
  for (const SeqItem& item : sequence->items) items.push_back(resolved(item.value));
  return items;
}

const std::vector<const Node*>& Document::aliases_of(const Node& anchored) const {
  static const std::vector<const Node*> none;
  auto it = alias_index.find(&anchored);
  return it == alias_index.end() ? none : it->second;
}

Position Document::position(std::size_t offset) const {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - line_starts.begin());  // 1-based
  if (line == 0) line = 1;
  std::size_t start = line_starts.empty() ? 0 : line_starts[line - 1];
  if (line == 1) start = std::min(bom_size, offset);  // a byte-order mark takes no column
  return {static_cast<int>(line), static_cast<int>(offset - start) + 1};
}

std::size_t Document::line_begin(std::size_t offset) const {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  if (it == line_starts.begin()) return 0;
  return *(it - 1);
}

std::size_t Document::next_line_begin(std::size_t offset) const {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  return it == line_starts.end() ? text.size() : *it;
}

std::size_t Document::line_end(std::size_t offset) const {
  std::size_t next = next_line_begin(offset);
  if (next > 0 && next <= text.size() && next > offset && text[next - 1] == '\n') {
    --next;
    if (next > 0 && text[next - 1] == '\r' && next - 1 >= offset) --next;
  }
  return next;
}

std::string_view Document::line_break_at(std::size_t offset) const {
  std::size_t next = next_line_begin(offset);
  if (next > 0 && next <= text.size() && text[next - 1] == '\n') {
    if (next >= 2 && text[next - 2] == '\r') return "\r\n";
    return "\n";
  }
  return line_break();
}

std::string_view Document::line_break() const {
  std::size_t nl = text.find('\n');
  if (nl == std::string::npos) return "\n";
  if (nl > 0 && text[nl - 1] == '\r') return "\r\n";
  return "\n";
}

int Document::column_of(std::size_t offset) const {
  std::size_t start = line_begin(offset);
  if (start == 0) start = std::min(bom_size, offset);  // a byte-order mark takes no column
  return static_cast<int>(offset - start);
}

std::size_t Document::trailing_comment(std::size_t offset) const {
  std::size_t end = line_end(offset);
  std::size_t i = offset;
  while (i < end && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i < end && text[i] == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || i == offset))
    return i;
  return std::string::npos;
}

}  // namespace harden
