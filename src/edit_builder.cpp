#include "harden/edit_builder.h"

#include <fmt/format.h>

#include <algorithm>

#include "scalar_decode.h"

namespace harden {

NewValue::NewValue() = default;
NewValue::NewValue(const NewValue&) = default;
NewValue::NewValue(NewValue&&) noexcept = default;
NewValue& NewValue::operator=(const NewValue&) = default;
NewValue& NewValue::operator=(NewValue&&) noexcept = default;
NewValue::~NewValue() = default;

namespace {

std::string spaces(int n) { return std::string(static_cast<std::size_t>(std::max(n, 0)), ' '); }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Counts of small integers (indentation widths): a handful of distinct
// values per file, so a flat list beats a std::map's node per value.
struct Tally {
  std::vector<std::pair<int, int>> counts;  // value, count
  void add(int value) {
    for (auto& [v, count] : counts)
      if (v == value) {
        ++count;
        return;
      }
    counts.emplace_back(value, 1);
  }
  bool empty() const { return counts.empty(); }
};

// The most frequent value; on a tie the smallest.
int most_common(const Tally& tally, int fallback) {
  int best = fallback, best_count = 0;
  for (auto [value, count] : tally.counts)
    if (count > best_count || (count == best_count && value < best)) best = value, best_count = count;
  return best;
}

struct QuoteTally {
  int plain = 0, double_quoted = 0, single_quoted = 0;
  bool empty() const { return plain + double_quoted + single_quoted == 0; }
};

bool looks_like_number_or_keyword(std::string_view v) {
  static constexpr std::string_view keywords[] = {
      "true", "false", "True", "False", "TRUE", "FALSE", "yes", "no",   "Yes", "No", "YES", "NO",
      "on",   "off",   "On",   "Off",   "ON",   "OFF",   "null", "Null", "NULL", "~",  ""};
  for (std::string_view k : keywords)
    if (v == k) return true;
  bool digits = !v.empty();
  for (char c : v)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E' ||
          c == '_'))
      digits = false;
  return digits;
}

bool plain_is_safe(std::string_view v) {
  if (v.empty() || is_blank(v.front()) || is_blank(v.back())) return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(v.front()) != std::string_view::npos) return false;
  if (v.find(": ") != std::string_view::npos || v.find(" #") != std::string_view::npos) return false;
  if (v.back() == ':') return false;
  for (char c : v)
    if (c == '\n' || c == '\r' || c == '\t' || static_cast<unsigned char>(c) < 0x20) return false;
  return !looks_like_number_or_keyword(v);
}

std::string double_quote(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r' || c == '\t') {
      out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string single_quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

void learn_from(const Node* node, Tally& step, Tally& seq_indent, int& flow_seqs, int& block_seqs, int& padded,
                QuoteTally& quotes, const Document& doc, int depth) {
  if (!node || depth > 64) return;
  if (node->is_mapping()) {
    for (const MapEntry& e : node->entries) {
      const Node* v = e.value;
      if (!v) continue;
      // The key's own column when the entry starts with its content (no
      // `?`, anchor or tag before it): known already, no line search.
      int key_column = e.key && e.key->content_begin == e.begin ? e.key->column : doc.column_of(e.begin);
      if (v->is_mapping() && v->is_block() && node->is_block()) {
        int diff = v->column - key_column;
        if (diff > 0) step.add(diff);
      }
      if (v->is_sequence() && (node->is_block() || v->is_flow())) {
        if (v->is_block()) {
          block_seqs++;
          int diff = v->column - key_column;
          if (diff >= 0 && v->line != e.key->line) seq_indent.add(diff);
        } else {
          flow_seqs++;
          if (!v->items.empty() && v->content_begin + 1 < doc.text.size() && doc.text[v->content_begin + 1] == ' ')
            padded++;
        }
      }
      if (v->is_scalar() && !looks_like_number_or_keyword(v->value)) {
        if (v->scalar_style == ScalarStyle::DoubleQuoted) ++quotes.double_quoted;
        else if (v->scalar_style == ScalarStyle::SingleQuoted) ++quotes.single_quoted;
        else if (v->scalar_style == ScalarStyle::Plain) ++quotes.plain;
      }
      learn_from(v, step, seq_indent, flow_seqs, block_seqs, padded, quotes, doc, depth + 1);
    }
  } else if (node->is_sequence()) {
    for (const SeqItem& item : node->items)
      learn_from(item.value, step, seq_indent, flow_seqs, block_seqs, padded, quotes, doc, depth + 1);
  }
}

}  // namespace

