// The loader: yaml-cpp's event parser gives structure, values and start
// marks; the span builder below finds where each node ends by scanning the
// source between one mark and the next, and checks its work by decoding
// every scalar's span again.
#include "harden/loader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "harden/text_stream.h"
#include "harden/yaml_syntax.h"
#include "scalar_decode.h"

namespace harden {
namespace {

enum class EventType { DocStart, DocEnd, Null, Alias, Scalar, SeqStart, SeqEnd, MapStart, MapEnd };

struct Event {
  Event(EventType t, std::size_t p = 0) : type(t), pos(p) {}
  EventType type;
  std::size_t pos = 0;  // offset in the file (byte-order mark included)
  bool has_mark = true;
  std::string tag;
  std::string value;
  YAML::anchor_t anchor = 0;
  std::string anchor_name;  // resolved at once: yaml-cpp numbers anchors per document
  CollectionStyle style = CollectionStyle::Block;
  // For a collection's start: the nodes directly inside it (a mapping's
  // keys and values), so that its list of children is allocated once.
  std::uint32_t children = 0;
};

// Records yaml-cpp's events as a flat list; the tree is built afterwards,
// when the next mark of every node is known.
class Recorder : public YAML::EventHandler {
 public:
  // `expected_bytes`: the text's size. Compose files hold about one event
  // per 20 bytes; reserving that (up to a bound) spares the list's
  // regrowth, which moved every event recorded so far.
  Recorder(std::size_t offset, std::size_t max_events, std::size_t expected_bytes)
      : offset_(offset), max_events_(max_events) {
    events.reserve(std::min<std::size_t>({expected_bytes / 20 + 16, max_events, 1u << 15}));
  }

  std::vector<Event> events;
  std::vector<std::string> anchor_names{""};  // yaml-cpp numbers anchors from 1
  bool too_many = false;

  void OnDocumentStart(const YAML::Mark& mark) override {
    anchor_names.assign(1, std::string());
    push(Event(EventType::DocStart, at(mark)));
  }
  void OnDocumentEnd() override { push_unmarked(EventType::DocEnd); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Event e(EventType::Null, at(mark));
    e.anchor = anchor;
    push(std::move(e));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Event e(EventType::Alias, at(mark));
    e.anchor = anchor;
    push(std::move(e));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Event e(EventType::Scalar, at(mark));
    e.tag = tag;
    e.anchor = anchor;
    e.value = value;
    push(std::move(e));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    push_collection(EventType::SeqStart, mark, tag, anchor, style);
  }
  void OnSequenceEnd() override { push_unmarked(EventType::SeqEnd); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    push_collection(EventType::MapStart, mark, tag, anchor, style);
  }
  void OnMapEnd() override { push_unmarked(EventType::MapEnd); }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_names.push_back(name); }

 private:
  std::size_t at(const YAML::Mark& mark) const { return static_cast<std::size_t>(mark.pos) + offset_; }
  void push(Event e) {
    if (e.anchor > 0 && e.anchor < anchor_names.size()) e.anchor_name = anchor_names[e.anchor];
    if (events.size() >= max_events_) {
      too_many = true;
      throw std::length_error("too many nodes");
    }
    bool ends = e.type == EventType::SeqEnd || e.type == EventType::MapEnd;
    bool starts = e.type == EventType::SeqStart || e.type == EventType::MapStart;
    if (ends) {
      if (!open_.empty()) open_.pop_back();
    } else if (e.type != EventType::DocStart && e.type != EventType::DocEnd && !open_.empty()) {
      ++events[open_.back()].children;
    }
    if (starts) open_.push_back(events.size());
    events.push_back(std::move(e));
  }
  void push_unmarked(EventType type) {
    Event e(type);
    e.has_mark = false;
    push(std::move(e));
  }
  void push_collection(EventType type, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) {
    Event e(type, at(mark));
    e.tag = tag;
    e.anchor = anchor;
    e.style = style == YAML::EmitterStyle::Flow ? CollectionStyle::Flow : CollectionStyle::Block;
    push(std::move(e));
  }

