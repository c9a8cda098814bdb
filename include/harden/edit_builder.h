// Helpers that turn "insert this entry", "append this item", "delete that
// entry" into edits on the source text, in the file's own style: its
// indentation step, sequence style, quoting and line endings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harden/document.h"
#include "harden/edit.h"
#include "harden/value.h"

namespace harden {

// A value to write. Scalars hold their YAML text already quoted as needed
// (see `scalar_text`).
struct NewValue {
  enum class Kind { Scalar, Sequence, Mapping };
  Kind kind = Kind::Scalar;
  std::string scalar;  // YAML text of a scalar: `true`, `"512m"`, `/tmp`
  std::vector<NewValue> items;
  std::vector<std::pair<std::string, NewValue>> entries;

  // Declared here, defined in the .cpp: clang with libstdc++ 12 cannot
  // instantiate a container of NewValue inside NewValue's implicit members.
  NewValue();
  NewValue(const NewValue&);
  NewValue(NewValue&&) noexcept;
  NewValue& operator=(const NewValue&);
  NewValue& operator=(NewValue&&) noexcept;
  ~NewValue();

  static NewValue text(std::string yaml_text);
  static NewValue sequence(std::vector<NewValue> items);
  static NewValue mapping(std::vector<std::pair<std::string, NewValue>> entries);

  // The value this text means once parsed, for the verifier.
  Value meaning() const;
};

// How the file writes things, learnt from the file itself.
struct FileStyle {
  int indent_step = 2;        // mapping indentation step
  int sequence_indent = 2;    // columns from a key to the `-` of its block sequence (0: at the key's column)
  bool prefer_flow_sequences = false;
  bool flow_padding = false;  // `[ a, b ]` rather than `[a, b]`
  char quote = 0;             // 0 (plain), '"' or '\'': how string values are written

  // The whole file's habits; with a scope (a service), that scope's own
  // habits win where it shows any.
  static FileStyle learn(const Document& doc, const Node* scope = nullptr);
  // This style refined by what `scope` shows (cheap: walks the scope only).
  FileStyle within(const Document& doc, const Node& scope) const;
};

// Formats a string as a YAML scalar in the given quote style, quoting
// anyway when plain text would change its meaning.
std::string scalar_text(std::string_view value, char quote);

// Why an edit could not be built.
struct EditRefusal {
  std::string message;
  std::size_t offset = 0;
};

using EditResult = std::variant<Edit, EditRefusal>;
using EditsResult = std::variant<std::vector<Edit>, EditRefusal>;

class EditBuilder {
 public:
  EditBuilder(const Document& doc, FileStyle style) : doc_(doc), style_(style) {}

  const FileStyle& style() const { return style_; }

  // A new `key: value` at the end of a mapping (block or single-line flow),
  // before the blank lines and comments that belong to whatever follows.
  EditResult insert_entry(const Node& mapping, std::string_view key, const NewValue& value) const;

  // A new item at the end of a sequence (block or flow).
  EditResult append_item(const Node& sequence, const NewValue& value) const;

  // Replaces a scalar's text, keeping its anchor and tag.
  EditResult replace_scalar(const Node& scalar, std::string_view yaml_text) const;

  // Replaces a whole value (scalar, null or collection) written after
  // `entry`'s colon with a new value.
  EditResult replace_value(const MapEntry& entry, const Node& mapping, const NewValue& value) const;

  // Deletes an entry with its own trailing comment. Refuses to leave a block
  // mapping empty.
  EditResult delete_entry(const Node& mapping, std::size_t index) const;

  // Deletes a sequence item with its own trailing comment. When it is the
  // last item of a block sequence held by `owner`, the sequence becomes `[]`.
  EditResult delete_item(const Node& sequence, std::size_t index, const MapEntry* owner = nullptr) const;

  // Renders a value as it would follow `key:` at the given key column.
  std::string render_after_key(const NewValue& value, int key_column, std::string_view eol, bool in_flow) const;

 private:
  std::string render_flow(const NewValue& value) const;
  std::string render_block_lines(const NewValue& value, int column, std::string_view eol) const;
  std::optional<EditRefusal> check_editable(const Node& node) const;
  // An edit that writes a value into its slot (after a key's `:` or an
  // item's `-`). Where the slot is empty at the end of the text the edit is
  // an insertion, and it must go before a new entry or item of the
  // enclosing collection inserted at the same offset: its depth is the
  // slot's column, which lies past the key or `-` that owns it.
  Edit into_slot(std::size_t begin, std::size_t end, std::string text) const;

  const Document& doc_;
  FileStyle style_;
};

// True when the node or anything below it could not be modelled exactly.
bool subtree_opaque(const Node& node);

}  // namespace harden
