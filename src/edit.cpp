#include "harden/edit.h"

#include <algorithm>
#include <functional>
#include <variant>

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

bool clash(const Intent& x, const Intent& y) {
  return (x.op == Intent::Op::Set && within(y.path, x.path)) || (y.op == Intent::Op::Set && within(x.path, y.path));
}

std::size_t first_steps_hash(const Path& path) {
  std::hash<PathStep> hash;
  return hash(path[0]) * 31 + hash(path[1]);
}

}  // namespace

bool intents_conflict(const std::vector<Intent>& a, const std::vector<Intent>& b) {
  for (const Intent& x : a)
    for (const Intent& y : b)
      if (clash(x, y)) return true;
  return false;
}

bool IntentSet::conflicts_with(const std::vector<Intent>& fix) const {
  auto clashes_with = [&](const Intent& y, const std::vector<std::size_t>& taken) {
    return std::any_of(taken.begin(), taken.end(), [&](std::size_t i) { return clash(all_[i], y); });
  };
  for (const Intent& y : fix) {
    if (y.path.size() < 2) {
      if (std::any_of(all_.begin(), all_.end(), [&](const Intent& x) { return clash(x, y); })) return true;
      continue;
    }
    if (clashes_with(y, short_paths_)) return true;
    auto it = by_first_steps_.find(first_steps_hash(y.path));
    if (it != by_first_steps_.end() && clashes_with(y, it->second)) return true;
  }
  return false;
}

void IntentSet::add(std::vector<Intent> fix) {
  for (Intent& intent : fix) {
    std::size_t index = all_.size();
    const Path& path = all_.emplace_back(std::move(intent)).path;
    if (path.size() < 2) short_paths_.push_back(index);
    else by_first_steps_[first_steps_hash(path)].push_back(index);
  }
}

bool edits_conflict(const std::vector<Edit>& a, const std::vector<Edit>& b) {
  for (const Edit& x : a)
    for (const Edit& y : b)
      if (overlaps(x, y)) return true;
  return false;
}

}  // namespace harden