  std::size_t offset_;
  std::size_t max_events_;
  std::vector<std::size_t> open_;  // the collections not yet ended, by event index
};

struct Unsupported {
  std::string message;
  std::size_t offset;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_break(char c) { return c == '\n' || c == '\r'; }
bool is_space(char c) { return is_blank(c) || is_break(c); }
bool is_flow_indicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

// Builds the node tree with spans from the recorded events.
class SpanBuilder {
 public:
  // The events are used up: scalar values move into the nodes.
  SpanBuilder(Document& doc, std::vector<Event>& events, const LoadOptions& options)
      : doc_(doc), text_(doc.text), events_(events), options_(options) {
    // The bound of each event: the next marked event's position.
    next_mark_.resize(events_.size() + 1, text_.size());
    std::size_t next = text_.size();
    for (std::size_t i = events_.size(); i-- > 0;) {
      next_mark_[i] = next;
      if (events_[i].has_mark) next = events_[i].pos;
    }
  }

  void build() {
    while (index_ < events_.size()) {
      const Event& e = events_[index_];
      if (e.type != EventType::DocStart) throw Unsupported{"unexpected event", e.pos};
      ++index_;
      YamlDocument ydoc;
      ydoc.begin = e.pos;
      if (index_ < events_.size() && events_[index_].type != EventType::DocEnd) {
        ydoc.root = build_node(-1, /*flow=*/false, /*slot=*/e.pos);
      }
      if (index_ >= events_.size() || events_[index_].type != EventType::DocEnd)
        throw Unsupported{"unbalanced document", e.pos};
      ++index_;
      ydoc.end = ydoc.root ? ydoc.root->end : ydoc.begin;
      doc_.documents.push_back(ydoc);
    }
  }

 private:
  // The event's tag and anchor name move into the node.
  Node& new_node(NodeKind kind, Event& e) {
    Node& node = doc_.nodes.emplace_back();
    node.kind = kind;
    node.begin = e.pos;
    node.tag = std::move(e.tag);
    if (e.type != EventType::Alias) node.anchor = std::move(e.anchor_name);
    return node;
  }

  // Nodes are made in text order, so a line cursor that only moves forward
  // finds each node's line (a search of all lines when it would go back).
  void set_position(Node& node) {
    const std::vector<std::size_t>& starts = doc_.line_starts;
    std::size_t offset = node.content_begin;
    if (starts.empty() || starts[line_cursor_] > offset) {
      Position p = doc_.position(offset);
      node.line = p.line - 1;
      node.column = p.column - 1;
      return;
    }
    while (line_cursor_ + 1 < starts.size() && starts[line_cursor_ + 1] <= offset) ++line_cursor_;
    std::size_t start = line_cursor_ == 0 ? std::min(doc_.bom_size, offset) : starts[line_cursor_];
    node.line = static_cast<int>(line_cursor_);
    node.column = static_cast<int>(offset - start);
  }

  // Skips white space, line breaks and comments.
  std::size_t skip_space_and_comments(std::size_t i, std::size_t limit) const {
    while (i < limit) {
      char c = text_[i];
      if (is_space(c)) {
        ++i;
      } else if (c == '#' && (i == 0 || is_space(text_[i - 1]))) {
        while (i < limit && !is_break(text_[i])) ++i;
      } else {
        break;
      }
    }
    return i;
  }

  // Skips an anchor and a tag before a node's content.
  std::size_t skip_properties(std::size_t i, std::size_t limit, bool flow) const {
    while (i < limit && (text_[i] == '&' || text_[i] == '!')) {
      if (text_[i] == '!' && i + 1 < limit && text_[i + 1] == '<') {
        while (i < limit && text_[i] != '>') ++i;
        if (i < limit) ++i;
      } else {
        while (i < limit && !is_space(text_[i]) && !(flow && is_flow_indicator(text_[i]))) ++i;
      }
      std::size_t after = skip_space_and_comments(i, limit);
      if (after < limit && (text_[after] == '&' || text_[after] == '!')) {
        i = after;
        continue;
      }
      // Properties may stand on their own line before block content.
      return after;
    }
    return i;
  }

  std::size_t bound_after(std::size_t event_index) const { return next_mark_[event_index]; }

  // A line (from `from`) of a plain scalar: returns the end of its content.
  std::size_t plain_line_end(std::size_t from, std::size_t limit, bool flow) const {
    std::size_t last = from;
    std::size_t i = from;
    while (i < limit && !is_break(text_[i])) {
      char c = text_[i];
      if (c == '#' && i > from && is_blank(text_[i - 1])) break;
      if (c == ':' && (i + 1 >= limit || is_space(text_[i + 1]) || (flow && is_flow_indicator(text_[i + 1]))))
        break;
      if (flow && is_flow_indicator(c)) break;
      ++i;
      if (!is_blank(c)) last = i;
    }
    return last;
  }

