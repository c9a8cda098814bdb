// Image introspection: derives what an image needs at start-up from its
// config and files. The engine access (discovery, HTTP, the image archive)
// is in src/engine_client.cpp; this file is pure analysis plus the cache.

#include "harden/image_introspection.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace harden {
namespace {

constexpr std::array<std::string_view, 41> kCapabilityNames = {
    "CHOWN",           "DAC_OVERRIDE",   "DAC_READ_SEARCH", "FOWNER",         "FSETID",         "KILL",
    "SETGID",          "SETUID",         "SETPCAP",         "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_ADMIN",       "NET_RAW",        "IPC_LOCK",        "IPC_OWNER",      "SYS_MODULE",     "SYS_RAWIO",
    "SYS_CHROOT",      "SYS_PTRACE",     "SYS_PACCT",       "SYS_ADMIN",      "SYS_BOOT",       "SYS_NICE",
    "SYS_RESOURCE",    "SYS_TIME",       "SYS_TTY_CONFIG",  "MKNOD",          "LEASE",          "AUDIT_WRITE",
    "AUDIT_CONTROL",   "SETFCAP",        "MAC_OVERRIDE",    "MAC_ADMIN",      "SYSLOG",         "WAKE_ALARM",
    "BLOCK_SUSPEND",   "AUDIT_READ",     "PERFMON",         "BPF",            "CHECKPOINT_RESTORE"};

std::uint32_t le32(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
}

std::string basename_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string parent_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// "/a/./b//c/../d/" -> "/a/b/d"; relative paths are joined to `cwd`.
std::string normalise_path(std::string_view path, const std::string& cwd) {
  std::string joined = path.starts_with("/") ? std::string(path) : (cwd.empty() ? "/" : cwd) + "/" + std::string(path);
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= joined.size()) {
    std::size_t slash = joined.find('/', i);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(i, slash - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

bool under(const std::string& path, const std::string& folder) {
  if (folder == "/") return true;
  return path == folder || (path.size() > folder.size() && path.starts_with(folder) && path[folder.size()] == '/');
}

template <typename T>
void add_unique(std::vector<T>& list, T value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// ------------------------------------------------------------ shell words

struct Word {
  std::string text;  // with quotes removed; '\x01' stands for a `$` that must not expand
  bool redirect_target = false;
};

struct Command {
  std::vector<std::string> words;
  std::vector<std::string> written;  // `> file`, `>> file`
};

// Splits shell text into simple commands. Enough for entrypoint scripts:
// quotes, escapes, comments, `$(...)`, `${...}`, separators, redirections
// and here-documents; control keywords stay words (the caller skips them).
std::vector<Command> split_commands(std::string_view text) {
  std::vector<Command> commands(1);
  std::string word;
  bool have_word = false;
  bool next_is_redirect_target = false;
  std::vector<std::string> heredocs;
  const auto end_word = [&] {
    if (!have_word) return;
    if (next_is_redirect_target) {
      commands.back().written.push_back(word);
      next_is_redirect_target = false;
    } else {
      commands.back().words.push_back(word);
    }
    word.clear();
    have_word = false;
  };
  const auto end_command = [&] {
    end_word();
    next_is_redirect_target = false;
    if (!commands.back().words.empty() || !commands.back().written.empty()) commands.emplace_back();
  };
  const auto read_balanced = [&](std::size_t& i, char open, char close) {
    int depth = 0;
    for (; i < text.size(); ++i) {
      word += text[i];
      if (text[i] == open) ++depth;
      else if (text[i] == close && --depth == 0) return;
    }
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '#' && !have_word) {
      while (i < text.size() && text[i] != '\n') ++i;
      --i;
      continue;
    }
    if (c == '\\' && i + 1 < text.size()) {
      if (text[i + 1] != '\n') {
        word += text[i + 1] == '$' ? '\x01' : text[i + 1];
        have_word = true;
      }
      ++i;
      continue;
    }
    if (c == '\'') {
      have_word = true;
      for (++i; i < text.size() && text[i] != '\''; ++i) word += text[i] == '$' ? '\x01' : text[i];
      continue;
    }
    if (c == '"') {
      have_word = true;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && std::string_view("\"\\$`").find(text[i + 1]) != std::string_view::npos) {
          word += text[i + 1] == '$' ? '\x01' : text[i + 1];
          ++i;
        } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '(') {
          read_balanced(i, '(', ')');
        } else {
          word += text[i];
        }
      }
      continue;
    }
    if (c == '$' && i + 1 < text.size() && (text[i + 1] == '(' || text[i + 1] == '{')) {
      have_word = true;
      word += '$';
      ++i;
      read_balanced(i, text[i], text[i] == '(' ? ')' : '}');
      continue;
    }
    if (c == '`') {
      have_word = true;
      word += "$(";
      for (++i; i < text.size() && text[i] != '`'; ++i) word += text[i];
      word += ")";
      continue;
    }
    if (c == ' ' || c == '\t') {
      end_word();
      continue;
    }
    if (c == '\n') {
      end_command();
      for (const std::string& delimiter : heredocs) {
        // Skips the body up to the line that holds only the delimiter.
        while (i < text.size()) {
          std::size_t eol = text.find('\n', i + 1);
          std::string_view line = text.substr(i + 1, eol == std::string_view::npos ? text.npos : eol - i - 1);
          while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
          i = eol == std::string_view::npos ? text.size() : eol;
          if (line == delimiter) break;
        }
      }
      heredocs.clear();
      continue;
    }
    if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
      if (c == '&' && i > 0 && text[i - 1] == '>') continue;  // `2>&1`, handled below
      end_command();
      continue;
    }
    if (c == '>' || c == '<') {
      // An fd number before the operator belongs to it: `2>/dev/null`.
      if (have_word && std::all_of(word.begin(), word.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); })) {
        word.clear();
        have_word = false;
      }
      end_word();
      if (c == '<' && i + 1 < text.size() && text[i + 1] == '<') {
        i += 2;
        if (i < text.size() && text[i] == '-') ++i;
        while (i < text.size() && text[i] == ' ') ++i;
        std::string delimiter;
        for (; i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != ';'; ++i)
          if (text[i] != '\'' && text[i] != '"') delimiter += text[i];
        --i;
        if (!delimiter.empty()) heredocs.push_back(delimiter);
        continue;
      }
      if (c == '>') {
        while (i + 1 < text.size() && (text[i + 1] == '>' || text[i + 1] == '|')) ++i;
        if (i + 1 < text.size() && text[i + 1] == '&') {
          ++i;  // `>&2`: a descriptor, not a file
          while (i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) ++i;
          continue;
        }
        next_is_redirect_target = true;
      } else {
        // Input: the next word is read, not written; keep it out of the command.
        while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
        while (i + 1 < text.size() && !std::isspace(static_cast<unsigned char>(text[i + 1])) &&
               std::string_view(";&|").find(text[i + 1]) == std::string_view::npos)
          ++i;
      }
      continue;
    }
    word += c;
    have_word = true;
  }
  end_command();
  if (commands.back().words.empty() && commands.back().written.empty()) commands.pop_back();
  return commands;
}

