#include "harden/edit.h"

#include <algorithm>

namespace harden {
namespace {

bool overlaps(const Edit& a, const Edit& b) {
  // Two insertions at one offset, or an insertion at the boundary of a
  // replacement, do not overlap; anything sharing a byte does.
  if (a.is_insertion() && b.is_insertion()) return false;
  if (a.is_insertion()) return a.begin > b.begin && a.begin < b.end;
  if (b.is_insertion()) return b.begin > a.begin && b.begin < a.end;
  return a.begin < b.end && b.begin < a.end;
}

}  // namespace

std::optional<std::string> apply_edits(std::string_view text, std::vector<Edit> edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    // At one offset, insertions come before a replacement that starts there,
    // and deeper insertions before shallower ones.
    if (a.is_insertion() != b.is_insertion()) return a.is_insertion();
    return a.depth > b.depth;
  });
  for (std::size_t i = 0; i + 1 < edits.size(); ++i)
    if (overlaps(edits[i], edits[i + 1]) || edits[i].end > edits[i + 1].begin) return std::nullopt;
  for (const Edit& e : edits)
    if (e.end < e.begin || e.end > text.size()) return std::nullopt;

  std::string out;
  std::size_t size = text.size();
  for (const Edit& e : edits) size += e.text.size();
  out.reserve(size);
  std::size_t cursor = 0;
  for (const Edit& e : edits) {
    out.append(text.substr(cursor, e.begin - cursor));
    out.append(e.text);
    cursor = e.end;
  }
  out.append(text.substr(cursor));
  return out;
}

namespace {

// `inner` is `outer` or a path below it.
bool within(const Path& inner, const Path& outer) {
  return inner.size() >= outer.size() && std::equal(outer.begin(), outer.end(), inner.begin());
}

}  // namespace

bool intents_conflict(const std::vector<Intent>& a, const std::vector<Intent>& b) {
  for (const Intent& x : a)
    for (const Intent& y : b)
      if ((x.op == Intent::Op::Set && within(y.path, x.path)) || (y.op == Intent::Op::Set && within(x.path, y.path)))
        return true;
  return false;
}

bool edits_conflict(const std::vector<Edit>& a, const std::vector<Edit>& b) {
  for (const Edit& x : a)
    for (const Edit& y : b)
      if (overlaps(x, y)) return true;
  return false;
}

}  // namespace harden