  std::size_t plain_scalar_end(std::size_t start, std::size_t limit, bool flow, int parent_indent) const {
    std::size_t end = plain_line_end(start, limit, flow);
    std::size_t i = end;
    while (true) {
      // Move to the next line, if this line ends here.
      while (i < limit && is_blank(text_[i])) ++i;
      if (i >= limit || !is_break(text_[i])) break;
      while (i < limit && is_space(text_[i])) ++i;
      if (i >= limit) break;
      std::size_t line_start = doc_.line_begin(i);
      char c = text_[i];
      if (c == '#') break;
      auto followed_by_space = [&](std::size_t k) { return k + 1 >= text_.size() || is_space(text_[k + 1]); };
      // On a continuation line indented past the parent, `- ` and `? ` are
      // plain text (only the first line may not start with an indicator);
      // `: ` never is.
      bool continues = !flow && doc_.column_of(i) > parent_indent;
      if ((c == '-' || c == '?') && followed_by_space(i) && !continues) break;
      if (c == ':' && followed_by_space(i)) break;
      if (flow && (is_flow_indicator(c) || c == ':')) break;
      if (i == line_start && (text_.compare(i, 3, "---") == 0 || text_.compare(i, 3, "...") == 0)) break;
      std::size_t line_end = plain_line_end(i, limit, flow);
      if (line_end == i) break;
      end = line_end;
      i = line_end;
    }
    return end;
  }

  std::size_t quoted_end(std::size_t start, std::size_t limit) const {
    char quote = text_[start];
    std::size_t i = start + 1;
    while (i < limit) {
      char c = text_[i];
      if (quote == '"' && c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        if (quote == '\'' && i + 1 < limit && text_[i + 1] == '\'') {
          i += 2;
          continue;
        }
        return i + 1;
      }
      ++i;
    }
    throw Unsupported{"unterminated quoted scalar", start};
  }

  // A block scalar ends at its last content line (keep-chomping: its last
  // blank line). Lines less indented than the content end it.
  std::size_t block_scalar_end(std::size_t start, std::size_t limit, int parent_indent) const {
    bool keep = false;
    int explicit_indent = 0;
    std::size_t i = start + 1;
    for (; i < text_.size() && i < start + 3; ++i) {
      if (text_[i] == '+') keep = true;
      else if (text_[i] >= '1' && text_[i] <= '9') explicit_indent = text_[i] - '0';
      else if (text_[i] != '-') break;
    }
    std::size_t header_end = doc_.line_end(start);
    std::size_t end = header_end;
    std::size_t line = doc_.next_line_begin(start);
    std::size_t threshold = explicit_indent > 0
                                ? static_cast<std::size_t>((parent_indent < 0 ? 0 : parent_indent) + explicit_indent)
                                : 0;
    bool found_indent = explicit_indent > 0;
    while (line < limit && line < text_.size()) {
      std::size_t content = line;
      while (content < text_.size() && text_[content] == ' ') ++content;
      std::size_t this_end = doc_.line_end(line);
      bool blank = content >= this_end;
      if (blank) {
        if (keep) end = this_end;
        line = doc_.next_line_begin(line);
        continue;
      }
      std::size_t indent = content - line;
      if (!found_indent) {
        if (static_cast<int>(indent) <= parent_indent) break;
        threshold = indent;
        found_indent = true;
      }
      if (indent < threshold) break;
      end = this_end;
      line = doc_.next_line_begin(line);
    }
    return end;
  }

  void cross_check(Node& node, int parent_indent) {
    std::string_view raw(text_.data() + node.content_begin, node.end - node.content_begin);
    if (node.scalar_style == ScalarStyle::Plain)
      if (auto one_line = detail::decode_one_line_plain(raw)) {  // compared without a copy
        if (*one_line != node.value) node.opaque = true;
        return;
      }
    std::optional<std::string> decoded;
    switch (node.scalar_style) {
      case ScalarStyle::Plain: decoded = detail::decode_plain(raw); break;
      case ScalarStyle::SingleQuoted: decoded = detail::decode_single_quoted(raw); break;
      case ScalarStyle::DoubleQuoted: decoded = detail::decode_double_quoted(raw); break;
      case ScalarStyle::Literal:
      case ScalarStyle::Folded: {
        std::size_t with_break = doc_.next_line_begin(node.end > 0 ? node.end - 1 : 0);
        if (node.end == node.content_begin || with_break < node.end) with_break = node.end;
        if (node.end < text_.size() && is_break(text_[node.end])) with_break = doc_.next_line_begin(node.end);
        decoded = detail::decode_block(
            std::string_view(text_.data() + node.content_begin, with_break - node.content_begin), parent_indent);
        break;
      }
    }
    if (!decoded || *decoded != node.value) node.opaque = true;
  }

