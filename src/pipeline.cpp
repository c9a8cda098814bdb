// load -> analyse -> edit -> verify, for one file.
#include "harden/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "harden/read_file.h"
#include "harden/text.h"
#include "harden/verify.h"
#include "harden/waivers.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxPasses = 4;

bool names_rule(const std::vector<std::string>& list, const RuleInfo& rule) {
  for (const std::string& item : list)
    if (iequals(item, rule.code) || iequals(item, rule.name) || iequals(item, "all")) return true;
  return false;
}

bool fix_allowed(const Fix& fix, const Options& options) {
  return fix.safety == FixSafety::Safe || options.unsafe_fixes;
}


struct Analysis {
  std::shared_ptr<const Document> doc;
  std::vector<Finding> findings;  // in rule order per service: the order fixes apply in
  // For each service, the services of this file it inherits keys from
  // (merge keys, extends): those are fixed first.
  std::map<std::string, std::vector<std::string>> inherits_from;
  std::vector<std::string> notes;
  bool no_services = false;
  std::optional<LoadError> error;
};

// `cache`: on the first pass, the document may come from the batch's
// cache, where an override file left its base.
Analysis analyse(const std::string& path, std::string text, const Options& options, RelatedFiles& related,
                 DocumentCache* cache) {
  Analysis a;
  if (cache) a.doc = cache->find_loaded_from(path, text);
  if (!a.doc) {
    LoadOptions load_options;
    load_options.limits = options.limits;
    LoadResult loaded = load_document(path, std::move(text), load_options);
    if (!loaded.ok()) {
      a.error = loaded.error;
      return a;
    }
    // Not offered to the cache: an override file sorts before its base
    // (compose.override.yaml, docker-compose-dev.yml), so a base is met
    // first as a related file, and caching every file would only churn.
    a.doc = std::move(loaded.document);
  }
  const Document& doc = *a.doc;
  DocumentLoader loader = related.loader();
  auto compose_or_error = read_compose(doc, loader, base_files_for(path));
  bool any_rule = std::any_of(all_rules().begin(), all_rules().end(),
                              [&](const auto& rule) { return rule_enabled(rule->info(), options); });
  // With no rule on (`--select none`) only the YAML matters: a file that is
  // valid YAML but no usable Compose file still comes back byte for byte.
  if (!any_rule) return a;
  if (auto* e = std::get_if<ComposeError>(&compose_or_error)) {
    LoadError error{e->message};
    if (e->located) {
      Position p = doc.position(e->offset);
      error.line = p.line;
      error.column = p.column;
    }
    a.error = error;
    return a;
  }
  const ComposeFile& compose = std::get<ComposeFile>(compose_or_error);
  std::string dir = fs::path(path).parent_path().string();
  // A Kubernetes manifest, or `servces:`: "0 findings" would read as a pass.
  if (!compose.services_node && !mapping_get(compose.root, "include")) {
    a.no_services = true;
    a.notes.push_back("the file has no services: key (nor include:): it is no Compose file, or the key is misspelt; "
                      "nothing in it was checked");
  }

  FileStyle file_style = FileStyle::learn(doc);
  EditBuilder file_edits(doc, file_style);
  FileContext file_context{doc, compose, options, file_edits};
  for (const auto& rule : all_rules()) {
    if (!rule_enabled(rule->info(), options)) continue;
    rule->check_file(file_context, a.findings);
  }
  std::map<const Node*, std::string> service_of_node;
  for (const Service& service : compose.services)
    if (service.node) service_of_node[service.node] = service.name;
  for (const Service& service : compose.services) {
    if (!service.node) continue;
    auto& sources = a.inherits_from[service.name];
    for (const Node* merged : service.merged)
      if (auto it = service_of_node.find(merged); it != service_of_node.end()) sources.push_back(it->second);
    for (const auto& [node, origin] : service.inherited)
      if (auto it = service_of_node.find(node); it != service_of_node.end()) sources.push_back(it->second);
  }
  for (const Service& service : compose.services) {
    if (!service.node) continue;
    ServiceFacts facts = infer(service, options, dir);
    for (const std::string& note : facts.notes) a.notes.push_back(fmt::format("{}: {}", service.name, note));
    EditBuilder edits(doc, file_style.within(doc, *service.node));
    ServiceContext context{doc, compose, service, facts, options, edits};
    std::size_t first = a.findings.size();
    for (const auto& rule : all_rules()) {
      if (!rule_enabled(rule->info(), options)) continue;
      rule->check_service(context, a.findings);
    }
    for (std::size_t i = first; i < a.findings.size(); ++i) a.findings[i].service = service.name;
  }
  apply_waivers(doc, compose, options, a.findings);
  for (std::string& note : unknown_waiver_rules(doc)) a.notes.push_back(std::move(note));
  for (Finding& f : a.findings) {
    Position p = doc.position(f.offset);
    f.line = p.line;
    f.column = p.column;
  }
  return a;
}

// Identifies a finding of the first pass; later passes, on rewritten text,
// match the deferred ones by rule and service.
std::string finding_key(const Finding& f) {
  return fmt::format("{}\x1f{}\x1f{}\x1f{}", f.rule->code, f.service, f.offset, f.message);
}
std::string deferred_key(const Finding& f) { return std::string(f.rule->code) + "\x1f" + f.service; }

}  // namespace

bool rule_enabled(const RuleInfo& rule, const Options& options) {
  if (names_rule(options.ignore, rule)) return false;
  if (options.select) return names_rule(*options.select, rule);
  return rule.profile == Profile::Baseline || options.profile == Profile::Strict;
}

