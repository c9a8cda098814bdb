// `.harden.yaml`: finding, parsing (strictly: unknown keys and wrong types
// are errors with a location) and applying it under the command line.
#include "harden/config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>
#include <system_error>

#include "harden/limit_values.h"
#include "harden/rule.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

class Parser {
 public:
  Parser(std::string_view text, std::string path) : text_(text), path_(std::move(path)) {}

  Config parse() {
    Config config;
    config.path = path_;
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text_));
    } catch (const YAML::Exception& e) {
      fail(e.mark, e.msg);
    }
    if (!root.IsDefined() || root.IsNull()) return config;  // empty file
    if (!root.IsMap()) fail(root.Mark(), "expected a mapping at the top of the configuration");

    auto entries = checked_map(root, "the configuration",
                               {"profile", "select", "ignore", "unsafe-fixes", "defaults", "services", "images"});
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& [key, value, key_mark] = entries[i];
      if (key == "profile") {
        std::string p = scalar(value, "profile");
        if (p == "baseline") config.profile = Profile::Baseline;
        else if (p == "strict") config.profile = Profile::Strict;
        else fail(value.Mark(), "profile must be 'baseline' or 'strict', not '" + p + "'");
      } else if (key == "select") {
        config.select = rule_list(value, "select", true);
      } else if (key == "ignore") {
        config.ignore = rule_list(value, "ignore", false);
      } else if (key == "unsafe-fixes") {
        config.unsafe_fixes = boolean(value, "unsafe-fixes");
      } else if (key == "defaults") {
        read_defaults(value, config);
      } else if (key == "services") {
        read_services(value, config);
      } else if (key == "images") {
        const YAML::Mark* next = i + 1 < entries.size() ? &std::get<2>(entries[i + 1]) : nullptr;
        read_images(value, key_mark, next, config);
      }
    }
    return config;
  }

 private:
  using Entry = std::tuple<std::string, YAML::Node, YAML::Mark>;

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    if (mark.is_null() || mark.line < 0) throw ConfigError(path_ + ": " + message);
    throw ConfigError(path_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": " +
                      message);
  }

  static std::string kind(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
  }

  std::vector<Entry> checked_map(const YAML::Node& node, const std::string& what,
                                 std::initializer_list<std::string_view> allowed) const {
    if (!node.IsMap()) fail(node.Mark(), "expected a mapping for " + what + ", found " + kind(node));
    std::vector<Entry> entries;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) fail(key.Mark(), "expected a plain key in " + what);
      const std::string name = key.Scalar();
      if (allowed.size() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string known;
        for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
        fail(key.Mark(), "unknown key '" + name + "' in " + what + " (known: " + known + ")");
      }
      for (const Entry& seen : entries)
        if (std::get<0>(seen) == name) fail(key.Mark(), "duplicate key '" + name + "' in " + what);
      entries.emplace_back(name, entry.second, key.Mark());
    }
    return entries;
  }

  std::string scalar(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node.Mark(), what + ": expected a single value, found " + kind(node));
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    std::string v = scalar(node, what);
    if (node.Tag() != "!") {  // not quoted
      if (v == "true" || v == "True" || v == "TRUE") return true;
      if (v == "false" || v == "False" || v == "FALSE") return false;
    }
    fail(node.Mark(), what + ": expected true or false, found '" + v + "'");
  }

  // A list of rule codes or names: a YAML list or a comma separated string.
  std::vector<std::string> rule_list(const YAML::Node& node, const std::string& what, bool is_select) const {
    std::vector<std::pair<std::string, YAML::Mark>> items;
    if (node.IsNull()) {
      // `ignore:` with nothing: an empty list.
    } else if (node.IsScalar()) {
      std::stringstream in(node.Scalar());
      std::string item;
      while (std::getline(in, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) items.emplace_back(item, node.Mark());
      }
    } else if (node.IsSequence()) {
      for (const YAML::Node& item : node) items.emplace_back(scalar(item, what + " item"), item.Mark());
    } else {
      fail(node.Mark(), what + ": expected a list of rule codes or names, found " + kind(node));
    }
    std::vector<std::string> out;
    for (const auto& [item, mark] : items) {
      if (is_select && item == "none") {
        if (items.size() != 1) fail(mark, "select: 'none' cannot be combined with rules");
        return {};
      }
      if (item != "all" && !find_rule(item))
        fail(mark, what + ": unknown rule '" + item + "' (see `harden rules`)");
      out.push_back(item);
    }
    return out;
  }

  void read_defaults(const YAML::Node& node, Config& config) const {
    if (node.IsNull()) return;
    for (const auto& [key, value, mark] : checked_map(node, "defaults", {"memory", "cpus", "pids", "restart"})) {
      (void)mark;
      std::string v = scalar(value, "defaults." + key);
      if (key == "memory" || key == "cpus" || key == "pids") {
        (key == "memory" ? config.memory : key == "cpus" ? config.cpus : config.pids) =
            limit(value, "defaults." + key, key);
      } else if (key == "restart") {
        static const std::regex restart(R"(^(no|always|unless-stopped|on-failure(:[0-9]+)?)$)");
        if (!std::regex_match(v, restart))
          fail(value.Mark(),
               "defaults.restart: expected no, always, on-failure[:N] or unless-stopped, found '" + v + "'");
        config.restart = v;
      }
    }
  }

  // A limit value (`kind` memory, cpus or pids), checked with Docker's
  // syntax and minimums.
  std::string limit(const YAML::Node& node, const std::string& what, const std::string& kind) const {
    std::string v = scalar(node, what);
    std::optional<std::string> problem = kind == "memory" ? memory_limit_problem(v)
                                         : kind == "cpus" ? cpus_limit_problem(v)
                                                          : pids_limit_problem(v);
    if (problem) fail(node.Mark(), what + ": " + *problem);
    return v;
  }

  void read_services(const YAML::Node& node, Config& config) const {
    if (node.IsNull()) return;
    for (const auto& [name, value, mark] : checked_map(node, "services", {})) {
      (void)mark;
      if (value.IsNull()) continue;
      for (const auto& [key, setting, key_mark] :
           checked_map(value, "services." + name, {"ignore", "memory", "cpus", "pids"})) {
        (void)key_mark;
        const std::string what = "services." + name + "." + key;
        if (key == "ignore") {
          config.service_ignores[name] = rule_list(setting, what, false);
          continue;
        }
        ServiceLimits& limits = config.service_limits[name];
        (key == "memory" ? limits.memory : key == "cpus" ? limits.cpus : limits.pids) = limit(setting, what, key);
      }
    }
  }

  // `images:` is a list of image profiles in the schema of
  // transforms/image_profiles.yaml. ProfileCatalog::parse reads text, so the
  // value is handed over as the file's own lines (everything else blanked),
  // which keeps its error locations those of the file.
  void read_images(const YAML::Node& node, const YAML::Mark& key_mark, const YAML::Mark* next_key,
                   Config& config) const {
    if (node.IsNull()) return;
    if (!node.IsSequence()) fail(node.Mark(), "images: expected a list of image profiles, found " + kind(node));
    std::string text;
    const bool same_line_next = next_key && next_key->line == key_mark.line;
    if (!same_line_next && key_mark.line >= 0) {
      std::vector<std::string> lines;
      std::size_t begin = 0;
      while (begin <= text_.size()) {
        std::size_t end = text_.find('\n', begin);
        if (end == std::string_view::npos) end = text_.size();
        lines.emplace_back(text_.substr(begin, end - begin));
        begin = end + 1;
      }
      const int first = key_mark.line;
      const int last = next_key ? next_key->line : static_cast<int>(lines.size());
      for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
        std::string line = i >= first && i < last ? lines[i] : std::string();
        if (i == first) {
          // Blank the key and its colon, keeping the columns of the value.
          std::size_t colon = line.find(':', static_cast<std::size_t>(key_mark.column));
          if (colon == std::string::npos) colon = line.size() - 1;
          for (std::size_t c = 0; c <= colon && c < line.size(); ++c)
            if (line[c] != '\r') line[c] = ' ';
        }
        text += line;
        text += '\n';
      }
    } else {
      // A flow mapping: hand over the re-emitted value (locations are approximate).
      YAML::Emitter out;
      out << node;
      text = out.c_str();
    }
    ProfileCatalog extra;
    try {
      extra = ProfileCatalog::parse(text);
    } catch (const std::runtime_error& e) {
      if (same_line_next) fail(node.Mark(), std::string("images: ") + e.what());
      throw ConfigError(path_ + ":" + e.what());
    }
    auto catalog = std::make_shared<ProfileCatalog>(ProfileCatalog::builtin());
    catalog->merge(extra);
    config.catalog = std::move(catalog);
  }

  std::string_view text_;
  std::string path_;
};

