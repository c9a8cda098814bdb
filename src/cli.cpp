// The command line. Modes: print (one file), --write, --diff, --check.
#include "harden/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "harden/atomic_write.h"
#include "harden/diff.h"
#include "harden/discovery.h"
#include "harden/pipeline.h"
#include "harden/report.h"
#include "harden/rule.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

constexpr const char* kVersion = "harden 0.1.0";

enum class Mode { Print, Write, Diff, Check };

struct CliSettings {
  std::vector<std::string> paths;
  bool write = false, diff = false, check = false;
  std::string select, ignore, profile = "baseline", format = "text", report_file;
  std::string color = "auto", progress = "auto";
  bool unsafe_fixes = false, quiet = false, no_ignore = false;
  std::vector<std::string> globs;
  unsigned jobs = 0;
  std::size_t max_size = 8u << 20;
  std::string memory, cpus, pids;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool use_color(const std::string& setting, int fd) {
  if (setting == "always") return true;
  if (setting == "never") return false;
  if (std::getenv("NO_COLOR") && *std::getenv("NO_COLOR")) return false;
  return ::isatty(fd) != 0;
}

int list_rules() {
  fmt::print("{:<6} {:<26} {:<9} {:<7} {}\n", "code", "name", "profile", "fix", "finds");
  for (const auto& rule : all_rules()) {
    const RuleInfo& r = rule->info();
    fmt::print("{:<6} {:<26} {:<9} {:<7} {}\n", r.code, r.name, r.profile == Profile::Baseline ? "baseline" : "strict",
               !r.has_fix ? "-" : r.safety == FixSafety::Safe ? "safe" : "unsafe", r.summary);
  }
  return 0;
}

int explain_rule(const std::string& name) {
  const Rule* rule = find_rule(name);
  if (!rule) {
    fmt::print(stderr, "harden: unknown rule '{}' (see `harden rules`)\n", name);
    return 2;
  }
  const RuleInfo& r = rule->info();
  fmt::print("{} {}: {}\n\nprofile: {}; fix: {}\n\n{}\n", r.code, r.name, r.summary,
             r.profile == Profile::Baseline ? "baseline" : "strict",
             !r.has_fix ? "none (finding only)" : r.safety == FixSafety::Safe ? "safe" : "unsafe (--unsafe-fixes)",
             r.explain);
  return 0;
}

std::string read_stdin() {
  std::ostringstream text;
  text << std::cin.rdbuf();
  return text.str();
}

// Runs the pipeline over files on `jobs` threads; results keep input order.
std::vector<FileResult> process_all(const std::vector<std::string>& files, const Options& options, unsigned jobs) {
  std::vector<FileResult> results(files.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) results[i] = process_file(files[i], options);
  };
  unsigned threads = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(files.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return results;
}

}  // namespace