  Node* build_node(int parent_indent, bool flow, std::size_t slot) {
    if (++depth_ > options_.limits.max_depth) {
      throw Unsupported{fmt::format("nesting deeper than {} levels", options_.limits.max_depth),
                        events_[index_].pos};
    }
    std::size_t event_index = index_++;
    Event& e = events_[event_index];
    std::size_t bound = bound_after(event_index);
    Node* result = nullptr;
    switch (e.type) {
      case EventType::Null: result = build_null(e, event_index, bound, flow, slot); break;
      case EventType::Alias: result = build_alias(e, flow); break;
      case EventType::Scalar: result = build_scalar(e, bound, flow, parent_indent); break;
      case EventType::SeqStart: result = build_sequence(e, bound, flow); break;
      case EventType::MapStart: result = build_mapping(e, bound, flow, parent_indent); break;
      default: throw Unsupported{"unexpected event", e.pos};
    }
    --depth_;
    return result;
  }

  Node* build_null(Event& e, std::size_t event_index, std::size_t bound, bool flow, std::size_t slot) {
    Node& node = new_node(NodeKind::Null, e);
    std::size_t content = skip_properties(e.pos, bound, flow);
    bool has_properties = content != e.pos;
    bool explicit_null = false;
    if (bound != e.pos || has_properties) {
      for (std::string_view word : {"~", "null", "Null", "NULL"}) {
        if (text_.compare(content, word.size(), word) == 0) {
          std::size_t after = content + word.size();
          if (after >= text_.size() || is_space(text_[after]) || (flow && is_flow_indicator(text_[after])) ||
              text_[after] == ':') {
            explicit_null = true;
            node.end = after;
          }
          break;
        }
      }
    }
    (void)event_index;
    register_anchor(node);
    if (explicit_null) {
      node.content_begin = content;
      node.value = text_.substr(content, node.end - content);
    } else if (has_properties) {
      // `&anchor` or `!tag` with no content (`!reset` alone is Compose's own).
      if (node.tag != "!reset" || !node.anchor.empty()) not_editable("a tag or anchor with no content", e.pos);
      std::size_t end = e.pos;
      while (end < text_.size() && !is_space(text_[end]) && !(flow && is_flow_indicator(text_[end]))) ++end;
      node.content_begin = end;
      node.end = end;
    } else {
      node.begin = node.content_begin = node.end = slot;
    }
    set_position(node);
    return &node;
  }

  Node* build_alias(Event& e, bool flow) {
    Node& node = new_node(NodeKind::Alias, e);
    node.anchor.clear();
    std::size_t i = e.pos + 1;
    while (i < text_.size() && !is_space(text_[i]) && !(flow && is_flow_indicator(text_[i]))) ++i;
    node.content_begin = e.pos;
    node.end = i;
    node.value = text_.substr(e.pos + 1, i - e.pos - 1);
    auto it = anchors_.find(node.value);
    if (it == anchors_.end()) throw Unsupported{"alias to an unknown anchor", e.pos};
    node.target = it->second;
    set_position(node);
    return &node;
  }

  Node* build_scalar(Event& e, std::size_t bound, bool flow, int parent_indent) {
    Node& node = new_node(NodeKind::Scalar, e);
    node.value = std::move(e.value);
    node.content_begin = skip_properties(e.pos, bound, flow);
    std::size_t c = node.content_begin;
    if ((c >= bound || c >= text_.size()) && node.value.empty() && c != e.pos) {
      // Properties with no content (`!reset`, `&a`): an empty scalar.
      if (node.tag != "!reset" || e.anchor != 0) not_editable("a tag or anchor with no content", e.pos);
      std::size_t end = e.pos;
      while (end < text_.size() && !is_space(text_[end]) && !(flow && is_flow_indicator(text_[end]))) ++end;
      node.content_begin = node.end = end;
      set_position(node);
      register_anchor(node);
      return &node;
    }
    if (c >= text_.size()) throw Unsupported{"scalar past the end of the input", e.pos};
    char first = text_[c];
    if (first == '"' || first == '\'') {
      node.scalar_style = first == '"' ? ScalarStyle::DoubleQuoted : ScalarStyle::SingleQuoted;
      node.end = quoted_end(c, text_.size());
    } else if ((first == '|' || first == '>') && node.tag != "?") {
      node.scalar_style = first == '|' ? ScalarStyle::Literal : ScalarStyle::Folded;
      node.end = block_scalar_end(c, bound, parent_indent);

    } else {
      node.scalar_style = ScalarStyle::Plain;
      node.end = plain_scalar_end(c, std::max(bound, c), flow, parent_indent);
    }
    set_position(node);
    register_anchor(node);
    cross_check(node, parent_indent);
    return &node;
  }