NewValue NewValue::text(std::string yaml_text) {
  NewValue v;
  v.scalar = std::move(yaml_text);
  return v;
}

NewValue NewValue::sequence(std::vector<NewValue> items) {
  NewValue v;
  v.kind = Kind::Sequence;
  v.items = std::move(items);
  return v;
}

NewValue NewValue::mapping(std::vector<std::pair<std::string, NewValue>> entries) {
  NewValue v;
  v.kind = Kind::Mapping;
  v.entries = std::move(entries);
  return v;
}

Value NewValue::meaning() const {
  switch (kind) {
    case Kind::Scalar: {
      if (!scalar.empty() && scalar.front() == '"')
        return Value::quoted(detail::decode_double_quoted(scalar).value_or(scalar));
      if (!scalar.empty() && scalar.front() == '\'')
        return Value::quoted(detail::decode_single_quoted(scalar).value_or(scalar));
      if (scalar == "~" || scalar == "null" || scalar.empty()) return Value::null();
      return Value::plain(scalar);
    }
    case Kind::Sequence: {
      Value v;
      v.kind = Value::Kind::Sequence;
      for (const NewValue& item : items) v.items.push_back(item.meaning());
      return v;
    }
    case Kind::Mapping: {
      Value v;
      v.kind = Value::Kind::Mapping;
      for (const auto& [key, value] : entries) v.entries.emplace_back(Value::plain(key), value.meaning());
      return v;
    }
  }
  return {};
}

namespace {

struct StyleSamples {
  Tally step, seq_indent;
  QuoteTally quotes;
  int flow = 0, block = 0, padded = 0;

  explicit StyleSamples(const Document& doc, const Node* root) {
    learn_from(root, step, seq_indent, flow, block, padded, quotes, doc, 0);
  }
};

char preferred_quote(const QuoteTally& quotes) {
  int plain = quotes.plain, dq = quotes.double_quoted, sq = quotes.single_quoted;
  return dq > plain && dq >= sq ? '"' : sq > plain && sq > dq ? '\'' : 0;
}

}  // namespace

FileStyle FileStyle::learn(const Document& doc, const Node* scope) {
  StyleSamples file(doc, doc.root());
  FileStyle style;
  style.indent_step = most_common(file.step, 2);
  style.sequence_indent = most_common(file.seq_indent, style.indent_step);
  style.prefer_flow_sequences = file.flow > file.block;
  style.flow_padding = file.padded * 2 > file.flow && file.flow > 0;
  style.quote = preferred_quote(file.quotes);
  return scope ? style.within(doc, *scope) : style;
}

FileStyle FileStyle::within(const Document& doc, const Node& scope) const {
  StyleSamples local(doc, &scope);
  FileStyle style = *this;
  if (!local.seq_indent.empty()) style.sequence_indent = most_common(local.seq_indent, sequence_indent);
  if (local.flow + local.block > 0) style.prefer_flow_sequences = local.flow > local.block;
  if (local.flow > 0) style.flow_padding = local.padded * 2 > local.flow;
  if (!local.quotes.empty()) style.quote = preferred_quote(local.quotes);
  return style;
}

std::string scalar_text(std::string_view value, char quote) {
  if (quote == '\'' && value.find('\n') == std::string_view::npos) return single_quote(value);
  if (quote == '"') return double_quote(value);
  if (plain_is_safe(value)) return std::string(value);
  return double_quote(value);
}

bool subtree_opaque(const Node& node) {
  if (node.opaque) return true;
  for (const MapEntry& e : node.entries)
    if ((e.key && subtree_opaque(*e.key)) || (e.value && subtree_opaque(*e.value))) return true;
  for (const SeqItem& item : node.items)
    if (item.value && subtree_opaque(*item.value)) return true;
  return false;
}

