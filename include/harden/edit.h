// Edits: a byte span of the source and its replacement. A fix is a list of
// edits plus the semantic change it intends, which the verifier checks.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harden/value.h"

namespace harden {

struct Edit {
  std::size_t begin = 0;
  std::size_t end = 0;  // == begin for an insertion
  std::string text;
  // For insertions at one offset: the column of the structure the text
  // goes into. A new item of a nested sequence must come before a new key of
  // the mapping around it, so deeper insertions go first.
  int depth = 0;

  bool is_insertion() const { return begin == end; }
};

enum class FixSafety { Safe, Unsafe };

// What a fix means, path by path, for the verifier.
struct Intent {
  enum class Op {
    Set,         // the path holds `value` (added or replaced)
    Remove,      // the mapping entry at the path is gone
    Append,      // `value` is appended to the sequence at the path
    RemoveItem,  // the sequence item at the path (last step is an index) is gone
  };
  Op op = Op::Set;
  Path path;
  Value value;
};

struct Fix {
  std::vector<Edit> edits;
  std::vector<Intent> intents;
  FixSafety safety = FixSafety::Safe;
};

// Applies edits to text. Edits may come in any order; insertions at the
// same offset keep their given order. Returns nothing when two edits
// overlap (the caller decides which fix to defer).
std::optional<std::string> apply_edits(std::string_view text, std::vector<Edit> edits);

// True when the two edit lists touch overlapping bytes.
bool edits_conflict(const std::vector<Edit>& a, const std::vector<Edit>& b);

// True when one list sets a path (writes its value whole) that the other
// also changes, at that path or below it: appending to a list that another
// fix replaces by `[]`, say. Edits of separate bytes can still clash so;
// the second fix waits for the next pass.
bool intents_conflict(const std::vector<Intent>& a, const std::vector<Intent>& b);

// The intents of the fixes taken so far in one pass. `conflicts_with` gives
// intents_conflict's answer against all of them, but compares a new intent
// only with those that can nest with it: two paths of two steps or more
// nest only when their first two steps (`services`, the service) agree, and
// a file of many services takes hundreds of intents.
class IntentSet {
 public:
  bool conflicts_with(const std::vector<Intent>& fix) const;
  void add(std::vector<Intent> fix);
  const std::vector<Intent>& all() const { return all_; }

 private:
  std::vector<Intent> all_;
  std::vector<std::size_t> short_paths_;  // of fewer than two steps: compared with every intent
  std::unordered_map<std::size_t, std::vector<std::size_t>> by_first_steps_;  // hash of two steps -> indexes
};

}  // namespace harden