  void not_editable(std::string_view what, std::size_t offset) {
    if (!doc_.not_editable.empty()) return;
    Position p = doc_.position(offset);
    doc_.not_editable = fmt::format("{} at line {}, column {}: harden does not edit files with one", what, p.line,
                                    p.column);
  }

  void register_anchor(Node& node) {
    if (node.anchor.empty()) return;
    // yaml-cpp takes `&&a:` as the anchor "&a:"; YAML allows it, but such a
    // name is a typo far more often than a choice, and edits near it are
    // not safe to reason about. Compose files name anchors with these.
    for (char c : node.anchor)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
          static_cast<unsigned char>(c) < 0x80)
        throw Unsupported{fmt::format("unsupported anchor name '&{}' (use letters, digits, '_', '-' or '.')",
                                      node.anchor),
                          node.begin};
    anchors_[node.anchor] = &node;
  }

  // Finds the next structural character at or after `i`, skipping white
  // space and comments; throws when it is not `expected`.
  std::size_t expect_indicator(std::size_t i, char expected, std::size_t origin) const {
    std::size_t at = skip_space_and_comments(i, text_.size());
    if (at >= text_.size() || text_[at] != expected)
      throw Unsupported{fmt::format("expected '{}' here", expected), at < text_.size() ? at : origin};
    return at;
  }

  Node* build_sequence(Event& e, std::size_t bound, bool flow) {
    Node& node = new_node(NodeKind::Sequence, e);
    node.style = e.style;
    node.items.reserve(e.children);
    bool inner_flow = flow || e.style == CollectionStyle::Flow;
    node.content_begin = skip_properties(e.pos, bound, flow);
    set_position(node);
    register_anchor(node);
    int indent = doc_.column_of(node.content_begin);
    std::size_t cursor = node.content_begin;
    if (e.style == CollectionStyle::Flow) {
      if (text_[cursor] != '[') throw Unsupported{"expected '['", cursor};
      ++cursor;
    }
    while (index_ < events_.size() && events_[index_].type != EventType::SeqEnd) {
      SeqItem item;
      if (e.style == CollectionStyle::Block) {
        std::size_t dash = expect_indicator(cursor, '-', e.pos);
        item.begin = dash;
        item.value = build_node(indent, inner_flow, dash + 1);
      } else {
        std::size_t at = skip_space_and_comments(cursor, text_.size());
        if (!node.items.empty()) {
          if (at >= text_.size() || text_[at] != ',') throw Unsupported{"expected ',' in flow sequence", at};
          at = skip_space_and_comments(at + 1, text_.size());
        }
        item.begin = at;
        item.value = build_node(indent, inner_flow, at);
        if (item.value->kind == NodeKind::Null && item.value->begin == item.value->end) item.begin = item.value->begin;
      }
      item.end = item.value->end;
      if (item.begin > item.value->begin) item.begin = item.value->begin;
      cursor = item.end;
      node.items.push_back(item);
    }
    if (index_ >= events_.size()) throw Unsupported{"unterminated sequence", e.pos};
    ++index_;  // SeqEnd
    if (e.style == CollectionStyle::Flow) {
      std::size_t at = skip_space_and_comments(cursor, text_.size());
      if (at < text_.size() && text_[at] == ',') at = skip_space_and_comments(at + 1, text_.size());
      if (at >= text_.size() || text_[at] != ']') throw Unsupported{"expected ']'", at < text_.size() ? at : e.pos};
      node.end = at + 1;
    } else {
      node.end = node.items.empty() ? node.content_begin : node.items.back().end;
    }
    return &node;
  }