using Variables = std::map<std::string, std::string>;

// Expands $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:=default};
// nothing when a variable is unknown or the word runs a command.
std::optional<std::string> expand(const std::string& word, const Variables& variables) {
  std::string out;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c == '\x01') {
      out += '$';
      continue;
    }
    if (c != '$') {
      out += c;
      continue;
    }
    if (i + 1 >= word.size()) {
      out += c;
      continue;
    }
    std::string name, fallback;
    bool has_fallback = false;
    if (word[i + 1] == '(') return std::nullopt;
    if (word[i + 1] == '{') {
      std::size_t close = word.find('}', i + 2);
      if (close == std::string::npos) return std::nullopt;
      std::string inner = word.substr(i + 2, close - i - 2);
      std::size_t op = inner.find_first_of(":-=#%/");
      name = inner.substr(0, op);
      if (op != std::string::npos) {
        std::string_view rest = std::string_view(inner).substr(op);
        if (rest.starts_with(":-") || rest.starts_with(":=")) fallback = std::string(rest.substr(2)), has_fallback = true;
        else if (rest.starts_with("-") || rest.starts_with("=")) fallback = std::string(rest.substr(1)), has_fallback = true;
        else return std::nullopt;  // ${x#...}, ${x%...}: not followed
      }
      i = close;
    } else {
      std::size_t end = i + 1;
      while (end < word.size() && (std::isalnum(static_cast<unsigned char>(word[end])) || word[end] == '_')) ++end;
      if (end == i + 1) return std::nullopt;  // $@, $1, $$...
      name = word.substr(i + 1, end - i - 1);
      i = end - 1;
    }
    auto known = variables.find(name);
    if (known != variables.end() && !known->second.empty()) out += known->second;
    else if (has_fallback) {
      std::optional<std::string> value = expand(fallback, variables);
      if (!value) return std::nullopt;
      out += *value;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

bool is_assignment(const std::string& word) {
  std::size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<long>(eq),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) &&
         !std::isdigit(static_cast<unsigned char>(word[0]));
}