std::string display_path(const fs::path& path) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec) {
    fs::path rel = path.lexically_proximate(cwd);
    if (!rel.empty()) return rel.string();
  }
  return path.string();
}

// The canonical rule code of an entry, or the entry itself.
std::string rule_key(const std::string& item) {
  const Rule* rule = find_rule(item);
  return rule ? std::string(rule->info().code) : item;
}

}  // namespace

Config parse_config(std::string_view text, const std::string& path) { return Parser(text, path).parse(); }

namespace {

Config read_config_file(const fs::path& file, const std::string& shown) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) throw ConfigError(shown + ": is a folder, not a configuration file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(shown + ": cannot read the configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(shown + ": cannot read the configuration file");
  return parse_config(text.str(), shown);
}

}  // namespace

Config load_config(const std::string& path) { return read_config_file(path, path); }

std::optional<fs::path> find_config(const fs::path& folder) {
  std::error_code ec;
  fs::path dir = fs::absolute(folder, ec);
  if (ec) return std::nullopt;
  dir = dir.lexically_normal();
  if (dir.has_filename() == false && dir.has_parent_path() && dir != dir.root_path()) dir = dir.parent_path();
  for (;;) {
    fs::path candidate = dir / kConfigFileName;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    fs::path parent = dir.parent_path();
    if (parent == dir || dir == dir.root_path() || parent.empty()) return std::nullopt;
    dir = parent;
  }
}

