#include "scalar_decode.h"

#include <cstdint>
#include <vector>

#include "harden/text.h"

namespace harden::detail {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Splits on \n, dropping a \r before it.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Flow folding shared by plain and single-quoted scalars: white space around
// line breaks is dropped, one break becomes a space, n+1 breaks become n
// newlines.
std::string fold_flow_lines(std::string_view text, bool keep_outer_space) {
  if (text.find('\n') == std::string_view::npos) {  // one line, the common case: nothing to fold
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return std::string(keep_outer_space ? text : trim_right(trim_left(text)));
  }
  auto lines = split_lines(text);
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    bool first = i == 0, last = i + 1 == lines.size();
    if (!first || !keep_outer_space) line = trim_left(line);
    if (!last || !keep_outer_space) line = trim_right(line);
    if (first) {
      out.append(line);
      continue;
    }
    if (line.empty() && !last) {
      out.push_back('\n');
      continue;
    }
    // A break followed directly by content folds to a space unless empty
    // lines (already written as newlines) came before it.
    bool after_empty = i >= 2 && (trim_left(trim_right(lines[i - 1])).empty());
    if (!after_empty) out.push_back(' ');
    out.append(line);
  }
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::optional<std::uint32_t> parse_hex(std::string_view digits) {
  std::uint32_t value = 0;
  for (char c : digits) {
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<std::string> decode_plain(std::string_view raw) { return fold_flow_lines(raw, false); }

std::optional<std::string_view> decode_one_line_plain(std::string_view raw) {
  if (find_line_break(raw) != std::string_view::npos) return std::nullopt;
  return trim_right(trim_left(raw));
}

std::optional<std::string> decode_single_quoted(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '\'' || raw.back() != '\'') return std::nullopt;
  std::string folded = fold_flow_lines(raw.substr(1, raw.size() - 2), true);
  std::string out;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    out.push_back(folded[i]);
    if (folded[i] == '\'' && i + 1 < folded.size() && folded[i + 1] == '\'') ++i;
  }
  return out;
}

std::optional<std::string> decode_double_quoted(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
  std::string_view s = raw.substr(1, raw.size() - 2);
  std::string out;
  std::size_t literal_tail = 0;  // trailing unescaped blanks in out
  auto skip_break = [&](std::size_t& i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    ++i;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n' || c == '\r') {
      out.resize(out.size() - literal_tail);
      literal_tail = 0;
      skip_break(i);
      int empty_lines = 0;
      while (true) {
        std::size_t j = i;
        while (j < s.size() && is_blank(s[j])) ++j;
        if (j < s.size() && (s[j] == '\n' || s[j] == '\r')) {
          ++empty_lines;
          i = j;
          skip_break(i);
          continue;
        }
        i = j;
        break;
      }
      if (empty_lines == 0) out.push_back(' ');
      else out.append(static_cast<std::size_t>(empty_lines), '\n');
      continue;
    }
    if (c != '\\') {
      out.push_back(c);
      literal_tail = is_blank(c) ? literal_tail + 1 : 0;
      ++i;
      continue;
    }
    literal_tail = 0;
    if (i + 1 >= s.size()) return std::nullopt;
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case '0': out.push_back('\0'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 't': case '\t': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'v': out.push_back('\v'); break;
      case 'f': out.push_back('\f'); break;
      case 'r': out.push_back('\r'); break;
      case 'e': out.push_back('\x1b'); break;
      case ' ': out.push_back(' '); break;
      case '"': out.push_back('"'); break;
      case '/': out.push_back('/'); break;
      case '\\': out.push_back('\\'); break;
      case 'N': append_utf8(out, 0x85); break;
      case '_': append_utf8(out, 0xA0); break;
      case 'L': append_utf8(out, 0x2028); break;
      case 'P': append_utf8(out, 0x2029); break;
      case 'x': case 'u': case 'U': {
        std::size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > s.size()) return std::nullopt;
        auto cp = parse_hex(s.substr(i, n));
        if (!cp) return std::nullopt;
        append_utf8(out, *cp);
        i += n;
        break;
      }
      case '\n': case '\r': {
        // An escaped line break joins the lines without a space.
        --i;
        skip_break(i);
        while (i < s.size() && is_blank(s[i])) ++i;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> decode_block(std::string_view raw, int parent_indent) {
  if (raw.empty() || (raw.front() != '|' && raw.front() != '>')) return std::nullopt;
  bool folded = raw.front() == '>';
  char chomp = 'c';
  int explicit_indent = 0;
  std::size_t i = 1;
  for (; i < raw.size() && i < 3; ++i) {
    char c = raw[i];
    if (c == '+' || c == '-') chomp = c;
    else if (c >= '1' && c <= '9') explicit_indent = c - '0';
    else break;
  }
  std::size_t nl = raw.find('\n', i);
  if (nl == std::string_view::npos) return std::string();  // header only
  std::string_view body = raw.substr(nl + 1);
  bool ends_with_break = !body.empty() && body.back() == '\n';
  auto lines = split_lines(body);
  if (ends_with_break && !lines.empty()) lines.pop_back();  // the empty tail after the last break

  std::size_t indent = 0;
  if (explicit_indent > 0) {
    indent = static_cast<std::size_t>((parent_indent < 0 ? 0 : parent_indent) + explicit_indent);
  } else {
    for (std::string_view line : lines) {
      std::size_t n = 0;
      while (n < line.size() && line[n] == ' ') ++n;
      if (n < line.size()) {
        indent = n;
        break;
      }
    }
  }

  // Content lines with the indentation removed; `empty` marks lines with no content.
  std::vector<std::string_view> content;
  std::vector<bool> empty;
  for (std::string_view line : lines) {
    std::size_t n = 0;
    while (n < line.size() && n < indent && line[n] == ' ') ++n;
    // Only spaces, no more than the indentation: an empty line. Spaces
    // beyond the indentation are content.
    bool is_empty = line.find_first_not_of(' ') == std::string_view::npos && line.size() <= indent;
    content.push_back(is_empty ? std::string_view() : line.substr(n));
    empty.push_back(is_empty);
  }
  std::size_t last = content.size();
  while (last > 0 && empty[last - 1]) --last;
  std::size_t trailing_empty = content.size() - last;

  std::string out;
  bool first = true, prev_more = false;
  int pending_empty = 0;
  for (std::size_t k = 0; k < last; ++k) {
    if (empty[k]) {
      // Spaces beyond the indentation on an otherwise empty line are content in literal style.
      ++pending_empty;
      continue;
    }
    std::string_view line = content[k];
    bool more = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    if (first) {
      out.append(static_cast<std::size_t>(pending_empty), '\n');
    } else if (!folded) {
      out.append(static_cast<std::size_t>(pending_empty) + 1, '\n');
    } else if (!prev_more && !more) {
      if (pending_empty == 0) out.push_back(' ');
      else out.append(static_cast<std::size_t>(pending_empty), '\n');
    } else {
      out.append(static_cast<std::size_t>(pending_empty) + 1, '\n');
    }
    out.append(line);
    first = false;
    prev_more = more;
    pending_empty = 0;
  }
  bool has_content = !first;
  if (chomp == '-') return out;
  if (chomp == 'c') {
    if (has_content && (last < content.size() || ends_with_break)) out.push_back('\n');
    return out;
  }
  // keep
  if (has_content) {
    if (last < content.size() || ends_with_break) out.push_back('\n');
    out.append(trailing_empty > 0 && !ends_with_break ? trailing_empty - 1 : trailing_empty, '\n');
  } else {
    out.append(static_cast<std::size_t>(pending_empty) + (ends_with_break ? 0 : 0), '\n');
  }
  return out;
}

}  // namespace harden::detail