const std::set<std::string, std::less<>> kPrefixWords = {
    "exec", "command", "builtin", "nohup", "time", "then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "nice"};

const std::set<std::string, std::less<>> kShells = {"sh", "bash", "dash", "ash", "busybox"};

class ScriptAnalyser {
 public:
  ScriptAnalyser(const std::vector<std::string>& env, std::string cwd) : cwd_(cwd.empty() ? "/" : std::move(cwd)) {
    for (const std::string& entry : env)
      if (std::size_t eq = entry.find('='); eq != std::string::npos) variables_[entry.substr(0, eq)] = entry.substr(eq + 1);
  }

  ScriptFindings run(std::string_view text, int depth = 0) {
    for (const Command& command : split_commands(text)) handle(command, depth);
    return std::move(findings_);
  }

 private:
  std::optional<std::string> path_of(const std::string& word) const {
    std::optional<std::string> value = expand(word, variables_);
    if (!value || value->empty() || value->find('$') != std::string::npos) return std::nullopt;
    if (value->front() == '-' || value->front() == '&') return std::nullopt;
    return normalise_path(*value, cwd_);
  }

  void add_paths(std::vector<std::string>& into, const std::vector<std::string>& words) const {
    for (const std::string& word : words)
      if (std::optional<std::string> path = path_of(word)) add_unique(into, *path);
  }

  static std::vector<std::string> operands(const std::vector<std::string>& args,
                                           const std::set<std::string, std::less<>>& with_value = {}) {
    std::vector<std::string> out;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (!options_done && a == "--") {
        options_done = true;
      } else if (!options_done && a.size() > 1 && a[0] == '-') {
        if (with_value.count(a) && a.find('=') == std::string::npos) ++i;
      } else {
        out.push_back(a);
      }
    }
    return out;
  }

  void handle(const Command& command, int depth) {
    for (const std::string& target : command.written)
      if (std::optional<std::string> path = path_of(target)) add_unique(findings_.written, *path);
    run_words(command.words, depth);
  }

  void run_words(std::vector<std::string> words, int depth) {
    std::size_t start = 0;
    bool only_assignments = true;
    while (start < words.size()) {
      const std::string& w = words[start];
      if (is_assignment(w)) {
        if (only_assignments) assign(w);
        ++start;
      } else if (kPrefixWords.count(w)) {
        only_assignments = false;
        ++start;
      } else {
        break;
      }
    }
    if (start >= words.size()) return;
    std::string head = words[start];
    std::vector<std::string> args(words.begin() + static_cast<long>(start) + 1, words.end());
    std::string name = basename_of(head);

    if (name == "env") {
      std::size_t i = 0;
      while (i < args.size() && (is_assignment(args[i]) || args[i].starts_with("-"))) ++i;
      if (i < args.size()) run_words({args.begin() + static_cast<long>(i), args.end()}, depth);
      return;
    }
    if (name == "export" || name == "readonly" || name == "local" || name == "declare") {
      for (const std::string& a : args)
        if (is_assignment(a)) assign(a);
      return;
    }
    if (name == ":" && !args.empty()) {
      // `: "${NAME:=default}"` sets NAME when unset.
      for (const std::string& a : args)
        if (a.starts_with("${") && a.find(":=") != std::string::npos && a.ends_with("}")) {
          std::string inner = a.substr(2, a.size() - 3);
          std::size_t op = inner.find(":=");
          std::string var = inner.substr(0, op);
          if (variables_[var].empty()) {
            if (std::optional<std::string> value = expand(inner.substr(op + 2), variables_)) variables_[var] = *value;
          }
        }
      return;
    }
    if (name == "cd") {
      if (!args.empty())
        if (std::optional<std::string> path = path_of(args[0])) cwd_ = *path;
      return;
    }
    if (name == "for") {
      // for f in /docker-entrypoint.d/*.sh
      auto in = std::find(args.begin(), args.end(), "in");
      for (auto it = in == args.end() ? in : in + 1; it != args.end(); ++it) {
        if (it->find('*') == std::string::npos) continue;
        std::string folder = parent_of(*it);
        if (std::optional<std::string> path = path_of(folder)) add_unique(findings_.sourced, *path + "/");
      }
      return;
    }
    if (name == "." || name == "source") {
      if (!args.empty())
        if (std::optional<std::string> path = path_of(args[0])) add_unique(findings_.sourced, *path);
      return;
    }
    if (name == "run-parts") {
      for (const std::string& a : operands(args, {"--arg", "-a", "--regex", "-u", "--umask"}))
        if (std::optional<std::string> path = path_of(a)) add_unique(findings_.sourced, *path + "/");
      return;
    }

    // What runs: an absolute or relative path, or a name found on PATH later.
    add_unique(findings_.commands, head);
    if (head.find('/') != std::string::npos)
      if (std::optional<std::string> path = path_of(head)) add_unique(findings_.executed, *path);

    if (kShells.count(name)) {
      std::vector<std::string> rest = args;
      if (name == "busybox" && !rest.empty() && rest[0] == "sh") rest.erase(rest.begin());
      else if (name == "busybox") return run_words(rest, depth);
      for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == "-c" && i + 1 < rest.size()) {
          if (depth < 4) {
            if (std::optional<std::string> inner = expand(rest[i + 1], variables_)) {
              ScriptAnalyser nested(*this);
              nested.findings_ = {};
              ScriptFindings found = nested.run(*inner, depth + 1);
              merge(found);
            }
          }
          return;
        }
        if (!rest[i].starts_with("-")) {
          if (std::optional<std::string> path = path_of(rest[i])) add_unique(findings_.sourced, *path);
          return;
        }
      }
      return;
    }
    if (switch_user(name, args, depth)) return;

    if (name == "chown" || name == "chgrp" || name == "lsiown") {
      std::vector<std::string> ops = operands(args);
      bool reference = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("--reference"); });
      if (!reference && !ops.empty()) ops.erase(ops.begin());
      add_paths(findings_.chowned, ops);
      if (std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "-R" || a == "--recursive" || (a.size() > 1 && a[0] == '-' && a[1] != '-' && a.find('R') != std::string::npos); }))
        add_paths(findings_.recursive_owner_changes, ops);
    } else if (name == "chmod") {
      std::vector<std::string> ops;
      bool mode_seen = false;
      for (const std::string& a : args) {
        if (!mode_seen && (a.starts_with("-") && a.size() > 1 && std::string_view("rwxXst").find(a[1]) == std::string_view::npos)) continue;
        if (!mode_seen) {
          mode_seen = true;
          continue;
        }
        ops.push_back(a);
      }
      add_paths(findings_.chmodded, ops);
    } else if (name == "find") {
      std::vector<std::string> roots;
      std::size_t i = 0;
      while (i < args.size() && (args[i] == "-H" || args[i] == "-L" || args[i] == "-P")) ++i;
      for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.starts_with("-") || a == "!" || a == "\\!" || a == "(" || a == ",") break;
        roots.push_back(a);
      }
      for (std::size_t k = i; k + 1 < args.size(); ++k) {
        if (args[k] != "-exec" && args[k] != "-execdir") continue;
        std::string tool = basename_of(args[k + 1]);
        if (tool == "chown" || tool == "chgrp") add_paths(findings_.chowned, roots);
        if (tool == "chmod") add_paths(findings_.chmodded, roots);
        if (tool == "chown" || tool == "chgrp" || tool == "chmod") add_paths(findings_.recursive_owner_changes, roots);
      }
      // `find /docker-entrypoint.d/ -type f | while read f; do "$f"`: a folder of scripts.
      for (const std::string& root : roots)
        if (std::optional<std::string> path = path_of(root); path && root.starts_with("/") &&
                                                              basename_of(*path).ends_with(".d"))
          add_unique(findings_.sourced, *path + "/");
    } else if (name == "mkdir") {
      add_paths(findings_.created, operands(args, {"-m", "--mode", "--context"}));
    } else if (name == "install") {
      bool dirs = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "-d" || a == "--directory" || (a.size() > 1 && a[0] == '-' && a[1] != '-' && a.find('d') != std::string::npos); });
      std::vector<std::string> ops = operands(args, {"-m", "-o", "-g", "--mode", "--owner", "--group", "-t"});
      bool owner = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "-o" || a == "-g" || a.starts_with("--owner") || a.starts_with("--group"); });
      if (dirs) add_paths(findings_.created, ops);
      else if (!ops.empty()) add_paths(findings_.written, {ops.back()});
      if (owner) add_paths(findings_.chowned, dirs ? ops : std::vector<std::string>{ops.empty() ? std::string() : ops.back()});
    } else if (name == "touch" || name == "tee") {
      add_paths(findings_.written, operands(args, {"-d", "-r", "-t"}));
    } else if (name == "ln" || name == "cp" || name == "mv") {
      std::vector<std::string> ops = operands(args, {"-t", "--target-directory", "-S", "--suffix"});
      if (ops.size() >= 2) add_paths(findings_.written, {ops.back()});
    } else if (name == "sed") {
      bool in_place = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("-i") || a.starts_with("--in-place"); });
      std::vector<std::string> ops = operands(args, {"-e", "-f", "--expression", "--file"});
      bool script_in_e = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "-e" || a == "-f"; });
      if (in_place && !ops.empty()) {
        if (!script_in_e) ops.erase(ops.begin());
        add_paths(findings_.written, ops);
      }
    }
  }

  // gosu USER cmd, su-exec USER cmd, setpriv --reuid ..., s6-setuidgid USER cmd,
  // su USER, runuser -u USER, chroot --userspec, start-stop-daemon -c USER, ...
  bool switch_user(const std::string& name, const std::vector<std::string>& args, int depth) {
    std::string user;
    std::size_t rest = args.size();
    if (name == "gosu" || name == "su-exec" || name == "s6-setuidgid" || name == "setuidgid") {
      if (args.empty()) return true;
      user = args[0];
      rest = 1;
    } else if (name == "s6-applyuidgid" || name == "s6-envuidgid") {
      std::size_t i = 0;
      while (i < args.size() && args[i].starts_with("-")) i += (args[i] == "-u" || args[i] == "-g" || args[i] == "-G") ? 2 : 1;
      if (name == "s6-envuidgid" && i < args.size()) user = args[i++];
      rest = i;
      if (name == "s6-envuidgid") {
        // Only sets variables; the switch is s6-applyuidgid, which follows.
        if (rest < args.size()) run_words({args.begin() + static_cast<long>(rest), args.end()}, depth);
        return true;
      }
    } else if (name == "setpriv") {
      bool switches = false;
      std::size_t i = 0;
      for (; i < args.size() && args[i].starts_with("-"); ++i) {
        const std::string& a = args[i];
        if (a.starts_with("--reuid") || a.starts_with("--regid") || a.starts_with("--ruid") || a.starts_with("--euid") ||
            a.starts_with("--rgid") || a.starts_with("--egid") || a == "--init-groups" || a.starts_with("--groups") ||
            a == "--clear-groups") {
          switches = true;
          if (a.starts_with("--reuid")) user = a.find('=') != std::string::npos ? a.substr(a.find('=') + 1) : (i + 1 < args.size() ? args[i + 1] : "");
          if (a.find('=') == std::string::npos && a != "--init-groups" && a != "--clear-groups") ++i;
        }
      }
      if (!switches) return false;
      rest = i;
    } else if (name == "chpst") {
      auto u = std::find(args.begin(), args.end(), "-u");
      if (u == args.end() || u + 1 == args.end()) return false;
      user = *(u + 1);
      rest = static_cast<std::size_t>(u - args.begin()) + 2;
    } else if (name == "su" || name == "runuser") {
      std::size_t i = 0;
      for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-u" && i + 1 < args.size()) user = args[++i];
        else if ((a == "-c" || a == "-s" || a == "--command" || a == "--shell") && i + 1 < args.size()) ++i;
        else if (a == "--") {
          rest = i + 1;
          break;
        } else if (!a.starts_with("-") && user.empty()) user = a;
      }
    } else if (name == "chroot") {
      auto spec = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("--userspec"); });
      if (spec == args.end()) return false;
      user = spec->find('=') != std::string::npos ? spec->substr(spec->find('=') + 1) : (spec + 1 != args.end() ? *(spec + 1) : "");
      rest = args.size();
    } else if (name == "start-stop-daemon") {
      auto chuid = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a == "-c" || a.starts_with("--chuid"); });
      if (chuid == args.end()) return false;
      user = chuid->find('=') != std::string::npos ? chuid->substr(chuid->find('=') + 1) : (chuid + 1 != args.end() ? *(chuid + 1) : "");
      auto exec = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a == "-x" || a.starts_with("--exec") || a == "-a" || a.starts_with("--startas"); });
      if (exec != args.end() && exec + 1 != args.end())
        if (std::optional<std::string> path = path_of(exec->find('=') != std::string::npos ? exec->substr(exec->find('=') + 1) : *(exec + 1)))
          add_unique(findings_.executed, *path);
      rest = args.size();
    } else if (name == "sudo") {
      auto u = std::find(args.begin(), args.end(), "-u");
      if (u == args.end() || u + 1 == args.end()) return false;
      user = *(u + 1);
      rest = static_cast<std::size_t>(u - args.begin()) + 2;
    } else {
      return false;
    }
    std::string shown_user = expand(user, variables_).value_or(std::string());
    findings_.switches.push_back({name, shown_user});
    if (rest < args.size()) run_words({args.begin() + static_cast<long>(rest), args.end()}, depth);
    return true;
  }

  void assign(const std::string& word) {
    std::size_t eq = word.find('=');
    std::string name = word.substr(0, eq);
    if (std::optional<std::string> value = expand(word.substr(eq + 1), variables_)) variables_[name] = *value;
    else variables_.erase(name);
  }

  void merge(const ScriptFindings& other) {
    for (const auto& s : other.switches) findings_.switches.push_back(s);
    for (const auto& p : other.chowned) add_unique(findings_.chowned, p);
    for (const auto& p : other.chmodded) add_unique(findings_.chmodded, p);
    for (const auto& p : other.recursive_owner_changes) add_unique(findings_.recursive_owner_changes, p);
    for (const auto& p : other.created) add_unique(findings_.created, p);
    for (const auto& p : other.written) add_unique(findings_.written, p);
    for (const auto& p : other.executed) add_unique(findings_.executed, p);
    for (const auto& p : other.sourced) add_unique(findings_.sourced, p);
    for (const auto& p : other.commands) add_unique(findings_.commands, p);
  }

  Variables variables_;
  std::string cwd_;
  ScriptFindings findings_;
};