Options apply_config(const Options& cli, const CliGiven& given, const Config& config) {
  Options o = cli;
  if (!given.profile && config.profile) o.profile = *config.profile;
  if (!given.select && config.select) o.select = config.select;
  if (!given.ignore && config.ignore) {
    o.ignore = *config.ignore;
    // A rule named on the command line's --select wins over the file's ignore.
    if (given.select && cli.select) {
      std::vector<std::string> selected;
      for (const std::string& s : *cli.select) selected.push_back(rule_key(s));
      std::erase_if(o.ignore, [&](const std::string& item) {
        return std::find(selected.begin(), selected.end(), rule_key(item)) != selected.end();
      });
    }
  }
  if (!given.unsafe_fixes && config.unsafe_fixes) o.unsafe_fixes = *config.unsafe_fixes;
  if (!given.memory && config.memory) o.defaults.memory = *config.memory;
  if (!given.cpus && config.cpus) o.defaults.cpus = *config.cpus;
  if (!given.pids && config.pids) o.defaults.pids = *config.pids;
  if (!given.restart && config.restart) o.defaults.restart = *config.restart;
  for (const auto& [service, limits] : config.service_limits) o.service_limits[service] = limits;
  for (const auto& [service, rules] : config.service_ignores) {
    auto& list = o.service_ignores[service];
    list.insert(list.end(), rules.begin(), rules.end());
  }
  if (config.catalog) o.catalog = config.catalog.get();
  return o;
}

ConfigCache::ConfigCache(Options cli, CliGiven given, Mode mode, std::string explicit_path)
    : cli_(std::move(cli)), given_(given), mode_(mode), explicit_path_(std::move(explicit_path)) {}

std::shared_ptr<const Config> ConfigCache::load(const fs::path& path) {
  // Called with the mutex held.
  auto found = loaded_.find(path);
  if (found != loaded_.end()) return found->second;
  std::string shown = mode_ == Mode::Explicit ? explicit_path_ : display_path(path);
  auto config = std::make_shared<const Config>(read_config_file(path, shown));
  loaded_.emplace(path, config);
  return config;
}

std::shared_ptr<const Config> ConfigCache::config_for_file(const std::string& file) {
  if (mode_ == Mode::None) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  if (mode_ == Mode::Explicit) return load(fs::path(explicit_path_));
  // Files of one folder, as written, share the answer: no path arithmetic
  // per file of a batch.
  std::size_t slash = file.rfind('/');
  std::string written_folder = file == "-" || slash == std::string::npos ? std::string() : file.substr(0, slash + 1);
  if (auto known = by_folder_.find(written_folder); known != by_folder_.end()) return known->second;
  if (!cwd_) {
    std::error_code ec;
    cwd_ = fs::current_path(ec).string();
  }
  std::string folder = written_folder.starts_with('/') ? written_folder : *cwd_ + "/" + written_folder;
  folder = fs::path(folder).lexically_normal().string();
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  const std::optional<std::string>& config = nearest(folder);
  std::shared_ptr<const Config> found = config ? load(*config) : nullptr;
  by_folder_.emplace(std::move(written_folder), found);
  return found;
}

const std::optional<std::string>& ConfigCache::nearest(const std::string& folder) {
  // Called with the mutex held; `folder` is absolute, normal, and ends in
  // '/' only when it is the root. (References into an unordered_map stay
  // valid while it grows.)
  if (auto known = nearest_.find(folder); known != nearest_.end()) return known->second;
  std::optional<std::string> found;
  std::string candidate = folder + (folder == "/" ? "" : "/") + kConfigFileName;
  struct stat info {};
  if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
    found = std::move(candidate);
  } else if (folder != "/" && !folder.empty()) {
    std::size_t slash = folder.rfind('/');
    if (slash != std::string::npos) found = nearest(slash == 0 ? std::string("/") : folder.substr(0, slash));
  }
  return nearest_.emplace(folder, std::move(found)).first->second;
}

std::shared_ptr<const Options> ConfigCache::options_for_file(const std::string& file) {
  auto config = config_for_file(file);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!config) {
    if (!cli_only_) cli_only_ = std::make_shared<const Options>(cli_);
    return cli_only_;
  }
  // Keyed by the Config, which `loaded_` keeps alive for the run.
  auto& options = applied_[config.get()];
  if (!options) options = std::make_shared<const Options>(apply_config(cli_, given_, *config));
  return options;
}

}  // namespace harden