Path service_path(const Service& service, std::initializer_list<std::string_view> more) {
  Path path;
  path.reserve(2 + more.size());
  path.emplace_back(std::string("services"));
  path.emplace_back(service.name);
  for (std::string_view step : more) path.emplace_back(std::string(step));
  return path;
}

void attach_fix(Finding& finding, EditResult edit, std::vector<Intent> intents, FixSafety safety) {
  if (auto* refusal = std::get_if<EditRefusal>(&edit)) {
    finding.not_fixed = refusal->message;
    return;
  }
  Fix fix;
  fix.edits.push_back(std::get<Edit>(std::move(edit)));
  fix.intents = std::move(intents);
  fix.safety = safety;
  finding.fix = std::move(fix);
}

void attach_fix(Finding& finding, EditsResult edits, std::vector<Intent> intents, FixSafety safety) {
  if (auto* refusal = std::get_if<EditRefusal>(&edits)) {
    finding.not_fixed = refusal->message;
    return;
  }
  Fix fix;
  fix.edits = std::get<std::vector<Edit>>(std::move(edits));
  fix.intents = std::move(intents);
  fix.safety = safety;
  finding.fix = std::move(fix);
}

FileResult process_text(const std::string& path, std::string text, const Options& options,
                        DocumentCache* cache) {
  FileResult result;
  result.path = path;
  result.original = text;
  RelatedFiles related(options.limits, cache);
  // The text of this pass; its document takes it over (no copy per pass).
  std::string current = std::move(text);

  for (int pass = 0; pass < kMaxPasses; ++pass) {
    Analysis a = analyse(path, std::move(current), options, related, pass == 0 ? cache : nullptr);
    if (a.error) {
      result.output = result.original;
      if (pass == 0) {
        result.error = a.error;
      } else {
        result.error = LoadError{"internal error: a rewritten pass no longer loads (" + a.error->message +
                                 "); the file is left unchanged"};
      }
      return result;
    }
    // Take every allowed fix that does not overlap one already taken; the
    // rest wait for the next pass, on the text as it will be then.
    std::vector<Edit> edits;
    IntentSet intents;
    std::vector<std::string> applied;
    bool deferred = false;
    // A service that inherits from a service being fixed now waits: in the
    // next pass it sees what it inherits and adds only what is still missing.
    std::set<std::string> fixed_now;
    for (const Finding& f : a.findings)
      if (!f.waived && f.fix && fix_allowed(*f.fix, options)) fixed_now.insert(f.service);
    auto waits_for_source = [&](const std::string& service) {
      auto it = a.inherits_from.find(service);
      if (it == a.inherits_from.end()) return false;
      return std::any_of(it->second.begin(), it->second.end(),
                         [&](const std::string& source) { return source != service && fixed_now.count(source) > 0; });
    };
    for (Finding& f : a.findings) {
      if (f.waived || !f.fix || !fix_allowed(*f.fix, options)) continue;
      if (!f.service.empty() && waits_for_source(f.service)) {
        deferred = true;
        continue;
      }
      if (edits_conflict(edits, f.fix->edits) || intents.conflicts_with(f.fix->intents)) {
        deferred = true;
        continue;
      }
      edits.insert(edits.end(), f.fix->edits.begin(), f.fix->edits.end());  // reports show the edits
      intents.add(std::move(f.fix->intents));  // only the verifier reads them
      applied.push_back(pass == 0 ? finding_key(f) : deferred_key(f));
    }
    if (pass == 0) {
      // The first pass's findings are the report; moved, since the fixes
      // taken above were copied out of them.
      result.findings = std::move(a.findings);
      std::stable_sort(result.findings.begin(), result.findings.end(),
                       [](const Finding& x, const Finding& y) { return x.offset < y.offset; });
      result.notes = std::move(a.notes);
      result.no_services = a.no_services;
      for (Finding& f : result.findings) {
        if (f.waived) continue;
        if (f.fix && !fix_allowed(*f.fix, options))
          f.not_fixed = "an unsafe fix is available: pass --unsafe-fixes to apply it";
        else if (!f.fix && f.rule->has_fix && f.not_fixed.empty())
          f.not_fixed = "no automatic fix for this case";
      }
    }
    if (edits.empty()) {
      current = a.doc->text;
      break;
    }
    std::optional<std::string> rewritten = apply_edits(a.doc->text, edits);
    if (!rewritten) {
      result.error = LoadError{"internal error: fixes produced overlapping edits; the file is left unchanged"};
      result.output = result.original;
      return result;
    }
    if (auto mismatch =
            options.verify ? verify_rewrite(*a.doc, *rewritten, intents.all(), options.limits) : std::nullopt) {
      result.error = LoadError{"internal error: verification of the rewrite failed (" + *mismatch +
                               "); the file is left unchanged"};
      result.output = result.original;
      return result;
    }
    for (Finding& f : result.findings) {
      if (f.fixed || !f.fix) continue;
      std::string key = pass == 0 ? finding_key(f) : deferred_key(f);
      if (std::find(applied.begin(), applied.end(), key) != applied.end()) {
        f.fixed = true;
        f.not_fixed.clear();
      }
    }
    current = std::move(*rewritten);
    if (!deferred) break;
  }
  result.changed = current != result.original;
  result.output = std::move(current);
  return result;
}

FileResult process_file(const std::string& path, const Options& options, DocumentCache* cache) {
  auto text = read_regular_file(path, options.limits.max_bytes);
  if (auto* error = std::get_if<LoadError>(&text)) {
    FileResult result;
    result.path = path;
    result.error = *error;
    return result;
  }
  return process_text(path, std::get<std::string>(std::move(text)), options, cache);
}

}  // namespace harden