namespace {

// An anchored node inside `node` (`node` itself too when `with_self`) that an
// alias outside [begin, end) refers to: removing the span would leave that
// alias undefined, or pointing at an earlier anchor of the same name.
const Node* anchor_used_outside(const Document& doc, const Node& node, std::size_t begin, std::size_t end,
                                bool with_self) {
  if (with_self && !node.anchor.empty()) {
    for (const Node* alias : doc.aliases_of(node))
      if (alias->begin < begin || alias->begin >= end) return &node;
  }
  for (const MapEntry& e : node.entries) {
    for (const Node* child : {e.key, e.value})
      if (child)
        if (const Node* found = anchor_used_outside(doc, *child, begin, end, true)) return found;
  }
  for (const SeqItem& item : node.items)
    if (item.value)
      if (const Node* found = anchor_used_outside(doc, *item.value, begin, end, true)) return found;
  return nullptr;
}

// The indicators of a block scalar (`|`, `>-`, `|2+`), without its comment;
// empty for any other node.
std::string_view block_header(const Document& doc, const Node& node) {
  bool block = node.scalar_style == ScalarStyle::Literal || node.scalar_style == ScalarStyle::Folded;
  if (!block || !node.is_scalar()) return {};
  std::size_t header_end = doc.line_end(node.content_begin);
  std::string_view header(doc.text.data() + node.content_begin, header_end - node.content_begin);
  return header.substr(0, header.find('#'));
}

// A block scalar that keeps the line break after its text (`|`, `>`, `|+`;
// not `|-`).
bool keeps_final_break(const Document& doc, const Node& node) {
  std::string_view header = block_header(doc, node);
  return !header.empty() && header.find('-') == std::string_view::npos;
}

// `|+` or `>+`: every blank line after the text belongs to the value.
bool keeps_trailing_lines(const Document& doc, const Node& node) {
  return block_header(doc, node).find('+') != std::string_view::npos;
}

// Text added at the end of a file without a final line break puts a break
// after the last line; inside a block scalar that keeps its last break
// (`|`, `|+`, not `|-`) the break becomes part of the value.
std::optional<EditRefusal> ends_in_block_scalar(const Document& doc) {
  for (const Node& node : doc.nodes) {
    if (node.end < doc.text.size() || !keeps_final_break(doc, node)) continue;
    return EditRefusal{"the file ends inside a block scalar with no final line break; adding after it would change "
                       "its value",
                       node.content_begin};
  }
  return std::nullopt;
}

EditRefusal not_editable_refusal(const Document& doc) { return EditRefusal{doc.not_editable, 0}; }

// `[a: b]`: a one-pair mapping with no braces, inside a flow sequence.
bool brace_less_pair(const Document& doc, const Node& mapping) {
  return mapping.is_flow() && (mapping.content_begin >= doc.text.size() || doc.text[mapping.content_begin] != '{');
}

EditRefusal anchor_refusal(const Node& anchored) {
  return EditRefusal{fmt::format("&{} is used by an alias elsewhere in the file; removing it would break that alias",
                                 anchored.anchor),
                     anchored.begin};
}

}  // namespace

std::optional<EditRefusal> EditBuilder::check_editable(const Node& node) const {
  if (!doc_.not_editable.empty()) return not_editable_refusal(doc_);
  if (node.opaque)
    return EditRefusal{"this scalar could not be modelled exactly; it is left as written", node.content_begin};
  return std::nullopt;
}

std::string EditBuilder::render_flow(const NewValue& value) const {
  switch (value.kind) {
    case NewValue::Kind::Scalar: return value.scalar;
    case NewValue::Kind::Sequence: {
      if (value.items.empty()) return "[]";
      std::string out = style_.flow_padding ? "[ " : "[";
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i) out += ", ";
        out += render_flow(value.items[i]);
      }
      return out + (style_.flow_padding ? " ]" : "]");
    }
    case NewValue::Kind::Mapping: {
      if (value.entries.empty()) return "{}";
      std::string out = "{";
      for (std::size_t i = 0; i < value.entries.size(); ++i) {
        if (i) out += ", ";
        out += value.entries[i].first + ": " + render_flow(value.entries[i].second);
      }
      return out + "}";
    }
  }
  return {};
}

// Lines of a block collection whose keys or dashes start at `column`; no
// line break before the first line or after the last.
std::string EditBuilder::render_block_lines(const NewValue& value, int column, std::string_view eol) const {
  std::string out;
  if (value.kind == NewValue::Kind::Sequence) {
    for (std::size_t i = 0; i < value.items.size(); ++i) {
      if (i) out += eol;
      const NewValue& item = value.items[i];
      out += spaces(column) + "-";
      if (item.kind == NewValue::Kind::Mapping && !item.entries.empty()) {
        // The first entry shares the dash's line; the rest align with it.
        std::string lines = render_block_lines(item, column + 2, eol);
        out += " " + lines.substr(static_cast<std::size_t>(column + 2));
      } else if (item.kind == NewValue::Kind::Scalar || item.items.empty()) {
        out += " " + render_flow(item);
      } else {
        out += " " + render_flow(item);
      }
    }
  } else if (value.kind == NewValue::Kind::Mapping) {
    for (std::size_t i = 0; i < value.entries.size(); ++i) {
      if (i) out += eol;
      out += spaces(column) + value.entries[i].first + ":" +
             render_after_key(value.entries[i].second, column, eol, false);
    }
  }
  return out;
}

