// A line-oriented scanner for YAML constructs that yaml-cpp 0.7 accepts
// although the YAML 1.2 spec rejects them.
//
// It is not a parser: yaml-cpp does the parsing. The scanner follows just
// enough structure to know where it is (the stack of block collections, open
// quoted scalars and flow collections, block scalars, directives and document
// markers) and reports a small set of precise errors. Whenever the structure
// is ambiguous it errs on the side of accepting the input. Each line is
// visited once and each character a bounded number of times, so the scan is
// linear in the input.
#include "harden/yaml_syntax.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "harden/text.h"

namespace harden {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_flow_indicator(char c) {
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// ns-word-char: the characters of a named tag handle such as !e!.
bool is_word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '-';
}

// ASCII characters that may not appear in a tag shorthand's suffix (they are
// neither URI characters nor %-escapes). Flow indicators are also excluded;
// in flow context they end the tag instead.
bool is_forbidden_tag_char(char c) {
  switch (c) {
    case '{': case '}': case '[': case ']': case ',':
    case '"': case '<': case '>': case '\\': case '^': case '`': case '|':
      return true;
    default:
      return false;
  }
}

std::size_t skip_blanks(std::string_view s, std::size_t p) {
  while (p < s.size() && is_blank(s[p])) ++p;
  return p;
}

std::size_t skip_to_blank(std::string_view s, std::size_t p) {
  while (p < s.size() && !is_blank(s[p])) ++p;
  return p;
}

int leading_spaces(std::string_view s) {
  std::size_t p = 0;
  while (p < s.size() && s[p] == ' ') ++p;
  return static_cast<int>(p);
}

// '-', '?' and ':' are indicators when followed by whitespace or the end of
// the line; otherwise they start a plain scalar.
bool ends_token(std::string_view s, std::size_t p) {
  return p + 1 >= s.size() || is_blank(s[p + 1]);
}

// In flow context a flow indicator also ends the token.
bool ends_flow_token(std::string_view s, std::size_t p) {
  return ends_token(s, p) || is_flow_indicator(s[p + 1]);
}

bool is_document_marker(std::string_view line, std::string_view marker) {
  return line.substr(0, 3) == marker && (line.size() == 3 || is_blank(line[3]));
}

// Length of the escape sequence starting at the backslash s[p], or 0 when it
// is not one the spec allows (e.g. \' in a double-quoted scalar).
std::size_t escape_length(std::string_view s, std::size_t p) {
  const char c = s[p + 1];
  std::size_t digits = 0;
  switch (c) {
    case '0': case 'a': case 'b': case 't': case '\t': case 'n': case 'v': case 'f':
    case 'r': case 'e': case ' ': case '"': case '/': case '\\': case 'N': case '_':
    case 'L': case 'P':
      return 2;
    case 'x': digits = 2; break;
    case 'u': digits = 4; break;
    case 'U': digits = 8; break;
    default:
      return 0;
  }
  for (std::size_t i = 0; i < digits; ++i) {
    if (p + 2 + i >= s.size() || !is_hex(s[p + 2 + i])) return 0;
  }
  return 2 + digits;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<SyntaxProblem> run() {
    std::size_t pos = text_.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // byte order mark
    while (!failed()) {
      const std::size_t end = find_line_break(text_, pos);  // LF, CRLF or CR
      line_ = text_.substr(pos, end == npos ? npos : end - pos);
      ++line_no_;
      indent_ = leading_spaces(line_);
      process_line();
      if (end == npos) break;
      pos = end + (text_.compare(end, 2, "\r\n") == 0 ? 2 : 1);
    }
    if (!failed()) check_end_of_input();
    return problem_;
  }

 private:
  enum class DocState { Prefix, Document };  // between documents / inside one
  // What the last block line left: an empty value that a more indented line
  // may fill (Open), a plain scalar that may continue (Plain), or a finished
  // value (Complete).
  enum class After { Open, Plain, Complete };
  enum class Kind { Map, Seq };
  struct Collection {
    int column;
    Kind kind;
  };

  // A quoted scalar or flow collection that continues on later lines.
  struct Pending {
    bool active = false;
    // Continuation lines must be indented more than this: the owning
    // collection's column, or the line's indentation if smaller (compact
    // "- key: [" entries), which only makes the check more lenient.
    int threshold = -1;
    bool allow_key = false;
    std::size_t key_start = 0;
    int line = 0;
    std::size_t column = 0;
  };

  // The body of a literal or folded block scalar: literal text, not scanned.
  struct BlockScalar {
    bool active = false;
    // Lines indented more than this are content. For "- key: |" it is the
    // line's indentation rather than the mapping's column: lines in between
    // are skipped as text, never misread as structure.
    int lenient_parent = -1;
    int parent = -1;  // the spec's n: the owning collection's column
    bool auto_indent = true;
    bool seen_content = false;
    int max_leading_blank = 0;
    int max_leading_blank_line = 0;
  };

  // ---- driving ----------------------------------------------------------

  void process_line() {
    if (is_document_marker(line_, "---") || is_document_marker(line_, "...")) {
      handle_document_marker();
      return;
    }
    if (block_scalar_.active && continue_block_scalar()) return;
    if (pending_.active) {
      continue_pending();
      return;
    }
    process_block_line();
  }

  void handle_document_marker() {
    // Document markers are forbidden inside scalars and flow collections.
    if (pending_.active) {
      fail_at(pending_.line, pending_.column, quote_ == 0 || !brackets_.empty()
                                                  ? "unterminated flow collection"
                                                  : "unterminated quoted scalar");
      return;
    }
    block_scalar_.active = false;
    const std::size_t rest = skip_blanks(line_, 3);
    if (line_[0] == '-') {
      start_document();
      indent_ = -1;  // a node on the '---' line belongs to the document itself
      if (rest < line_.size() && line_[rest] != '#') parse_node(rest, /*allow_key=*/false);
      return;
    }
    check_document_end(rest);
  }

  // '...' ends a document: only a comment may follow it on its line.
  void check_document_end(std::size_t rest) {
    if (directives_pending_) {
      fail(0, "a directive must be followed by a document ('---' expected)");
      return;
    }
    if (rest < line_.size() && line_[rest] != '#') {
      fail(rest, "only a comment may follow the document end marker '...'");
      return;
    }
    doc_ = DocState::Prefix;
    reset_block_state();
  }

  void check_end_of_input() {
    if (pending_.active) {
      const char* what = !brackets_.empty()   ? "unterminated flow collection"
                         : quote_ == '"'      ? "unterminated double-quoted scalar"
                                              : "unterminated single-quoted scalar";
      fail_at(pending_.line, pending_.column, what);
    } else if (directives_pending_) {
      fail_at(directive_line_, 0, "a directive must be followed by a document ('---' expected)");
    }
  }

  void start_document() {
    doc_ = DocState::Document;
    handles_ = std::move(pending_handles_);
    pending_handles_.clear();
    directives_pending_ = false;
    reset_block_state();
  }

  void reset_block_state() {
    stack_.clear();
    after_ = After::Open;
    pending_ = Pending{};
    quote_ = 0;
    brackets_.clear();
    block_scalar_ = BlockScalar{};
  }

  // ---- block scalars ----------------------------------------------------

  // Returns true when the line belongs to the block scalar's body.
  bool continue_block_scalar() {
    const std::size_t content = skip_blanks(line_, 0);
    if (content == line_.size()) {
      if (!block_scalar_.seen_content && indent_ > block_scalar_.max_leading_blank) {
        block_scalar_.max_leading_blank = indent_;
        block_scalar_.max_leading_blank_line = line_no_;
      }
      return true;
    }
    if (indent_ > block_scalar_.lenient_parent) {
      if (!block_scalar_.seen_content) check_leading_blank_lines();
      block_scalar_.seen_content = true;
      return true;
    }
    block_scalar_.active = false;
    after_ = After::Complete;
    return false;
  }

  // With auto-detected indentation, the first non-empty line sets the
  // indentation; a leading empty line may not have more spaces than that.
  void check_leading_blank_lines() {
    if (block_scalar_.auto_indent && indent_ > block_scalar_.parent &&
        block_scalar_.max_leading_blank > indent_) {
      fail_at(block_scalar_.max_leading_blank_line, static_cast<std::size_t>(indent_),
              "a leading empty line of a block scalar has more spaces than its first "
              "content line");
    }
  }

  // The header is '|' or '>', at most one indentation digit and one chomping
  // indicator, then only whitespace and an optional comment.
  void start_block_scalar(std::size_t p) {
    std::size_t q = p + 1;
    int digits = 0;
    int chomps = 0;
    for (; q < line_.size(); ++q) {
      const char c = line_[q];
      if (c >= '1' && c <= '9') {
        ++digits;
      } else if (c == '+' || c == '-') {
        ++chomps;
      } else {
        break;
      }
    }
    if (digits > 1 || chomps > 1) {
      fail(p, "invalid block scalar header");
      return;
    }
    if (q < line_.size()) {
      if (!is_blank(line_[q])) {
        fail(q, line_[q] == '#'
                    ? "a comment after a block scalar indicator must be preceded by whitespace"
                    : "invalid character in block scalar header");
        return;
      }
      const std::size_t r = skip_blanks(line_, q);
      if (r < line_.size() && line_[r] != '#') {
        fail(r, "only a comment may follow a block scalar header");
        return;
      }
    }
    block_scalar_ = BlockScalar{};
    block_scalar_.active = true;
    block_scalar_.parent = owner();
    block_scalar_.lenient_parent = std::min(owner(), indent_);
    block_scalar_.auto_indent = digits == 0;
    after_ = After::Complete;
  }

  // ---- quoted scalars and flow collections ------------------------------

  // Starts the quoted scalar or flow collection at line_[p]. Returns the index
  // just past it, or npos when it continues on later lines (or failed).
  std::size_t start_pending(std::size_t p, std::size_t key_start, bool allow_key) {
    pending_ = Pending{};
    pending_.threshold = std::min(owner(), indent_);
    pending_.allow_key = allow_key;
    pending_.key_start = key_start;
    pending_.line = line_no_;
    pending_.column = p;
    std::size_t r;
    if (line_[p] == '"' || line_[p] == '\'') {
      quote_ = line_[p];
      r = scan_quoted(p + 1);
    } else {
      brackets_.assign(1, line_[p]);
      expect_entry_ = expect_node_ = true;
      json_node_ = false;
      r = scan_flow(p + 1, /*separated=*/false);
    }
    if (r == npos && !failed()) pending_.active = true;
    return r;
  }

  // Continuation lines of a multi-line quoted scalar or flow collection must
  // be indented more than the block collection that holds them; tabs do not
  // count as indentation. A line starting with the closing bracket is let
  // through: that style is common and other tools accept it.
  void continue_pending() {
    const std::size_t content = skip_blanks(line_, 0);
    if (content == line_.size()) return;
    const bool in_flow = !brackets_.empty();
    const bool in_quote = quote_ != 0;
    if (in_flow && !in_quote && line_[content] == '#') return;  // comment line
    const bool closing_line =
        in_flow && !in_quote && (line_[content] == ']' || line_[content] == '}');
    if (indent_ <= pending_.threshold && !closing_line) {
      fail(content, in_flow ? "flow collection line is not indented enough "
                              "(tabs do not count as indentation)"
                            : "quoted scalar line is not indented enough "
                              "(tabs do not count as indentation)");
      return;
    }
    const std::size_t r = in_flow ? scan_flow(0, /*separated=*/true) : scan_quoted(0);
    if (failed() || r == npos) return;
    pending_.active = false;
    finish_node(r, pending_.key_start, pending_.allow_key, /*multi_line=*/true);
  }

  // Scans the quoted scalar opened by quote_ from p. Returns the index past
  // the closing quote, or npos at the end of the line (or on failure).
  std::size_t scan_quoted(std::size_t p) {
    const std::size_t n = line_.size();
    if (quote_ == '\'') {
      for (; p < n; ++p) {
        if (line_[p] != '\'') continue;
        if (p + 1 < n && line_[p + 1] == '\'') {
          ++p;  // '' is an escaped quote
          continue;
        }
        quote_ = 0;
        return p + 1;
      }
      return npos;
    }
    while (p < n) {
      const char c = line_[p];
      if (c == '"') {
        quote_ = 0;
        return p + 1;
      }
      if (c != '\\') {
        ++p;
        continue;
      }
      if (p + 1 == n) return npos;  // escaped line break
      const std::size_t len = escape_length(line_, p);
      if (len == 0) {
        fail(p, "invalid escape sequence in double-quoted scalar");
        return npos;
      }
      p += len;
    }
    return npos;
  }

  // Scans flow content from p with brackets_ open. Returns the index past
  // the outermost closing bracket, or npos at the end of the line (or on
  // failure). separated: whitespace or the line start precedes p.
  std::size_t scan_flow(std::size_t p, bool separated) {
    const std::size_t n = line_.size();
    if (quote_ != 0) {
      p = scan_quoted(p);
      if (p == npos) return npos;
      separated = false;
    }
    while (p < n) {
      const char c = line_[p];
      if (is_blank(c)) {
        separated = true;
        ++p;
        continue;
      }
      if (c == '#') {
        if (!separated) fail(p, "'#' must be preceded by whitespace to start a comment");
        return npos;  // the rest of the line is a comment
      }
      separated = false;
      if (c == ',') {
        if (!check_flow_entry_present(p)) return npos;
        expect_entry_ = expect_node_ = true;
        json_node_ = false;
        ++p;
        continue;
      }
      if (c == '[' || c == '{') {
        brackets_.push_back(c);
        expect_entry_ = expect_node_ = true;
        json_node_ = false;
        ++p;
        continue;
      }
      if (c == ']' || c == '}') {
        if (brackets_.back() != (c == ']' ? '[' : '{')) {
          fail(p, "mismatched flow collection bracket");
          return npos;
        }
        brackets_.pop_back();
        expect_entry_ = expect_node_ = false;
        json_node_ = true;
        ++p;
        if (brackets_.empty()) return p;
        continue;
      }
      expect_entry_ = false;
      p = scan_flow_token(p);
      if (p == npos) return npos;
    }
    return npos;
  }

  // A ',' right after '[', '{' or another ',' would separate an empty entry,
  // which flow collections do not allow.
  bool check_flow_entry_present(std::size_t p) {
    if (!expect_entry_) return true;
    fail(p, "empty entry in flow collection (extra ',')");
    return false;
  }

  // Scans one token (quoted scalar, property, indicator or plain scalar) in
  // flow context. Returns the index past it, or npos.
  std::size_t scan_flow_token(std::size_t p) {
    const char c = line_[p];
    const bool node_start = expect_node_;
    const bool after_json_node = json_node_;
    expect_node_ = json_node_ = false;
    if (!node_start) {
      // Inside a plain scalar only ':' is an indicator ("a ? b", "don 't" and
      // "a &b" are text). After a quoted scalar or a flow collection, ':' is
      // one even when the value follows without a space: {"a":"b"}.
      if (c == ':' && (ends_flow_token(line_, p) || after_json_node)) {
        expect_node_ = true;
        return p + 1;
      }
      return skip_flow_scalar(p);
    }
    switch (c) {
      case '"':
      case '\'':
        quote_ = c;
        json_node_ = true;
        return scan_quoted(p + 1);
      case '!':
        expect_node_ = true;  // node properties: the node itself follows
        return scan_tag(p, /*in_flow=*/true);
      case '&':
        expect_node_ = true;
        return skip_flow_scalar(p);
      case '-':
      case '?':
      case ':':
        if (!ends_flow_token(line_, p)) break;  // "-1", ":a": plain scalars
        if (c == '-') {
          // A lone '-' is a block sequence indicator, not a plain scalar.
          fail(p, "'-' cannot start a flow collection entry (quote it)");
          return npos;
        }
        expect_node_ = true;  // explicit key or value indicator
        return p + 1;
      default:
        break;
    }
    return skip_flow_scalar(p);  // plain scalar or alias
  }

  // Skips a plain scalar, anchor or alias in flow context.
  std::size_t skip_flow_scalar(std::size_t p) {
    const std::size_t n = line_.size();
    for (++p; p < n; ++p) {
      const char c = line_[p];
      if (is_blank(c) || is_flow_indicator(c)) break;
      if (c == ':' && ends_flow_token(line_, p)) break;
    }
    return p;
  }

  // A quoted scalar or flow collection in block context ended at r: only
  // whitespace, a comment, or (for an implicit key) ':' may follow it.
  bool finish_node(std::size_t r, std::size_t key_start, bool allow_key, bool multi_line) {
    const std::size_t q = skip_blanks(line_, r);
    if (q == line_.size()) {
      after_ = After::Complete;
      return false;
    }
    if (line_[q] == '#') {
      if (q == r) {
        fail(q, "'#' must be preceded by whitespace to start a comment");
        return false;
      }
      after_ = After::Complete;
      return false;
    }
    if (line_[q] == ':') {
      if (multi_line) {
        fail(q, "an implicit mapping key must fit on a single line");
        return false;
      }
      if (allow_key) return take_key(key_start, q);
      after_ = After::Complete;  // "a": "b": c - left to yaml-cpp
      return false;
    }
    fail(q, "unexpected content after a quoted scalar or flow collection");
    return false;
  }

  // ---- tags -------------------------------------------------------------

  // Checks the tag at line_[p] and returns the index past it. A shorthand
  // tag's handle must be !, !! or declared by %TAG for this document, and its
  // suffix may contain only URI characters.
  std::size_t scan_tag(std::size_t p, bool in_flow) {
    const std::size_t n = line_.size();
    auto ends_tag = [&](char c) { return is_blank(c) || (in_flow && is_flow_indicator(c)); };
    std::size_t e = p + 1;
    if (e < n && line_[e] == '<') {  // verbatim tag !<...>, not checked
      while (e < n && line_[e] != '>') ++e;
      return e < n ? e + 1 : n;
    }
    if (e < n && line_[e] == '!') {
      ++e;  // secondary handle !!
    } else {
      std::size_t w = e;
      while (w < n && is_word_char(line_[w])) ++w;
      if (w < n && line_[w] == '!') {
        if (!check_tag_handle(p, line_.substr(p, w + 1 - p))) return npos;
        e = w + 1;
      }
    }
    for (; e < n && !ends_tag(line_[e]); ++e) {
      if (is_forbidden_tag_char(line_[e])) {
        fail(e, "invalid character in tag");
        return npos;
      }
    }
    return e;
  }

  bool check_tag_handle(std::size_t p, std::string_view handle) {
    if (std::find(handles_.begin(), handles_.end(), handle) != handles_.end()) return true;
    fail(p, "tag handle '" + std::string(handle) +
                "' is not declared by a %TAG directive of this document");
    return false;
  }

  // ---- block context ----------------------------------------------------

  void process_block_line() {
    const std::size_t content = skip_blanks(line_, 0);
    if (content == line_.size()) return;
    if (line_[content] == '#') {
      if (after_ == After::Plain) after_ = After::Complete;  // comments end plain scalars
      return;
    }
    if (doc_ == DocState::Document && after_ == After::Plain && indent_ > plain_threshold_) {
      continue_plain(content);
      return;
    }
    if (line_[0] == '%') {
      handle_directive();
      return;
    }
    if (doc_ == DocState::Prefix) {
      if (directives_pending_) {
        fail(content, "a directive must be followed by a document ('---' expected)");
        return;
      }
      start_document();
    }
    if (!check_block_indentation(content)) return;
    const bool may_start_sequence = after_ == After::Open;
    const bool need_key = need_key_;
    const LineStart start = parse_block_line(content);
    if (failed()) return;
    if (need_key && !start.key && !(start.dash && may_start_sequence)) {
      fail(content, "expected a mapping key ('key: value') at this indentation");
    }
  }

  // A line of a multi-line plain scalar; a comment ends the scalar.
  void continue_plain(std::size_t content) {
    for (std::size_t q = content; q + 1 < line_.size(); ++q) {
      if (is_blank(line_[q]) && line_[q + 1] == '#') {
        after_ = After::Complete;
        return;
      }
    }
  }

  // Directives are allowed only before a document: at the start of the
  // stream or after a document end marker '...'.
  void handle_directive() {
    if (doc_ == DocState::Document) {
      fail(0, "directive inside a document (end the previous document with '...')");
      return;
    }
    directives_pending_ = true;
    directive_line_ = line_no_;
    if (line_.substr(0, 4) == "%TAG" && line_.size() > 4 && is_blank(line_[4])) {
      const std::size_t h = skip_blanks(line_, 4);
      pending_handles_.emplace_back(line_.substr(h, skip_to_blank(line_, h) - h));
    }
  }

  // Matches the line's indentation against the enclosing block collections.
  // Sets need_key_ when the line must be an entry of a block mapping.
  bool check_block_indentation(std::size_t content) {
    need_key_ = false;
    bool popped = false;
    while (!stack_.empty() && stack_.back().column > indent_) {
      stack_.pop_back();
      popped = true;
    }
    const bool dash = line_[content] == '-' && ends_token(line_, content);
    end_zero_indented_sequence(dash);
    if (owner() == indent_) {
      if (stack_.back().kind == Kind::Seq && !dash) {
        fail(content, "expected a sequence entry ('- ') at this indentation");
        return false;
      }
      need_key_ = stack_.back().kind == Kind::Map;
      if (popped && need_key_ && dash) {
        fail(content, "expected a mapping key ('key: value') at this indentation");
        return false;
      }
      return true;
    }
    // The line is indented more than every enclosing collection: it must be
    // the value the previous line left open.
    if (popped) {
      fail(content, "indentation does not match any enclosing block collection");
      return false;
    }
    if (after_ == After::Complete) {
      fail(content, stack_.empty()
                        ? "unexpected content after the document's root node"
                        : "unexpected content after a complete value (check the indentation)");
      return false;
    }
    return true;
  }

  // A sequence may sit at the same indentation as the mapping key that owns
  // it ("key:\n- a"); a line at that indentation without '- ' ends it.
  void end_zero_indented_sequence(bool dash) {
    const std::size_t n = stack_.size();
    if (dash || n < 2) return;
    if (stack_[n - 1].kind == Kind::Seq && stack_[n - 1].column == indent_ &&
        stack_[n - 2].kind == Kind::Map && stack_[n - 2].column == indent_) {
      stack_.pop_back();
    }
  }

  struct LineStart {
    bool key = false;   // the line starts a mapping entry
    bool dash = false;  // the line starts a sequence entry
  };

  // Parses the block indicators ('- ', '? ', ': ') that open the line, then
  // the node after them.
  LineStart parse_block_line(std::size_t content) {
    LineStart start;
    std::size_t p = content;
    while (p < line_.size() && (line_[p] == '-' || line_[p] == '?' || line_[p] == ':') &&
           ends_token(line_, p)) {
      const Kind kind = line_[p] == '-' ? Kind::Seq : Kind::Map;
      if (p == content) (kind == Kind::Seq ? start.dash : start.key) = true;
      enter_collection(p, kind);
      p = skip_blanks(line_, p + 1);
      if (p == line_.size() || line_[p] == '#') {
        after_ = After::Open;
        return start;
      }
    }
    const bool key = parse_node(p, /*allow_key=*/true);
    if (p == content && key) start.key = true;
    return start;
  }

  void enter_collection(std::size_t column, Kind kind) {
    const int col = static_cast<int>(column);
    if (!stack_.empty() && stack_.back().column == col && stack_.back().kind == kind) return;
    stack_.push_back({col, kind});
  }

  // Parses a node in block context starting at p: optional properties, then
  // a block scalar, quoted scalar, flow collection, alias or plain scalar.
  // Returns true when the node turned out to be an implicit mapping key.
  bool parse_node(std::size_t p, bool allow_key) {
    const std::size_t n = line_.size();
    const std::size_t start = p;
    while (p < n && (line_[p] == '!' || line_[p] == '&')) {
      const std::size_t e = line_[p] == '!' ? scan_tag(p, /*in_flow=*/false) : skip_to_blank(line_, p);
      if (failed()) return false;
      p = skip_blanks(line_, e);
    }
    if (p == n || line_[p] == '#') {
      after_ = After::Open;  // empty, or properties of a node on a later line
      return false;
    }
    const char c = line_[p];
    if (c == '|' || c == '>') {
      start_block_scalar(p);
      return false;
    }
    if (c == '"' || c == '\'' || c == '[' || c == '{') {
      const std::size_t r = start_pending(p, start, allow_key);
      if (failed() || r == npos) return false;
      return finish_node(r, start, allow_key, /*multi_line=*/false);
    }
    if (c == '*') return parse_alias(p, start, allow_key);
    return parse_plain(p, start, allow_key);
  }

  bool parse_alias(std::size_t p, std::size_t start, bool allow_key) {
    const std::size_t e = skip_to_blank(line_, p);
    if (allow_key && line_[e - 1] == ':') return take_key(start, e - 1);  // "*a: b"
    const std::size_t q = skip_blanks(line_, e);
    if (allow_key && q < line_.size() && line_[q] == ':' && ends_token(line_, q)) {
      return take_key(start, q);
    }
    after_ = After::Complete;
    return false;
  }

  // A plain scalar ends at ': ' (when it is an implicit key) or at ' #'.
  bool parse_plain(std::size_t p, std::size_t start, bool allow_key) {
    for (std::size_t q = p; q < line_.size(); ++q) {
      const char c = line_[q];
      if (c == ':' && allow_key && ends_token(line_, q)) return take_key(start, q);
      if (is_blank(c) && q + 1 < line_.size() && line_[q + 1] == '#') {
        after_ = After::Complete;
        return false;
      }
    }
    after_ = After::Plain;
    // Not the line's indentation: after "- key: a" the next line at the
    // mapping's column is a new key, not a continuation.
    plain_threshold_ = owner();
    return false;
  }

  // The node at key_start is an implicit key; its ':' is at colon.
  bool take_key(std::size_t key_start, std::size_t colon) {
    enter_collection(key_start, Kind::Map);
    parse_node(skip_blanks(line_, colon + 1), /*allow_key=*/false);
    return true;
  }

  // Column of the innermost open block collection (-1: the document itself).
  int owner() const { return stack_.empty() ? -1 : stack_.back().column; }

  // ---- problems ---------------------------------------------------------

  bool failed() const { return problem_.has_value(); }

  void fail(std::size_t index, std::string message) {
    fail_at(line_no_, index, std::move(message));
  }

  void fail_at(int line, std::size_t index, std::string message) {
    if (failed()) return;
    problem_ = SyntaxProblem{std::move(message), line, static_cast<int>(index) + 1};
  }

  std::string_view text_;
  std::string_view line_;  // the current line, without its line break
  int line_no_ = 0;
  int indent_ = 0;  // leading spaces of the current line
  std::optional<SyntaxProblem> problem_;

  DocState doc_ = DocState::Prefix;
  bool directives_pending_ = false;
  int directive_line_ = 0;
  std::vector<std::string> pending_handles_;  // %TAG handles for the next document
  std::vector<std::string> handles_;          // %TAG handles of this document

  std::vector<Collection> stack_;  // open block collections, innermost last
  After after_ = After::Open;
  int plain_threshold_ = -1;  // a plain scalar continues on lines indented more
  bool need_key_ = false;

  Pending pending_;
  char quote_ = 0;         // the open quote, if any
  std::string brackets_;   // open flow brackets, innermost last
  bool expect_entry_ = false;  // just after '[', '{' or ','
  bool expect_node_ = false;   // a flow node may start here (not inside a plain scalar)
  bool json_node_ = false;     // the last flow token was a quoted scalar or collection

  BlockScalar block_scalar_;
};

}  // namespace

std::optional<SyntaxProblem> find_syntax_problem(std::string_view text) {
  return Scanner(text).run();
}

}  // namespace harden