  Node* build_mapping(Event& e, std::size_t bound, bool flow, int parent_indent) {
    Node& node = new_node(NodeKind::Mapping, e);
    node.style = e.style;
    node.entries.reserve(e.children / 2);
    bool inner_flow = flow || e.style == CollectionStyle::Flow;
    node.content_begin = skip_properties(e.pos, bound, flow);
    set_position(node);
    register_anchor(node);
    int indent = doc_.column_of(node.content_begin);
    // yaml-cpp reads `a:` followed by `: b` at a's column as a: {null: b}; YAML
    // makes them siblings. A block mapping is always indented past its parent.
    if (e.style == CollectionStyle::Block && !flow && indent <= parent_indent)
      throw Unsupported{"invalid YAML: a mapping at its parent key's indentation", node.content_begin};
    std::size_t cursor = node.content_begin;
    // `[a: b]`: a single-pair mapping in a flow sequence has no braces.
    bool single_pair = e.style == CollectionStyle::Flow && text_[cursor] != '{';
    if (e.style == CollectionStyle::Flow && !single_pair) ++cursor;
    while (index_ < events_.size() && events_[index_].type != EventType::MapEnd) {
      MapEntry entry;
      std::size_t at = skip_space_and_comments(cursor, text_.size());
      if (single_pair && !node.entries.empty()) throw Unsupported{"expected one pair", at};
      if (e.style == CollectionStyle::Flow && !single_pair && !node.entries.empty()) {
        if (at >= text_.size() || text_[at] != ',') throw Unsupported{"expected ',' in flow mapping", at};
        at = skip_space_and_comments(at + 1, text_.size());
      }
      bool explicit_key = at < text_.size() && text_[at] == '?' &&
                          (at + 1 >= text_.size() || is_space(text_[at + 1]));
      std::size_t key_slot = explicit_key ? at + 1 : at;
      entry.key = build_node(indent, inner_flow, key_slot);
      entry.begin = explicit_key ? at : std::min(at, entry.key->begin);
      if (explicit_key) not_editable("an explicit key ('? ')", at);
      else if (entry.key->is_null()) not_editable("an empty key", at);
      // yaml-cpp reads some invalid text as a key (`a: |` with its text at
      // the key's column): the span does not hold it.
      else if (entry.key->opaque) not_editable("a key that cannot be placed exactly in the text", at);
      std::size_t after_key = skip_space_and_comments(entry.key->end, text_.size());
      std::size_t value_slot = entry.key->end;
      if (after_key < text_.size() && text_[after_key] == ':') value_slot = after_key + 1;
      if (index_ >= events_.size()) throw Unsupported{"unterminated mapping", e.pos};
      entry.value = build_node(indent, inner_flow, value_slot);
      entry.end = std::max(entry.value->end, value_slot);
      if (entry.value->kind == NodeKind::Null && entry.value->begin == entry.value->end)
        entry.end = value_slot;
      cursor = entry.end;
      check_duplicate_key(node, entry);
      node.entries.push_back(entry);
    }
    if (index_ >= events_.size()) throw Unsupported{"unterminated mapping", e.pos};
    ++index_;  // MapEnd
    if (single_pair) {
      node.end = node.entries.empty() ? node.content_begin : node.entries.back().end;
    } else if (e.style == CollectionStyle::Flow) {
      std::size_t at = skip_space_and_comments(cursor, text_.size());
      if (at < text_.size() && text_[at] == ',') at = skip_space_and_comments(at + 1, text_.size());
      if (at >= text_.size() || text_[at] != '}') throw Unsupported{"expected '}'", at < text_.size() ? at : e.pos};
      node.end = at + 1;
    } else {
      node.end = node.entries.empty() ? node.content_begin : node.entries.back().end;
    }
    return &node;
  }

  void check_duplicate_key(const Node& map, const MapEntry& entry) {
    const Node* key = entry.key;
    if (key->kind != NodeKind::Scalar) return;
    if (key->scalar_style == ScalarStyle::Plain && key->value == "<<") return;  // merge keys may repeat in YAML 1.1
    for (const MapEntry& other : map.entries) {
      const Node* k = other.key;
      if (k->kind == NodeKind::Scalar && k->value == key->value) {
        Position first = doc_.position(k->content_begin);
        throw Unsupported{fmt::format("duplicate key '{}' (first at line {})", key->value, first.line),
                          key->content_begin};
      }
    }
  }