std::string EditBuilder::render_after_key(const NewValue& value, int key_column, std::string_view eol,
                                          bool in_flow) const {
  switch (value.kind) {
    case NewValue::Kind::Scalar: return " " + value.scalar;
    case NewValue::Kind::Sequence:
      if (in_flow || style_.prefer_flow_sequences || value.items.empty()) return " " + render_flow(value);
      return std::string(eol) + render_block_lines(value, key_column + style_.sequence_indent, eol);
    case NewValue::Kind::Mapping:
      if (in_flow || value.entries.empty()) return " " + render_flow(value);
      return std::string(eol) + render_block_lines(value, key_column + style_.indent_step, eol);
  }
  return {};
}

namespace {

// True when a flow collection spans several lines and holds a comment: we
// do not guess where new text would go among those comments.
bool flow_with_comments(const Document& doc, const Node& node) {
  if (doc.position(node.content_begin).line == doc.position(node.end).line) return false;
  char quote = 0;
  for (std::size_t i = node.content_begin; i < node.end; ++i) {
    char c = doc.text[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#' && i > 0 && (is_blank(doc.text[i - 1]) || doc.text[i - 1] == '\n')) return true;
  }
  return false;
}

bool starts_line(const Document& doc, std::size_t offset) {
  for (std::size_t i = doc.line_begin(offset); i < offset; ++i)
    if (!is_blank(doc.text[i])) return false;
  return true;
}

// The span of whole lines from the line of `begin` through the line of
// `end`, keeping a missing final newline missing.
EditResult delete_lines(const Document& doc, std::size_t begin, std::size_t end) {
  std::size_t from = doc.line_begin(begin);
  std::size_t to = doc.next_line_begin(end);
  if (to >= doc.text.size() && (doc.text.empty() || doc.text.back() != '\n') && from > 0) {
    // The last line has no line break: take the previous line's break
    // instead, unless a block scalar before it keeps that break.
    std::size_t line = from;
    from = from - 1;
    if (from > 0 && doc.text[from - 1] == '\r') --from;
    for (const Node& node : doc.nodes)
      if (node.end >= from && node.end <= line && keeps_final_break(doc, node))
        return EditRefusal{"deleting the last line would take the line break a block scalar keeps", begin};
  }
  // Blank lines after the deleted text would then follow a `|+` scalar
  // right before it, and join its value.
  for (const Node& node : doc.nodes) {
    if (node.end > from || !keeps_trailing_lines(doc, node)) continue;
    std::string_view between(doc.text.data() + node.end, from - node.end);
    if (between.find_first_not_of(" \t\r\n") == std::string_view::npos)
      return EditRefusal{"deleting this would move blank lines into the '|+' block scalar before it", begin};
  }
  return Edit{from, to, ""};
}

// The `:` after an entry's key, past white space and comments; the end of
// the text when the entry has none (`{a, b}`, `? a`).
std::size_t colon_after_key(const Document& doc, const MapEntry& entry) {
  const std::string& text = doc.text;
  std::size_t i = entry.key->end;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '#') {
      i = doc.next_line_begin(i);
    } else {
      break;
    }
  }
  return i < text.size() && text[i] == ':' ? i : text.size();
}

}  // namespace