// ------------------------------------------------------------ derivation

bool is_root_user(std::string_view user) {
  std::string_view name = user.substr(0, user.find(':'));
  return name.empty() || name == "root" || name == "0";
}

const std::set<std::string, std::less<>> kInitWrappers = {"tini", "tini-static", "dumb-init", "docker-init", "catatonit"};

// Folders a tmpfs must never replace: they hold the system.
const std::set<std::string, std::less<>> kSystemFolders = {
    "/",        "/bin",      "/boot",     "/etc",    "/home",   "/lib",      "/lib64",  "/opt",
    "/root",    "/sbin",     "/srv",      "/usr",    "/usr/local", "/usr/lib", "/usr/share", "/var",
    "/var/lib", "/var/cache", "/var/log", "/var/spool", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/app"};

// Paths that are never on the image's root file system at run time.
bool runtime_path(const std::string& path) {
  for (const char* folder : {"/tmp", "/dev", "/proc", "/sys", "/var/tmp"})
    if (under(path, folder)) return true;
  return false;
}

class Deriver {
 public:
  Deriver(const ImageConfig& config, const ImageFilesystem& fs) : config_(config), fs_(fs) {
    for (const std::string& entry : config.env)
      if (entry.starts_with("PATH=")) path_ = entry.substr(5);
    if (path_.empty()) path_ = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    cwd_ = config.working_dir.empty() ? "/" : normalise_path(config.working_dir, "/");
    for (const std::string& volume : config.volumes) volumes_.push_back(resolve(normalise_path(volume, "/")));
  }

  void run(ImageFacts& facts) {
    std::vector<std::string> argv = config_.entrypoint;
    argv.insert(argv.end(), config_.cmd.begin(), config_.cmd.end());
    std::size_t i = 0;
    while (i < argv.size()) {
      std::optional<std::string> exe = which(argv[i]);
      std::string name = basename_of(argv[i]);
      if (kInitWrappers.count(name)) {
        if (exe) add_unique(executed_, *exe);
        ++i;
        while (i < argv.size() && argv[i].starts_with("-")) {
          bool end = argv[i] == "--";
          ++i;
          if (end) break;
        }
        continue;
      }
      if (kShells.count(name) && i + 2 < argv.size() && argv[i + 1] == "-c") {
        analyse(argv[i + 2], "the start command (sh -c)", 0);
        break;
      }
      if (!exe) {
        facts.notes.push_back(fmt::format("the start command {} is not in the image", argv[i]));
        break;
      }
      add_unique(executed_, *exe);
      entry_ = *exe;
      if (*exe == "/init" && s6_overlay()) {
        s6_ = true;
        for (const auto& [path, file] : fs_.files)
          if (file.content && (under(path, "/etc/s6-overlay") || under(path, "/etc/cont-init.d") ||
                               under(path, "/etc/services.d") || under(path, "/etc/s6-rc.d") ||
                               under(path, "/etc/cont-finish.d")))
            analyse_file(path, 1);
      } else {
        // The command itself may be a switch tool or a script.
        std::string joined;
        for (std::size_t k = i; k < argv.size(); ++k) joined += quote(argv[k]) + " ";
        analyse_file(*exe, 0);
        ScriptAnalyser direct(config_.env, cwd_);
        record(direct.run(joined), "the start command", 0);
      }
      break;
    }
    derive(facts);
  }

 private:
  static std::string quote(const std::string& word) {
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  bool s6_overlay() const {
    for (const char* marker : {"/package/admin/s6-overlay", "/etc/s6-overlay", "/command/s6-svscan", "/etc/s6/init"})
      if (fs_.files.count(marker)) return true;
    return false;
  }

  // Follows symlinks of every component (at most 32 hops).
  std::string resolve(const std::string& path) const {
    std::string current = normalise_path(path, "/");
    for (int hops = 0; hops < 32; ++hops) {
      bool changed = false;
      std::string prefix;
      std::size_t i = 1;
      while (i <= current.size()) {
        std::size_t slash = current.find('/', i);
        if (slash == std::string::npos) slash = current.size();
        prefix = current.substr(0, slash);
        auto it = fs_.files.find(prefix);
        if (it != fs_.files.end() && it->second.type == ImageFile::Type::Symlink) {
          std::string target = normalise_path(it->second.link, parent_of(prefix));
          current = normalise_path(target + current.substr(slash), "/");
          changed = true;
          break;
        }
        i = slash + 1;
      }
      if (!changed) return current;
    }
    return current;
  }

  const ImageFile* file_at(const std::string& path) const {
    auto it = fs_.files.find(resolve(path));
    return it == fs_.files.end() ? nullptr : &it->second;
  }

  std::optional<std::string> which(const std::string& command) const {
    if (command.empty()) return std::nullopt;
    if (command.find('/') != std::string::npos) {
      std::string path = normalise_path(command, cwd_);
      if (file_at(path)) return resolve(path);
      return std::nullopt;
    }
    std::size_t i = 0;
    while (i <= path_.size()) {
      std::size_t colon = path_.find(':', i);
      if (colon == std::string::npos) colon = path_.size();
      std::string candidate = normalise_path(path_.substr(i, colon - i) + "/" + command, "/");
      if (const ImageFile* f = file_at(candidate); f && f->type == ImageFile::Type::File) return resolve(candidate);
      i = colon + 1;
    }
    return std::nullopt;
  }

  static bool is_script(const ImageFile& file) { return file.content && file.content->starts_with("#!"); }

  void analyse_file(const std::string& path, int depth) {
    std::string real = resolve(path);
    const ImageFile* file = file_at(real);
    if (!file || !is_script(*file)) return;
    if (!analysed_.insert(real).second || analysed_.size() > 64) return;
    analyse(*file->content, fmt::format("{} {}", depth == 0 ? "the entrypoint" : "the script", real), depth);
  }

  void analyse(std::string_view text, const std::string& origin, int depth) {
    ScriptAnalyser analyser(config_.env, cwd_);
    record(analyser.run(text), origin, depth);
  }

  void record(const ScriptFindings& found, const std::string& origin, int depth) {
    for (const auto& s : found.switches) switches_.push_back({s.tool, s.user, origin});
    for (const auto& p : found.chowned) chowned_.push_back({p, origin});
    for (const auto& p : found.chmodded) chmodded_.push_back({p, origin});
    for (const auto& p : found.recursive_owner_changes) walked_.push_back({p, origin});
    for (const auto& p : found.created) created_.push_back({p, origin, true});
    for (const auto& p : found.written) created_.push_back({p, origin, false});
    for (const auto& p : found.executed) add_unique(executed_, resolve(p));
    std::vector<std::string> next;
    for (const auto& c : found.commands)
      if (std::optional<std::string> exe = which(c)) {
        add_unique(executed_, *exe);
        next.push_back(*exe);
      }
    for (const auto& p : found.executed) next.push_back(p);
    for (const auto& p : found.sourced) {
      if (p.ends_with("/")) {
        std::string folder = resolve(p.substr(0, p.size() - 1));
        for (auto it = fs_.files.lower_bound(folder + "/"); it != fs_.files.end() && under(it->first, folder); ++it)
          if (parent_of(it->first) == folder && is_script(it->second)) {
            next.push_back(it->first);
            add_unique(executed_, it->first);
          }
      } else {
        next.push_back(p);
      }
    }
    if (depth >= 4) return;
    for (const std::string& path : next) analyse_file(path, depth + 1);
  }

  bool in_volume(const std::string& path) const {
    return std::any_of(volumes_.begin(), volumes_.end(), [&](const std::string& v) { return under(path, v); });
  }

  // True when a folder (or anything below) holds files in the image: a
  // tmpfs there would hide them.
  bool holds_files(const std::string& folder) const {
    for (auto it = fs_.files.lower_bound(folder + "/"); it != fs_.files.end() && under(it->first, folder); ++it)
      if (it->second.type != ImageFile::Type::Directory) return true;
    return false;
  }

  std::optional<std::uint32_t> uid_of(const std::string& user) const {
    std::string name = user.substr(0, user.find(':'));
    if (name.empty()) return std::nullopt;
    if (std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return static_cast<std::uint32_t>(std::stoul(name.substr(0, 9)));
    const ImageFile* passwd = file_at("/etc/passwd");
    if (!passwd || !passwd->content) return std::nullopt;
    std::size_t i = 0;
    const std::string& text = *passwd->content;
    while (i < text.size()) {
      std::size_t eol = text.find('\n', i);
      if (eol == std::string::npos) eol = text.size();
      std::string line = text.substr(i, eol - i);
      i = eol + 1;
      std::size_t c1 = line.find(':');
      if (c1 == std::string::npos || line.substr(0, c1) != name) continue;
      std::size_t c2 = line.find(':', c1 + 1);
      std::size_t c3 = c2 == std::string::npos ? c2 : line.find(':', c2 + 1);
      if (c3 == std::string::npos) return std::nullopt;
      std::string uid = line.substr(c2 + 1, c3 - c2 - 1);
      if (uid.empty() || !std::all_of(uid.begin(), uid.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return std::nullopt;
      return static_cast<std::uint32_t>(std::stoul(uid.substr(0, 9)));
    }
    return std::nullopt;
  }

  static std::string owner_options(const ImageFile& folder) {
    if (folder.uid == 0 && folder.gid == 0) return "";
    return fmt::format("uid={},gid={},mode={:o}", folder.uid, folder.gid, folder.mode & 07777);
  }

  void add_tmpfs(ImageFacts& facts, const std::string& path, std::string options, std::string reason) {
    for (ImageTmpfs& known : facts.tmpfs) {
      if (under(path, known.path)) return;
    }
    // A new mount above earlier ones replaces them.
    std::erase_if(facts.tmpfs, [&](const ImageTmpfs& t) { return under(t.path, path); });
    facts.tmpfs.push_back({path, std::move(options), std::move(reason)});
  }

  void add_grant(std::vector<ImageGrant>& grants, const std::string& cap, std::string reason) {
    for (const ImageGrant& g : grants)
      if (g.capability == cap) return;
    grants.push_back({cap, std::move(reason)});
  }

  // Where a tmpfs goes so that `path` (a folder the image creates, or the
  // folder of a file it writes) is writable, or "" with a note.
  std::string mount_point(const std::string& path, std::string& problem) const {
    // The deepest part of the path that exists in the image.
    std::string existing = path;
    while (existing != "/" && !file_at(existing)) existing = parent_of(existing);
    const ImageFile* folder = file_at(existing);
    if (folder && folder->type != ImageFile::Type::Directory) {
      problem = fmt::format("{} is a file in the image", existing);
      return "";
    }
    bool usable = !kSystemFolders.count(existing) && !holds_files(existing);
    if (existing == path) {
      if (usable) return path;
      problem = kSystemFolders.count(existing) ? fmt::format("{} is a system folder", existing)
                                               : fmt::format("{} holds files of the image, which a tmpfs would hide", existing);
      return "";
    }
    // An empty folder of the image takes the tmpfs; else the first missing
    // part of the path, which the image creates at start and so hides nothing.
    if (usable) return existing;
    std::string below = path;
    while (parent_of(below) != existing) below = parent_of(below);
    return below;
  }

  void derive(ImageFacts& facts) {
    const bool root = facts.starts_as_root;
    std::string via = entry_.empty() ? std::string("the start command") : fmt::format("entrypoint {}", entry_);

    if (s6_) {
      add_tmpfs(facts, "/run", "exec",
                "s6-overlay's /init builds its supervision tree under /run and executes scripts from there: /run "
                "must be writable and executable");
      if (root) {
        add_grant(facts.capabilities, "SETUID", "s6-overlay's /init runs services as other users (s6-setuidgid)");
        add_grant(facts.capabilities, "SETGID", "s6-overlay's /init runs services as other users (s6-setuidgid)");
        add_grant(facts.capabilities, "KILL",
                  "s6-overlay's supervisor (root) signals services that run as other users; without KILL docker stop "
                  "cannot stop them gracefully");
      }
    }
    for (const Switch& s : switches_) {
      facts.switches_user = true;
      if (!root) continue;
      std::string reason = fmt::format("{} switches user with {}{}", s.origin, s.tool, s.user.empty() ? "" : " " + s.user);
      add_grant(facts.capabilities, "SETUID", reason);
      add_grant(facts.capabilities, "SETGID", reason);
    }
    std::set<std::string> chowned_paths;
    for (const auto& [path, origin] : chowned_) {
      chowned_paths.insert(path);
      if (root) add_grant(facts.capabilities, "CHOWN", fmt::format("{} changes the owner of {} with chown", origin, path));
    }
    for (const auto& [path, origin] : chmodded_) {
      const ImageFile* f = file_at(path);
      bool foreign = (f && f->uid != 0) || chowned_paths.count(path) || in_volume(path);
      if (root && foreign)
        add_grant(facts.capabilities, "FOWNER",
                  fmt::format("{} changes the mode of {}, which belongs to another user, with chmod", origin, path));
    }
    for (const auto& [path, origin] : walked_) {
      if (root && (in_volume(path) || (file_at(path) && file_at(path)->uid != 0)))
        add_grant(facts.capabilities, "DAC_READ_SEARCH",
                  fmt::format("{} walks {} as root, where data of another user may sit in private (0700) folders "
                              "after a restart",
                              origin, path));
    }

    // File capabilities of what runs: exec fails without them, root or not.
    for (const std::string& path : executed_) {
      const ImageFile* f = file_at(path);
      if (!f) continue;
      for (const std::string& cap : f->file_caps)
        add_grant(facts.file_caps, cap,
                  fmt::format("{} has the file capability cap_{}; without {} exec fails", path, to_lower_ascii(cap), cap));
      if (f->mode & 04000)
        facts.notes.push_back(fmt::format("{} is set-uid; no-new-privileges stops it from changing user", path));
    }

    // Folders the scripts create or write outside the image's volumes.
    for (const Write& w : created_) {
      std::string path = resolve(w.created ? w.path : parent_of(w.path));
      if (runtime_path(path) || in_volume(path)) continue;
      std::string problem;
      std::string point = mount_point(path, problem);
      if (point.empty()) {
        facts.notes.push_back(fmt::format("{} writes {}, which a read-only root refuses: {}; review", w.origin, w.path, problem));
        continue;
      }
      bool exec = std::any_of(executed_.begin(), executed_.end(), [&](const std::string& e) { return under(e, point); });
      const ImageFile* folder = file_at(point);
      std::string options = folder ? owner_options(*folder) : "";
      if (exec) options = options.empty() ? "exec" : options + ",exec";
      add_tmpfs(facts, point, options,
                fmt::format("{} {} {}{}", w.origin, w.created ? "creates" : "writes", w.path,
                            exec ? ", and runs programs from there" : ""));
    }

    // Empty folders that belong to the user the service runs as: the places
    // the application writes (a cache under its working directory, state).
    std::vector<std::pair<std::uint32_t, std::string>> users;
    if (!root)
      if (std::optional<std::uint32_t> uid = uid_of(facts.start_user)) users.push_back({*uid, facts.start_user});
    for (const Switch& s : switches_)
      if (std::optional<std::uint32_t> uid = uid_of(s.user); uid && *uid != 0) users.push_back({*uid, s.user});
    for (const auto& entry : fs_.files) {
      const std::string& path = entry.first;
      const ImageFile& file = entry.second;
      if (file.type != ImageFile::Type::Directory || runtime_path(path) || in_volume(path)) continue;
      auto user = std::find_if(users.begin(), users.end(), [&](const auto& u) { return u.first == file.uid; });
      if (user == users.end() || holds_files(path) || kSystemFolders.count(path) || under(path, "/etc")) continue;
      // A folder that holds a volume is the volume's parent, not a place the
      // application writes.
      if (std::any_of(volumes_.begin(), volumes_.end(), [&](const std::string& v) { return v != path && under(v, path); }))
        continue;
      const ImageFile* parent = file_at(parent_of(path));
      if (parent && parent->uid == file.uid && !holds_files(parent_of(path)) && !kSystemFolders.count(parent_of(path)))
        continue;  // its parent qualifies and is taken instead
      add_tmpfs(facts, path, owner_options(file),
                fmt::format("{} belongs to {} (uid {}), the user the service runs as, and is empty in the image: the "
                            "application writes there",
                            path, user->second, file.uid));
    }
    // A JVM heap set in the image: a memory limit must leave room above it
    // (the limits are chosen elsewhere; this is evidence for the report).
    const auto heap_of = [](const std::string& text) -> std::string {
      for (std::size_t at = text.find("-Xmx"); at != std::string::npos; at = text.find("-Xmx", at + 4)) {
        if (at > 0 && !std::isspace(static_cast<unsigned char>(text[at - 1])) && text[at - 1] != '"' && text[at - 1] != '\'')
          continue;
        std::size_t end = text.find_first_of(" \t\"'", at);
        return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
      }
      return "";
    };
    for (const std::string& entry : config_.env) {
      std::string name = entry.substr(0, entry.find('='));
      static const std::set<std::string, std::less<>> kJavaVariables = {
          "JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "ES_JAVA_OPTS", "CATALINA_OPTS", "JVM_OPTS"};
      if (!kJavaVariables.count(name)) continue;
      if (std::string heap = heap_of(entry.substr(name.size() + 1)); !heap.empty())
        facts.notes.push_back(fmt::format("its {} sets the JVM heap {}: a memory limit must leave room above it", name, heap));
    }
    for (const std::vector<std::string>* words : {&config_.entrypoint, &config_.cmd})
      for (const std::string& word : *words)
        if (std::string heap = heap_of(word); !heap.empty())
          facts.notes.push_back(fmt::format("its start command sets the JVM heap {}: a memory limit must leave room above it", heap));

    // A program that starts as root and does not hand over to another user
    // in a script may do so itself: that is not in the scripts.
    if (root && switches_.empty() && !s6_ && !entry_.empty()) {
      const ImageFile* program = file_at(entry_);
      std::string last = program && is_script(*program) ? std::string("the program it starts") : entry_;
      facts.notes.push_back(fmt::format(
          "{} starts as root and no script switches user: what {} does itself (switch user, chown, write folders) "
          "cannot be read from the image; prove it at runtime or add a profile",
          via, last));
    }
  }

  static std::string to_lower_ascii(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  struct Switch {
    std::string tool, user, origin;
  };
  struct Write {
    std::string path, origin;
    bool created;
  };

  const ImageConfig& config_;
  const ImageFilesystem& fs_;
  std::string path_;
  std::string cwd_;
  std::vector<std::string> volumes_;
  std::string entry_;
  bool s6_ = false;
  std::set<std::string> analysed_;
  std::vector<Switch> switches_;
  std::vector<std::pair<std::string, std::string>> chowned_, chmodded_, walked_;
  std::vector<Write> created_;
  std::vector<std::string> executed_;
};

}  // namespace

std::string short_image_id(std::string_view id) {
  if (std::size_t colon = id.find(':'); colon != std::string_view::npos) id = id.substr(colon + 1);
  return std::string(id.substr(0, 12));
}

std::vector<std::string> decode_file_capabilities(std::string_view xattr) {
  constexpr std::uint32_t kRevisionMask = 0xFF000000, kEffective = 0x000001;
  constexpr std::uint32_t kRevision1 = 0x01000000, kRevision2 = 0x02000000, kRevision3 = 0x03000000;
  std::vector<std::string> caps;
  if (xattr.size() < 4) return caps;
  std::uint32_t magic = le32(xattr, 0);
  std::uint32_t revision = magic & kRevisionMask;
  std::size_t words = revision == kRevision1 ? 1 : (revision == kRevision2 || revision == kRevision3) ? 2 : 0;
  std::size_t expected = revision == kRevision1 ? 12 : revision == kRevision2 ? 20 : revision == kRevision3 ? 24 : 0;
  if (words == 0 || xattr.size() < expected) return caps;
  std::uint64_t permitted = le32(xattr, 4);
  if (words == 2) permitted |= static_cast<std::uint64_t>(le32(xattr, 12)) << 32;
  (void)kEffective;  // a program without the effective bit raises them itself: it wants them too
  for (std::size_t bit = 0; bit < 64; ++bit) {
    if (!(permitted >> bit & 1)) continue;
    caps.push_back(bit < kCapabilityNames.size() ? std::string(kCapabilityNames[bit]) : fmt::format("CAP_{}", bit));
  }
  return caps;
}

ScriptFindings analyse_script(std::string_view text, const std::vector<std::string>& variables, const std::string& cwd) {
  ScriptAnalyser analyser(variables, cwd);
  return analyser.run(text);
}

ImageFacts derive_image_facts(const ImageConfig& config, const ImageFilesystem* filesystem, std::string filesystem_problem) {
  ImageFacts facts;
  facts.config = config;
  facts.start_user = config.user.empty() ? "root" : config.user;
  facts.starts_as_root = is_root_user(facts.start_user);
  if (!filesystem) {
    facts.filesystem_problem = std::move(filesystem_problem);
    return facts;
  }
  facts.filesystem_read = true;
  Deriver(config, *filesystem).run(facts);
  std::sort(facts.capabilities.begin(), facts.capabilities.end(),
            [](const ImageGrant& a, const ImageGrant& b) { return a.capability < b.capability; });
  return facts;
}

}  // namespace harden