  Document& doc_;
  const std::string& text_;
  std::vector<Event>& events_;
  const LoadOptions& options_;
  std::vector<std::size_t> next_mark_;
  std::size_t index_ = 0;
  std::size_t line_cursor_ = 0;  // see set_position
  int depth_ = 0;
  std::unordered_map<std::string, Node*> anchors_;
};

void index_lines(Document& doc) {
  doc.line_starts.clear();
  doc.line_starts.push_back(0);
  const std::string& t = doc.text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\n') doc.line_starts.push_back(i + 1);
    else if (t[i] == '\r' && (i + 1 >= t.size() || t[i + 1] != '\n')) doc.line_starts.push_back(i + 1);
  }
  for (std::size_t start : doc.line_starts) {
    std::size_t end = start;
    bool tab = false;
    while (end < t.size() && (t[end] == ' ' || t[end] == '\t')) tab |= t[end++] == '\t';
    bool blank_or_comment = end >= t.size() || t[end] == '\n' || t[end] == '\r' || t[end] == '#';
    if (tab && blank_or_comment && doc.not_editable.empty())
      doc.not_editable = fmt::format("line {} is blank or a comment but starts with a tab; remove the tab to let "
                                     "harden edit the file",
                                     doc.position(start).line);
  }
}

// yaml-cpp reports a tab used for indentation as some later symptom
// ("illegal map value"); name the cause where it is.
std::optional<LoadError> tab_in_indentation(const Document& doc, int zero_based_line) {
  if (zero_based_line < 0 || static_cast<std::size_t>(zero_based_line) >= doc.line_starts.size()) return std::nullopt;
  std::size_t begin = doc.line_starts[static_cast<std::size_t>(zero_based_line)];
  for (std::size_t i = begin; i < doc.text.size() && (doc.text[i] == ' ' || doc.text[i] == '\t'); ++i)
    if (doc.text[i] == '\t')
      return LoadError{"tab character used for indentation (YAML allows only spaces)", zero_based_line + 1,
                       static_cast<int>(i - begin) + 1};
  return std::nullopt;
}

LoadError located(const Document& doc, std::string message, std::size_t offset) {
  Position p = doc.position(std::min(offset, doc.text.size()));
  return {std::move(message), p.line, p.column};
}

// Bytes are checked in blocks of this many first: a block of printable
// ASCII, tabs and line feeds (nearly every block of a Compose file) needs no
// further look.
constexpr std::size_t kPlainBlock = 64;

// Printable ASCII, tab or line feed: a byte that needs no closer look.
// Bitwise, without a short-circuit, so that the block check vectorises.
constexpr bool is_plain_byte(unsigned char c) { return ((c >= 0x20) & (c < 0x7F)) | (c == '\t') | (c == '\n'); }

// Without an early exit, so that the compiler checks the bytes of a block
// side by side (16 at a time with SSE2).
bool is_plain_block(const char* bytes) {
  unsigned plain = 1;
  for (std::size_t k = 0; k < kPlainBlock; ++k)
    plain &= static_cast<unsigned>(is_plain_byte(static_cast<unsigned char>(bytes[k])));
  return plain != 0;
}

}  // namespace

std::optional<LoadError> check_encoding(std::string_view text) {
  using namespace std::literals;
  auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
  if (starts("\x00\x00\xFE\xFF"sv) || starts("\xFF\xFE\x00\x00"sv))
    return LoadError{"UTF-32 input is not supported; save the file as UTF-8", 1, 1};
  if (starts("\xFE\xFF"sv) || starts("\xFF\xFE"sv))
    return LoadError{"UTF-16 input is not supported; save the file as UTF-8", 1, 1};
  // Lines are counted only for the error, at the byte that has it.
  auto error_at = [&](std::size_t i, std::string message) {
    auto before = text.substr(0, i);
    std::size_t last_break = before.rfind('\n');
    std::size_t line_start = last_break == std::string_view::npos ? 0 : last_break + 1;
    auto line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
    return LoadError{std::move(message), line, static_cast<int>(i - line_start) + 1};
  };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t block_end = std::min(text.size(), i + kPlainBlock);
    if (block_end - i == kPlainBlock && is_plain_block(text.data() + i)) {
      i = block_end;
      continue;
    }
    while (i < block_end) {
      auto c = static_cast<unsigned char>(text[i]);
      if (is_plain_byte(c)) {
        ++i;
        continue;
      }
      if (c == 0) return error_at(i, "NUL byte in the input (binary file?)");
      // YAML reads a lone CR as a line break; harden's line arithmetic (and
      // every Compose file seen) knows LF and CRLF only.
      if ((c < 0x20 && c != '\r') || c == 0x7F)
        return error_at(i, fmt::format("control character U+{:04X} in the input (YAML does not allow it)", c));
      if (c == 0xEF && i > 0 && text.substr(i, 3) == "\xEF\xBB\xBF")
        return error_at(i, "a byte-order mark inside the text (only the first bytes of a file may hold one)");
      if (c == '\r') {
        if (i + 1 >= text.size() || text[i + 1] != '\n')
          return error_at(i, "a carriage return without a line feed: only LF and CRLF line endings are supported");
        ++i;
        continue;
      }
      if (c < 0x80) {
        ++i;
        continue;
      }
      std::size_t length = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
      if (length == 0 || c > 0xF4 || i + length > text.size()) return error_at(i, "invalid UTF-8 byte sequence");
      std::uint32_t cp = c & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
      for (std::size_t k = 1; k < length; ++k) {
        auto cc = static_cast<unsigned char>(text[i + k]);
        if ((cc & 0xC0) != 0x80) return error_at(i, "invalid UTF-8 byte sequence");
        cp = (cp << 6) | (cc & 0x3F);
      }
      bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
      if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return error_at(i, "invalid UTF-8 byte sequence");
      i += length;
    }
  }
  return std::nullopt;
}

