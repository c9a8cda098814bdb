#include "harden/waivers.h"
#include "harden/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace harden {
namespace {

bool waiver_covers(const InlineWaiver& w, const RuleInfo& rule) {
  if (w.rules.empty()) return true;
  return std::any_of(w.rules.begin(), w.rules.end(), [&](const std::string& r) {
    std::string upper = r;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return upper == rule.code || r == rule.name;
  });
}

}  // namespace

std::optional<InlineWaiver> waiver_on_line(const Document& doc, std::size_t offset) {
  std::size_t begin = doc.line_begin(std::min(offset, doc.text.size()));
  std::size_t end = doc.line_end(begin);
  std::string_view line(doc.text.data() + begin, end - begin);
  std::size_t at = line.find("harden:");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t hash = line.rfind('#', at);
  if (hash == std::string_view::npos) return std::nullopt;
  std::string_view rest = trim(line.substr(at + 7));
  if (rest.substr(0, 6) != "ignore") return std::nullopt;
  rest.remove_prefix(6);
  InlineWaiver waiver;
  if (!rest.empty() && rest.front() == '[') {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view list = rest.substr(1, close - 1);
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view item = trim(list.substr(0, comma));
      if (!item.empty()) waiver.rules.emplace_back(item);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    rest.remove_prefix(close + 1);
  }
  rest = trim(rest);
  if (rest.substr(0, 2) == "--") waiver.reason = std::string(trim(rest.substr(2)));
  return waiver;
}

std::vector<std::string> unknown_waiver_rules(const Document& doc) {
  std::vector<std::string> notes;
  const auto known = [](const std::string& name) {
    return std::any_of(all_rules().begin(), all_rules().end(), [&](const auto& rule) {
      InlineWaiver one{{name}, ""};
      return waiver_covers(one, rule->info());
    });
  };
  std::string_view text = doc.text;
  for (std::size_t at = text.find("harden:"); at != std::string_view::npos; at = text.find("harden:", at)) {
    std::size_t line_end = doc.line_end(doc.line_begin(at));
    if (auto waiver = waiver_on_line(doc, at)) {
      for (const std::string& name : waiver->rules)
        if (!known(name))
          notes.push_back(fmt::format("line {}: the waiver ignore[...] names '{}', which is no rule, so it silences "
                                      "nothing (see `harden rules`)",
                                      doc.position(at).line, name));
    }
    at = std::max(line_end, at + 1);
  }
  return notes;
}

void apply_waivers(const Document& doc, const ComposeFile& compose, const Options& options,
                   std::vector<Finding>& findings) {
  // On the finding's line, or on the line of the list item it is about.
  auto inline_waiver = [&](const Finding& f) -> std::optional<InlineWaiver> {
    for (std::optional<std::size_t> at : {std::optional<std::size_t>(f.offset), f.item_offset})
      if (at)
        if (auto w = waiver_on_line(doc, *at); w && waiver_covers(*w, *f.rule)) return w;
    return std::nullopt;
  };
  for (Finding& f : findings) {
    if (auto w = inline_waiver(f)) {
      f.waived = true;
      f.waiver_reason = w->reason;
      continue;
    }
    auto service = std::find_if(compose.services.begin(), compose.services.end(),
                                [&](const Service& s) { return s.name == f.service; });
    if (service == compose.services.end()) continue;
    if (auto w = waiver_on_line(doc, service->entry->key->content_begin); w && waiver_covers(*w, *f.rule)) {
      f.waived = true;
      f.waiver_reason = w->reason;
      continue;
    }
    auto configured = options.service_ignores.find(f.service);
    if (configured != options.service_ignores.end()) {
      InlineWaiver w{configured->second, "ignored in .harden.yaml"};
      if (waiver_covers(w, *f.rule)) {
        f.waived = true;
        f.waiver_reason = w.reason;
      }
    }
  }
}

}  // namespace harden
