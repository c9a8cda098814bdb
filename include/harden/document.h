// The document model: a lossless view of a YAML source.
//
// The source bytes are kept as they are; every node knows its byte span, its
// style and its indentation, so that edits can be made to the text instead of
// re-printing the document. Structure and scalar values come from yaml-cpp's
// event parser; spans are found by scanning the source and are cross-checked
// by decoding each scalar's span again and comparing with yaml-cpp's value.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace harden {

enum class NodeKind { Null, Scalar, Mapping, Sequence, Alias };
enum class ScalarStyle { Plain, SingleQuoted, DoubleQuoted, Literal, Folded };
enum class CollectionStyle { Block, Flow };

struct Node;

struct MapEntry {
  Node* key = nullptr;
  Node* value = nullptr;
  // Byte span of the whole entry: from the key (or `?`) to the end of the
  // value, not including a trailing comment or the line break.
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct SeqItem {
  Node* value = nullptr;
  // For block sequences, the offset of the `-` indicator; for flow
  // sequences, the item's own begin.
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct Node {
  NodeKind kind = NodeKind::Null;
  // Span of the node including its properties (anchor, tag). For an empty
  // null node, begin == end at the place where a value would be written.
  std::size_t begin = 0;
  std::size_t end = 0;
  // Where the content starts, after anchor and tag.
  std::size_t content_begin = 0;
  int line = 0;    // 0-based line of content_begin
  int column = 0;  // 0-based column (bytes) of content_begin

  std::string anchor;  // without '&'
  std::string tag;     // as yaml-cpp reports it: "?" plain, "!" non-plain, or the tag
  ScalarStyle scalar_style = ScalarStyle::Plain;
  CollectionStyle style = CollectionStyle::Block;

  std::string value;        // scalar value as decoded; alias name for aliases
  // The span of this scalar could not be confirmed by decoding it again:
  // it round-trips, but no edit may touch or rely on it.
  bool opaque = false;
  const Node* target = nullptr;  // for aliases: the anchored node

  std::vector<MapEntry> entries;  // Mapping
  std::vector<SeqItem> items;     // Sequence

  bool is_mapping() const { return kind == NodeKind::Mapping; }
  bool is_sequence() const { return kind == NodeKind::Sequence; }
  bool is_scalar() const { return kind == NodeKind::Scalar; }
  bool is_null() const { return kind == NodeKind::Null; }
  bool is_alias() const { return kind == NodeKind::Alias; }
  bool is_block() const { return style == CollectionStyle::Block; }
  bool is_flow() const { return style == CollectionStyle::Flow; }

  // Follows an alias to its anchored node; returns this otherwise.
  const Node* resolved() const { return kind == NodeKind::Alias && target ? target : this; }

  // Mapping lookup by a scalar key (the last match; duplicates are refused
  // at load time). Returns nullptr when absent or not a mapping.
  const MapEntry* find(std::string_view key) const;
  const Node* get(std::string_view key) const;
};

// Null-safe reading, aliases followed: nullptr (or nothing) where the node
// is absent or of another kind.
const Node* resolved(const Node* node);
const Node* mapping_get(const Node* mapping, std::string_view key);
std::vector<const Node*> sequence_items(const Node* sequence);

// A 1-based position for messages.
struct Position {
  int line = 1;
  int column = 1;
};

// One YAML document of a stream.
struct YamlDocument {
  Node* root = nullptr;  // nullptr for an empty document
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The nodes of a document, in blocks: a node never moves once made (the
// tree links nodes by pointer). A std::deque<Node> allocated a block per
// two nodes, a visible part of loading a file.
class NodeStore {
 public:
  template <typename NodeT, typename Store>
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Node;
    using difference_type = std::ptrdiff_t;
    using pointer = NodeT*;
    using reference = NodeT&;
    Iterator() = default;
    Iterator(Store* store, std::size_t index) : store_(store), index_(index) {}
    NodeT& operator*() const { return store_->at(index_); }
    NodeT* operator->() const { return &store_->at(index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    Store* store_ = nullptr;
    std::size_t index_ = 0;
  };
  using iterator = Iterator<Node, NodeStore>;
  using const_iterator = Iterator<const Node, const NodeStore>;

  Node& emplace_back() {
    if (size_ % kBlockSize == 0) blocks_.push_back(std::make_unique<Node[]>(kBlockSize));
    return at(size_++);
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Node& at(std::size_t i) { return blocks_[i / kBlockSize][i % kBlockSize]; }
  const Node& at(std::size_t i) const { return blocks_[i / kBlockSize][i % kBlockSize]; }
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  static constexpr std::size_t kBlockSize = 64;
  std::vector<std::unique_ptr<Node[]>> blocks_;
  std::size_t size_ = 0;
};

// The source text and everything derived from it.
class Document {
 public:
  std::string path;  // for messages
  std::string text;  // the exact bytes
  std::size_t bom_size = 0;  // 3 when the text starts with a UTF-8 byte-order mark
  std::vector<YamlDocument> documents;
  NodeStore nodes;

  const Node* root() const { return documents.empty() ? nullptr : documents.front().root; }

  // Line arithmetic over `text`.
  Position position(std::size_t offset) const;  // 1-based line and column
  std::size_t line_begin(std::size_t offset) const;
  // Offset just past the line break of the line holding `offset` (or the end).
  std::size_t next_line_begin(std::size_t offset) const;
  // End of the line's content: the offset of its `\r\n` or `\n` (or the end).
  std::size_t line_end(std::size_t offset) const;
  // The line break used by the line holding `offset`, else the file's first.
  std::string_view line_break_at(std::size_t offset) const;
  std::string_view line_break() const;  // the file's first line break, "\n" if none
  // The column (in bytes) of offset within its line.
  int column_of(std::size_t offset) const;
  // The comment that follows `offset` on the same line (`# ...`), if any:
  // returns the offset of `#`, or npos.
  std::size_t trailing_comment(std::size_t offset) const;

  // The alias nodes that refer to an anchored node (empty when none).
  const std::vector<const Node*>& aliases_of(const Node& anchored) const;

  std::vector<std::size_t> line_starts;  // filled by the loader
  // Why no edit may be made to this file, or empty. The loader sets it for
  // constructs that load and round-trip but that the edit engine does not
  // model well enough to edit next to (Compose files do not use them):
  // explicit `?` keys, empty keys, a tag or anchor with no content, a tab
  // on a blank line (yaml-cpp reads such lines differently once a value
  // near them changes).
  std::string not_editable;
  std::unordered_map<const Node*, std::vector<const Node*>> alias_index;  // filled by the loader
};

}  // namespace harden