int run_cli(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "rules") return list_rules();
  if (argc >= 2 && std::string_view(argv[1]) == "explain") {
    if (argc != 3) {
      fmt::print(stderr, "usage: harden explain RULE\n");
      return 2;
    }
    return explain_rule(argv[2]);
  }

  CLI::App app{"harden: rewrite Docker Compose files so that their containers run with least privilege,\n"
               "changing nothing else in the file.\n\n"
               "  harden compose.yml            print the hardened file\n"
               "  harden --diff                 review what would change (exit 1 if anything)\n"
               "  harden -w services/           harden every compose file below a folder in place\n"
               "  harden rules | harden explain H102\n",
               "harden"};
  CliSettings s;
  app.add_option("paths", s.paths, "files, folders (searched for compose files) or - for stdin");
  auto* write = app.add_flag("-w,--write", s.write, "rewrite changed files in place, atomically");
  auto* diff = app.add_flag("--diff", s.diff, "print a unified diff; exit 1 if anything would change");
  auto* check = app.add_flag("--check", s.check, "print the findings only; exit 1 if anything would change");
  write->excludes(diff)->excludes(check);
  diff->excludes(check);
  app.add_option("--select", s.select, "rules to apply (codes or names, comma separated; 'none' for no rule)");
  app.add_option("--ignore", s.ignore, "rules to skip (codes or names, comma separated)");
  app.add_option("--profile", s.profile, "baseline (default) or strict")
      ->check(CLI::IsMember({"baseline", "strict"}));
  app.add_flag("--unsafe-fixes", s.unsafe_fixes, "also apply fixes marked unsafe");
  app.add_option("--memory", s.memory, "memory limit to add (default 512m)");
  app.add_option("--cpus", s.cpus, "cpu limit to add (default 1)");
  app.add_option("--pids", s.pids, "pids limit to add (default 100)");
  app.add_option("--format", s.format, "report format: text, json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--report", s.report_file, "also write the report to FILE");
  app.add_option("-j,--jobs", s.jobs, "worker threads (default: all cores)");
  app.add_option("--glob", s.globs, "more file name patterns to treat as compose files in folders");
  app.add_flag("--no-ignore", s.no_ignore, "also process files that .gitignore ignores");
  app.add_option("--progress", s.progress, "progress on stderr: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--color", s.color, "colour: auto, always, never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--max-size", s.max_size, "largest file to read, in bytes (default 8 MiB)");
  app.add_flag("-q,--quiet", s.quiet, "print only errors");
  app.set_version_flag("--version", kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  Options options;
  if (!s.select.empty()) {
    options.select = split_list(s.select);
    if (options.select->size() == 1 && (*options.select)[0] == "none") options.select->clear();
  }
  options.ignore = split_list(s.ignore);
  options.profile = s.profile == "strict" ? Profile::Strict : Profile::Baseline;
  options.unsafe_fixes = s.unsafe_fixes;
  if (!s.memory.empty()) options.defaults.memory = s.memory;
  if (!s.cpus.empty()) options.defaults.cpus = s.cpus;
  if (!s.pids.empty()) options.defaults.pids = s.pids;
  options.limits.max_bytes = s.max_size;
  for (const std::string& code : options.select.value_or(std::vector<std::string>{}))
    if (code != "all" && !find_rule(code)) {
      fmt::print(stderr, "harden: unknown rule '{}' in --select (see `harden rules`)\n", code);
      return 2;
    }
  for (const std::string& code : options.ignore)
    if (!find_rule(code)) {
      fmt::print(stderr, "harden: unknown rule '{}' in --ignore (see `harden rules`)\n", code);
      return 2;
    }

  Mode mode = s.write ? Mode::Write : s.diff ? Mode::Diff : s.check ? Mode::Check : Mode::Print;
  bool color_out = use_color(s.color, STDOUT_FILENO);
  bool color_err = use_color(s.color, STDERR_FILENO);
  auto started = std::chrono::steady_clock::now();

  // Standard input to standard output.
  if (s.paths.size() == 1 && s.paths[0] == "-") {
    FileResult r = process_text("-", read_stdin(), options);
    if (r.error) {
      fmt::print(stderr, "{}: error: {}\n",
                 r.error->line ? fmt::format("-:{}:{}", r.error->line, r.error->column) : "-", r.error->message);
      return 2;
    }
    if (mode == Mode::Diff) {
      std::cout << unified_diff(r.original, r.output, "-", 3, color_out);
      return r.changed ? 1 : 0;
    }
    if (mode == Mode::Check) {
      write_text_report(std::cout, {r}, summarize({r}, 0), {color_out, false, false});
      return r.changed ? 1 : 0;
    }
    std::cout << r.output;
    return 0;
  }

  DiscoveryOptions discovery;
  discovery.extra_globs = s.globs;
  discovery.respect_gitignore = !s.no_ignore;
  DiscoveryResult found = discover(s.paths, discovery);
  for (const std::string& problem : found.errors) fmt::print(stderr, "harden: {}\n", problem);
  if (found.files.empty()) {
    if (found.errors.empty()) fmt::print(stderr, "harden: no compose file found\n");
    return 2;
  }
  if (mode == Mode::Print && found.files.size() > 1) {
    fmt::print(stderr, "harden: {} files found; choose --write, --diff or --check to handle several\n",
               found.files.size());
    return 2;
  }

  unsigned jobs = s.jobs ? s.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::vector<FileResult> results = process_all(found.files, options, jobs);

  bool any_error = !found.errors.empty();
  bool any_change = false;
  for (FileResult& r : results) {
    if (r.error) {
      any_error = true;
      continue;
    }
    if (!r.changed) continue;
    any_change = true;
    if (mode == Mode::Write) {
      if (auto problem = write_atomically(r.path, r.output)) {
        r.error = LoadError{"not written: " + *problem};
        r.changed = false;
        any_error = true;
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RunSummary summary = summarize(results, seconds);
  TextReportOptions text_options{false, false, mode == Mode::Write};

  if (!s.report_file.empty()) {
    std::ofstream report(s.report_file, std::ios::binary);
    if (s.format == "json") report << json_report(results, summary);
    else write_text_report(report, results, summary, text_options);
    if (!report) {
      fmt::print(stderr, "harden: cannot write the report to {}\n", s.report_file);
      any_error = true;
    }
  }

  switch (mode) {
    case Mode::Print: {
      const FileResult& r = results.front();
      if (!r.error) std::cout << r.output;
      if (!s.quiet || r.error) {
        text_options.color = color_err;
        std::ostringstream report;
        write_text_report(report, results, summary, text_options);
        if (s.quiet) {
          // Only the error lines.
          std::string line;
          std::istringstream lines(report.str());
          while (std::getline(lines, line))
            if (line.find(": error: ") != std::string::npos) std::cerr << line << "\n";
        } else {
          std::cerr << report.str();
        }
      }
      break;
    }
    case Mode::Diff: {
      for (const FileResult& r : results)
        if (!r.error && r.changed) std::cout << unified_diff(r.original, r.output, r.path, 3, color_out);
      text_options.color = color_err;
      std::ostringstream report;
      write_text_report(report, results, summary, text_options);
      if (!s.quiet) std::cerr << report.str();
      else
        for (const FileResult& r : results)
          if (r.error) std::cerr << r.path << ": error: " << r.error->message << "\n";
      break;
    }
    case Mode::Check:
    case Mode::Write: {
      if (s.format == "json") {
        std::cout << json_report(results, summary);
      } else if (s.quiet) {
        for (const FileResult& r : results)
          if (r.error)
            std::cerr << (r.error->line ? fmt::format("{}:{}:{}", r.path, r.error->line, r.error->column) : r.path)
                      << ": error: " << r.error->message << "\n";
      } else {
        text_options.color = color_out;
        write_text_report(std::cout, results, summary, text_options);
      }
      break;
    }
  }
  if (any_error) return 2;
  if ((mode == Mode::Diff || mode == Mode::Check) && any_change) return 1;
  return 0;
}

}  // namespace harden