EditResult EditBuilder::insert_entry(const Node& mapping, std::string_view key, const NewValue& value) const {
  if (!doc_.not_editable.empty()) return not_editable_refusal(doc_);
  if (!mapping.is_mapping()) return EditRefusal{"not a mapping", mapping.content_begin};
  if (brace_less_pair(doc_, mapping))
    return EditRefusal{"a one-pair mapping inside a flow sequence ([a: b]) cannot take another entry",
                       mapping.content_begin};
  if (mapping.is_flow()) {
    if (flow_with_comments(doc_, mapping))
      return EditRefusal{"a multi-line flow mapping with comments cannot be edited safely", mapping.content_begin};
    std::string entry = std::string(key) + ": " + render_flow(value);
    // Into `{}`: replace the braces, so that a second insertion conflicts
    // (and waits for the next pass) instead of running into the first.
    if (mapping.entries.empty()) return Edit{mapping.content_begin, mapping.end, "{" + entry + "}"};
    const MapEntry& last = mapping.entries.back();
    if (subtree_opaque(*last.value)) return EditRefusal{"the last entry could not be modelled exactly", last.begin};
    return Edit{last.end, last.end, ", " + entry};
  }
  if (mapping.entries.empty()) return EditRefusal{"empty block mapping", mapping.content_begin};
  const MapEntry& last = mapping.entries.back();
  if (last.value && subtree_opaque(*last.value))
    return EditRefusal{"the last entry could not be modelled exactly", last.begin};
  // Also right for `- key: value` items: the keys align after the dash.
  int column = doc_.column_of(mapping.entries.front().begin);
  std::string_view eol = doc_.line_break_at(last.end);
  std::size_t at = doc_.next_line_begin(last.end);
  std::string line = spaces(column) + std::string(key) + ":" + render_after_key(value, column, eol, false);
  bool at_end_without_break = at >= doc_.text.size() && (doc_.text.empty() || doc_.text.back() != '\n');
  if (at_end_without_break) {
    if (auto refusal = ends_in_block_scalar(doc_)) return *refusal;
    return Edit{doc_.text.size(), doc_.text.size(), std::string(eol) + line, column};
  }
  return Edit{at, at, line + std::string(eol), column};
}

EditResult EditBuilder::append_item(const Node& sequence, const NewValue& value) const {
  if (!doc_.not_editable.empty()) return not_editable_refusal(doc_);
  if (!sequence.is_sequence()) return EditRefusal{"not a sequence", sequence.content_begin};
  if (sequence.is_flow()) {
    if (flow_with_comments(doc_, sequence))
      return EditRefusal{"a multi-line flow sequence with comments cannot be edited safely", sequence.content_begin};
    std::string item = render_flow(value);
    if (sequence.items.empty()) {
      std::string pad = style_.flow_padding ? " " : "";
      return Edit{sequence.content_begin, sequence.end, "[" + pad + item + pad + "]"};
    }
    const SeqItem& last = sequence.items.back();
    if (subtree_opaque(*last.value)) return EditRefusal{"the last item could not be modelled exactly", last.begin};
    bool one_per_line = doc_.position(last.begin).line != doc_.position(sequence.content_begin).line;
    if (one_per_line) {
      std::string_view eol = doc_.line_break_at(last.end);
      return Edit{last.end, last.end, "," + std::string(eol) + spaces(doc_.column_of(last.begin)) + item};
    }
    return Edit{last.end, last.end, ", " + item};
  }
  if (sequence.items.empty()) return EditRefusal{"empty block sequence", sequence.content_begin};
  const SeqItem& last = sequence.items.back();
  if (subtree_opaque(*last.value)) return EditRefusal{"the last item could not be modelled exactly", last.begin};
  if (!starts_line(doc_, last.begin))
    return EditRefusal{"a sequence item that does not start its line cannot be followed safely", last.begin};
  int column = doc_.column_of(last.begin);
  std::string_view eol = doc_.line_break_at(last.end);
  std::size_t at = doc_.next_line_begin(last.end);
  std::string line = render_block_lines(NewValue::sequence({value}), column, eol);
  bool at_end_without_break = at >= doc_.text.size() && (doc_.text.empty() || doc_.text.back() != '\n');
  // A sequence at its key's column (`key:\n- x`) still belongs inside the key.
  int depth = column + 1;
  if (at_end_without_break) {
    if (auto refusal = ends_in_block_scalar(doc_)) return *refusal;
    return Edit{doc_.text.size(), doc_.text.size(), std::string(eol) + line, depth};
  }
  return Edit{at, at, line + std::string(eol), depth};
}

Edit EditBuilder::into_slot(std::size_t begin, std::size_t end, std::string text) const {
  return Edit{begin, end, std::move(text), doc_.column_of(begin)};
}

EditResult EditBuilder::replace_scalar(const Node& scalar, std::string_view yaml_text) const {
  if (auto refusal = check_editable(scalar)) return *refusal;
  if (!scalar.is_scalar() && !scalar.is_null()) return EditRefusal{"not a scalar", scalar.content_begin};
  if (scalar.is_null() && scalar.begin == scalar.end)
    return into_slot(scalar.begin, scalar.end, " " + std::string(yaml_text));
  return into_slot(scalar.content_begin, scalar.end, std::string(yaml_text));
}