LoadResult load_document(std::string path, std::string text, const LoadOptions& options) {
  LoadResult result;
  if (text.size() > options.limits.max_bytes) {
    result.error = LoadError{fmt::format("file is larger than the limit of {} bytes", options.limits.max_bytes)};
    return result;
  }
  if (auto problem = check_encoding(text)) {
    result.error = problem;
    return result;
  }
  auto doc = std::make_unique<Document>();
  doc->path = std::move(path);
  doc->text = std::move(text);
  doc->bom_size = doc->text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  index_lines(*doc);
  for (std::size_t i = 0; i + 1 < doc->line_starts.size() + 1; ++i) {
    std::size_t start = doc->line_starts[i];
    std::size_t end = i + 1 < doc->line_starts.size() ? doc->line_starts[i + 1] : doc->text.size();
    if (end - start > options.limits.max_line_length) {
      result.error = LoadError{fmt::format("line longer than the limit of {} bytes", options.limits.max_line_length),
                               static_cast<int>(i) + 1, 1};
      return result;
    }
  }
  if (options.build_spans) {
    if (auto problem = find_syntax_problem(doc->text)) {
      result.error = LoadError{problem->message, problem->line, problem->column};
      return result;
    }
  }

  Recorder recorder(doc->bom_size, options.limits.max_nodes * 2 + 16, doc->text.size());
  try {
    TextStream input(doc->text);
    YAML::Parser parser(input);
    // yaml-cpp 0.7 can hand out empty document after empty document without
    // reading on (seen on some malformed input): stop when one starts where
    // the previous one did.
    std::size_t previous_events = 0;
    std::size_t previous_start = std::string::npos;
    while (parser.HandleNextDocument(recorder)) {
      std::size_t start = recorder.events.size() > previous_events ? recorder.events[previous_events].pos
                                                                   : std::string::npos;
      if (start != std::string::npos && start == previous_start) {
        Position p = doc->position(start);
        std::size_t at = start;
        while (at < doc->text.size() && (doc->text[at] == ' ' || doc->text[at] == '\n' || doc->text[at] == '\r')) ++at;
        std::string what = at < doc->text.size() && std::string_view(",]}").find(doc->text[at]) != std::string_view::npos
                               ? fmt::format("unexpected '{}'", doc->text[at])
                               : std::string("the parser makes no progress here");
        if (at < doc->text.size()) p = doc->position(at);
        result.error = LoadError{"invalid YAML: " + what, p.line, p.column};
        return result;
      }
      previous_start = start;
      previous_events = recorder.events.size();
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own depth guard (its message is just "bad file").
    result.error = LoadError{"nesting too deep for the YAML parser", e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) result.error->line = result.error->column = 0;
    return result;
  } catch (const YAML::Exception& e) {
    std::string message = e.msg.empty() ? std::string(e.what()) : e.msg;
    if (!message.empty()) message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    result.error = LoadError{"invalid YAML: " + message, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) result.error->line = result.error->column = 0;
    if (auto tab = tab_in_indentation(*doc, e.mark.line)) result.error = *tab;
    return result;
  } catch (const std::length_error&) {
    result.error = LoadError{fmt::format("more than {} nodes", options.limits.max_nodes)};
    return result;
  }

  try {
    SpanBuilder builder(*doc, recorder.events, options);
    builder.build();
    for (const Node& node : doc->nodes)
      if (node.is_alias() && node.target) doc->alias_index[node.target].push_back(&node);
  } catch (const Unsupported& u) {
    result.error = located(*doc, u.message, u.offset);
    return result;
  }
  result.document = std::move(doc);
  return result;
}

}  // namespace harden