EditResult EditBuilder::replace_value(const MapEntry& entry, const Node& mapping, const NewValue& value) const {
  if (!doc_.not_editable.empty()) return not_editable_refusal(doc_);
  const Node& old = *entry.value;
  if (subtree_opaque(old)) return EditRefusal{"this value could not be modelled exactly", old.content_begin};
  if (old.is_alias()) return EditRefusal{"the value is an alias; edit the anchored node instead", old.content_begin};
  // The value's own anchor stays (the new value takes it); anchors below it go.
  if (const Node* anchored = anchor_used_outside(doc_, old, old.begin, old.end, false)) return anchor_refusal(*anchored);
  int column = doc_.column_of(entry.begin);
  std::size_t colon = colon_after_key(doc_, entry);
  if (colon >= doc_.text.size()) return EditRefusal{"no ':' after the key", entry.begin};
  std::string_view eol = doc_.line_break_at(entry.begin);
  std::string text = render_after_key(value, column, eol, mapping.is_flow());
  std::size_t end = std::max(old.end, colon + 1);
  std::size_t begin = old.anchor.empty() && old.tag.size() <= 1 ? colon + 1 : old.content_begin;
  if (begin != colon + 1 && !text.empty() && text.front() == ' ') text.erase(0, 1);
  return into_slot(begin, end, std::move(text));
}

EditResult EditBuilder::delete_entry(const Node& mapping, std::size_t index) const {
  if (!doc_.not_editable.empty()) return not_editable_refusal(doc_);
  if (index >= mapping.entries.size()) return EditRefusal{"no such entry", mapping.content_begin};
  const MapEntry& entry = mapping.entries[index];
  if (subtree_opaque(*entry.value)) return EditRefusal{"this entry could not be modelled exactly", entry.begin};
  if (brace_less_pair(doc_, mapping))
    return EditRefusal{"a one-pair mapping inside a flow sequence ([a: b]) cannot lose its pair", entry.begin};
  for (const Node* part : {entry.key, entry.value})
    if (const Node* anchored = part ? anchor_used_outside(doc_, *part, entry.begin, entry.end, true) : nullptr)
      return anchor_refusal(*anchored);
  if (mapping.is_flow()) {
    if (flow_with_comments(doc_, mapping))
      return EditRefusal{"a multi-line flow mapping with comments cannot be edited safely", mapping.content_begin};
    if (mapping.entries.size() == 1) return Edit{mapping.content_begin + 1, mapping.end - 1, ""};
    if (index > 0) return Edit{mapping.entries[index - 1].end, entry.end, ""};
    return Edit{entry.begin, mapping.entries[1].begin, ""};
  }
  if (mapping.entries.size() == 1)
    return EditRefusal{"deleting the only entry would leave the mapping empty", entry.begin};
  if (starts_line(doc_, entry.begin)) return delete_lines(doc_, entry.begin, entry.end);
  if (index + 1 < mapping.entries.size()) return Edit{entry.begin, mapping.entries[index + 1].begin, ""};
  return EditRefusal{"this entry shares its line with other content", entry.begin};
}

EditResult EditBuilder::delete_item(const Node& sequence, std::size_t index, const MapEntry* owner) const {
  if (!doc_.not_editable.empty()) return not_editable_refusal(doc_);
  if (index >= sequence.items.size()) return EditRefusal{"no such item", sequence.content_begin};
  const SeqItem& item = sequence.items[index];
  if (subtree_opaque(*item.value)) return EditRefusal{"this item could not be modelled exactly", item.begin};
  if (const Node* anchored = anchor_used_outside(doc_, *item.value, item.begin, item.end, true))
    return anchor_refusal(*anchored);
  if (sequence.is_flow()) {
    if (flow_with_comments(doc_, sequence))
      return EditRefusal{"a multi-line flow sequence with comments cannot be edited safely", sequence.content_begin};
    if (sequence.items.size() == 1) return Edit{sequence.content_begin + 1, sequence.end - 1, ""};
    if (index > 0) return Edit{sequence.items[index - 1].end, item.end, ""};
    return Edit{item.begin, sequence.items[1].begin, ""};
  }
  if (sequence.items.size() == 1) {
    if (!owner || !sequence.anchor.empty())
      return EditRefusal{"deleting the only item would leave the sequence empty", item.begin};
    std::size_t colon = colon_after_key(doc_, *owner);
    if (colon >= doc_.text.size()) return EditRefusal{"no ':' after the key", owner->begin};
    return Edit{colon + 1, doc_.line_end(sequence.end), " []"};
  }
  if (!starts_line(doc_, item.begin)) return EditRefusal{"this item shares its line with other content", item.begin};
  return delete_lines(doc_, item.begin, item.end);
}

}  // namespace harden
