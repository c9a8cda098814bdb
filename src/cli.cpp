// The command line. Modes: print (one file), --write, --diff, --check.
#include "harden/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "harden/atomic_write.h"
#include "harden/audit.h"
#include "harden/config.h"
#include "harden/diff.h"
#include "harden/discovery.h"
#include "harden/limit_values.h"
#include "harden/override.h"
#include "harden/pipeline.h"
#include "harden/report.h"
#include "harden/rule.h"

namespace harden {
namespace fs = std::filesystem;

namespace {

constexpr const char* kVersion = "harden 0.1.0";

// SIGINT, SIGTERM, SIGHUP (a closed terminal or SSH session) and SIGQUIT
// during a batch: finish the file at hand (a write is never cut in half),
// process no more, and exit 128+signal. Caught on every thread: a worker
// holding staged files blocks them, and the main thread, waiting for the
// workers, must not die of one either (it left temporary files behind).
// A closed output pipe is not a reason to stop half way: SIGPIPE is
// ignored and the report's stream just fails.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int signal) { g_interrupted = signal; }

void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaction(sig, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

enum class Mode { Print, Write, Diff, Check };

struct CliSettings {
  std::vector<std::string> paths;
  bool write = false, diff = false, check = false;
  std::string select, ignore, profile = "baseline", format = "text", report_file;
  std::string config_file;
  bool no_config = false;
  bool no_engine = false;
  std::string color = "auto", progress = "auto";
  bool unsafe_fixes = false, quiet = false, no_ignore = false;
  std::vector<std::string> globs;
  unsigned jobs = 0;
  std::size_t max_size = 8u << 20;
  std::string memory, cpus, pids;
  std::string to_override;
  std::string fail_on;
};

// --fail-on: the findings that fail a run (exit 1) when they remain after
// its fixes: not fixed, not waived. In the manner of ruff's and hadolint's
// thresholds, so that a CI job can hold a line the fixes cannot.
class FailOn {
 public:
  // "all", "baseline" (the baseline profile's rules), "strict" (the rules
  // only the strict profile adds), or rule codes and names; nothing when a
  // name is unknown (it is printed).
  static std::optional<FailOn> parse(const std::vector<std::string>& items) {
    FailOn fail_on;
    for (const std::string& item : items) {
      if (item == "all") {
        fail_on.all_ = true;
      } else if (item == "baseline" || item == "strict") {
        fail_on.profiles_.push_back(item == "baseline" ? Profile::Baseline : Profile::Strict);
      } else if (const Rule* rule = find_rule(item)) {
        fail_on.codes_.push_back(rule->info().code);
      } else {
        fmt::print(stderr, "harden: unknown rule '{}' in --fail-on (see `harden rules`; also all, baseline, strict)\n",
                   item);
        return std::nullopt;
      }
    }
    return fail_on;
  }

  bool empty() const { return !all_ && profiles_.empty() && codes_.empty(); }

  // Counts the findings of `result` that fail the run.
  void count(const FileResult& result) {
    for (const Finding& f : result.findings) {
      if (f.waived || f.fixed || !covers(*f.rule)) continue;
      ++remaining_;
      if (std::find(rules_.begin(), rules_.end(), f.rule->code) == rules_.end()) rules_.push_back(f.rule->code);
    }
  }

  // Prints why the run fails and gives its exit code: 1, or 0 when nothing
  // named remains.
  int verdict() const {
    if (remaining_ == 0) return 0;
    std::vector<std::string_view> rules = rules_;
    std::sort(rules.begin(), rules.end());
    fmt::print(stderr, "harden: {} finding{} of {} remain{} unfixed, which --fail-on does not allow\n", remaining_,
               remaining_ == 1 ? "" : "s", fmt::join(rules, ", "), remaining_ == 1 ? "s" : "");
    return 1;
  }

 private:
  bool covers(const RuleInfo& rule) const {
    return all_ || std::find(profiles_.begin(), profiles_.end(), rule.profile) != profiles_.end() ||
           std::find(codes_.begin(), codes_.end(), rule.code) != codes_.end();
  }

  bool all_ = false;
  std::vector<Profile> profiles_;
  std::vector<std::string_view> codes_;
  std::size_t remaining_ = 0;
  std::vector<std::string_view> rules_;
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

// Files a worker has staged (WriteBatch) with their results, to commit.
struct StagedResult {
  std::size_t index;  // in the batch
  unsigned maker;     // the worker that made it
  FileResult result;
};
struct StagedGroup {
  WriteBatch writes;
  std::vector<StagedResult> results;
};

// Commits staged groups on a thread of its own, in the order they come: a
// commit waits on the disk (a flush, the renames, a flush), and the workers
// go on processing meanwhile. The groups waiting when a commit starts are
// committed together (one flush for all). At most kMaxWaiting groups wait;
// a worker with one more waits for room, so memory and open files stay
// bounded.
class GroupCommitter {
 public:
  using Committed = std::function<void(StagedGroup&, std::vector<std::optional<std::string>>&)>;

  explicit GroupCommitter(Committed committed) : committed_(std::move(committed)), thread_([this] { loop(); }) {}
  ~GroupCommitter() { finish(); }
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Call on the thread that staged the group (see WriteBatch's move).
  void push(StagedGroup&& group) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return waiting_.size() < kMaxWaiting; });
    waiting_.emplace_back(std::move(group));
    work_.notify_one();
  }

  // Commits what waits, then stops the thread.
  void finish() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  static constexpr std::size_t kMaxWaiting = 4;

  void loop() {
    for (;;) {
      std::optional<StagedGroup> group;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !waiting_.empty() || closing_; });
        if (waiting_.empty()) return;
        group.emplace(std::move(waiting_.front()));
        waiting_.pop_front();
        for (; !waiting_.empty(); waiting_.pop_front()) {
          StagedGroup& more = waiting_.front();
          group->writes.absorb(std::move(more.writes));
          for (auto& result : more.results) group->results.push_back(std::move(result));
        }
        room_.notify_all();
      }
      std::vector<std::optional<std::string>> errors = group->writes.commit();
      committed_(*group, errors);
    }
  }

  Committed committed_;
  std::mutex mutex_;
  std::condition_variable work_, room_;
  std::deque<StagedGroup> waiting_;
  bool closing_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// Runs the pipeline over files on worker threads and hands each result to
// `emit` in input order, as soon as it and all before it are done, so that
// output streams and a batch never holds every file in memory. `finish`
// runs on the worker (making a diff) before the hand-over. With
// `write_files`, each worker writes its changed files in groups (see
// WriteBatch): a group's results are handed over once it is committed.
// The worker that completes the next result in order emits it (and any
// that waited for it): no thread sleeps or wakes per file.
class BatchRunner {
 public:
  using Finish = std::function<void(FileResult&)>;
  using Emit = std::function<void(FileResult&)>;

  BatchRunner(const std::vector<std::string>& files, const std::vector<std::shared_ptr<const Options>>& options,
              unsigned jobs, bool write_files)
      : files_(files), options_(options), jobs_(jobs), write_files_(write_files), slots_(files.size()) {}

  void run(const Finish& finish, const Emit& emit, bool show_progress) {
    std::atomic<std::size_t> next{0};
    // Override files share their base file with each other and with the
    // base itself: each is loaded once per batch.
    DocumentCache documents;
    // With --write, a group's results are handed over once its files are
    // committed.
    std::optional<GroupCommitter> committer;
    if (write_files_) committer.emplace([&](StagedGroup& group, std::vector<std::optional<std::string>>& errors) {
      for (std::size_t k = 0; k < group.results.size(); ++k) {
        auto& [index, maker, r] = group.results[k];
        if (errors[k]) {
          r.error = LoadError{"not written: " + *errors[k]};
          r.changed = false;
        }
        hand_over(index, maker, /*on_maker=*/false, std::move(r), emit, show_progress);
      }
    });
    unsigned threads = std::max(1u, std::min<unsigned>(jobs_, static_cast<unsigned>(files_.size())));
    emitted_by_maker_.resize(threads);
    auto worker = [&](unsigned maker) {
      std::optional<StagedGroup> group;  // being staged by this worker
      group.emplace();
      auto send = [&] {
        if (group->results.empty()) return;
        committer->push(std::move(*group));
        group.emplace();
        destroy_emitted(maker);  // a worker whose files all change hands over none itself
      };
      for (std::size_t i = next++; i < files_.size(); i = next++) {
        FileResult r;
        if (g_interrupted) {
          r.path = files_[i];
          r.error = LoadError{"not processed: interrupted"};
        } else {
          r = process_file(files_[i], *options_[i], &documents);
          if (write_files_ && !r.error && r.changed) {
            if (auto problem = group->writes.stage(r.path, r.output)) {
              r.error = LoadError{"not written: " + *problem};
              r.changed = false;
            } else {
              // Finished here, where its memory was allocated: freed by the
              // committing thread, it contended for this thread's heap.
              finish(r);
              group->results.push_back(StagedResult{i, maker, std::move(r)});
              if (group->results.size() >= kWriteGroup) send();
              continue;
            }
          }
          finish(r);
        }
        hand_over(i, maker, /*on_maker=*/true, std::move(r), emit, show_progress);
      }
      send();
    };
    if (threads == 1) {
      worker(0);  // no thread to start for one
    } else {
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker, t);
      for (auto& t : pool) t.join();
    }
    if (committer) committer->finish();
    if (show_progress) fmt::print(stderr, "\r\x1b[K");
  }

 private:
  // Stores result i, made by worker `maker` (`on_maker`: this is its
  // thread); the first thread to find the next result in order ready
  // becomes the emitter until none is ready, the others go on working.
  // Emitted results go back to their maker to be destroyed there: freed by
  // another thread, their memory contends for the maker's heap (glibc's
  // arena lock) while it allocates.
  void hand_over(std::size_t i, unsigned maker, bool on_maker, FileResult r, const Emit& emit, bool show_progress) {
    std::vector<FileResult> to_destroy;  // declared first: destroyed after the lock is released
    std::unique_lock lock(mutex_);
    slots_[i] = Slot{maker, std::move(r)};
    ++done_;
    if (on_maker) to_destroy.swap(emitted_by_maker_[maker]);
    if (emitting_) return;
    emitting_ = true;
    while (emitted_ < files_.size() && slots_[emitted_]) {
      Slot ready = std::move(*slots_[emitted_]);
      slots_[emitted_].reset();
      ++emitted_;
      std::size_t done = done_;
      lock.unlock();
      if (show_progress) fmt::print(stderr, "\r\x1b[K");
      emit(ready.result);
      if (show_progress && std::chrono::steady_clock::now() - last_progress_ > std::chrono::milliseconds(100)) {
        fmt::print(stderr, "\r\x1b[K[{}/{}] files", done, files_.size());
        last_progress_ = std::chrono::steady_clock::now();
      }
      lock.lock();
      emitted_by_maker_[ready.maker].push_back(std::move(ready.result));
    }
    emitting_ = false;
  }

  // Destroys, on the maker's thread, the results of `maker` emitted so far.
  void destroy_emitted(unsigned maker) {
    std::vector<FileResult> to_destroy;  // declared first: destroyed after the lock is released
    std::lock_guard lock(mutex_);
    to_destroy.swap(emitted_by_maker_[maker]);
  }

  // Files per WriteBatch commit: few flushes, and few results held back.
  static constexpr std::size_t kWriteGroup = 32;

  const std::vector<std::string>& files_;
  const std::vector<std::shared_ptr<const Options>>& options_;
  unsigned jobs_;
  bool write_files_;
  struct Slot {
    unsigned maker;
    FileResult result;
  };
  std::vector<std::optional<Slot>> slots_;
  std::vector<std::vector<FileResult>> emitted_by_maker_;  // to destroy, per worker
  std::size_t done_ = 0;
  std::size_t emitted_ = 0;
  bool emitting_ = false;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
};

// The report in the chosen format.
std::string format_report(const std::string& format, const std::vector<FileResult>& results,
                          const RunSummary& summary, const TextReportOptions& text_options) {
  if (format == "json") return json_report(results, summary);
  if (format == "sarif") return sarif_report(results, summary);
  if (format == "markdown") return markdown_report(results, summary);
  std::ostringstream text;
  write_text_report(text, results, summary, text_options);
  return text.str();
}

// --report FILE; false when it cannot be written.
bool write_report_file(const std::string& file, const std::string& format, const std::vector<FileResult>& results,
                       const RunSummary& summary, const TextReportOptions& text_options) {
  std::ofstream report(file, std::ios::binary);
  report << format_report(format, results, summary, text_options);
  report.flush();
  if (!report) {
    fmt::print(stderr, "harden: cannot write the report to {}\n", file);
    return false;
  }
  return true;
}

}  // namespace

int run_cli(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "rules") return list_rules();
  if (argc >= 2 && std::string_view(argv[1]) == "audit") return run_audit(argc, argv);
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
  app.add_option("--format", s.format, "report format: text, json, sarif, markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}));
  app.add_option("--report", s.report_file, "also write the report to FILE (in the --format)");
  auto* config_opt = app.add_option("--config", s.config_file, "configuration file (default: nearest .harden.yaml upwards)");
  auto* no_config = app.add_flag("--no-config", s.no_config, "read no .harden.yaml");
  config_opt->excludes(no_config);
  app.add_option("-j,--jobs", s.jobs, "worker threads (default: all cores)");
  // One pattern per --glob, so that `--glob "*.yaml" services/` keeps services/ a path.
  app.add_option("--glob", s.globs, "another file name pattern to treat as a compose file in folders (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--no-engine", s.no_engine,
               "do not read images from the local Docker or Podman engine (also HARDEN_NO_ENGINE=1)");
  app.add_flag("--no-ignore", s.no_ignore, "also process files that .gitignore ignores");
  app.add_option("--progress", s.progress, "progress on stderr: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--color", s.color, "colour: auto, always, never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--max-size", s.max_size, "largest file to read, in bytes (default 8 MiB)");
  app.add_option("--to-override", s.to_override,
                 "leave the base files untouched; write the hardening into an override file that docker compose "
                 "merges (default: compose.override.yaml beside each base; a bare name goes beside each base)")
      ->expected(0, 1);
  app.add_option("--fail-on", s.fail_on,
                 "exit 1 when findings of these rules remain unfixed after the run's fixes (codes or names, "
                 "comma separated; all, baseline, strict)");
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
  // Limits are checked as the engine reads them, before any file is touched.
  struct LimitOption {
    const char* name;
    const std::string& value;
    std::optional<std::string> (*problem)(std::string_view);
  };
  for (const LimitOption& option : {LimitOption{"--memory", s.memory, memory_limit_problem},
                                    LimitOption{"--cpus", s.cpus, cpus_limit_problem},
                                    LimitOption{"--pids", s.pids, pids_limit_problem}}) {
    if (app.count(option.name) == 0) continue;
    if (std::optional<std::string> wrong = option.problem(option.value)) {
      fmt::print(stderr, "harden: {}: {}\n", option.name, *wrong);
      return 2;
    }
  }
  if (!s.memory.empty()) options.defaults.memory = s.memory;
  if (!s.cpus.empty()) options.defaults.cpus = s.cpus;
  if (!s.pids.empty()) options.defaults.pids = s.pids;
  options.limits.max_bytes = s.max_size;
  const char* no_engine_env = std::getenv("HARDEN_NO_ENGINE");
  options.introspect = !s.no_engine && !(no_engine_env && *no_engine_env && std::string_view(no_engine_env) != "0");
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

  std::optional<FailOn> fail_on = FailOn::parse(split_list(s.fail_on));
  if (!fail_on) return 2;

  Mode mode = s.write ? Mode::Write : s.diff ? Mode::Diff : s.check ? Mode::Check : Mode::Print;
  // SARIF (fixes as replacements), markdown (what changed) and an override
  // file show rewritten text; the other --check reports show findings only,
  // and their rewrites need no verifying.
  bool shows_text =
      mode != Mode::Check || s.format == "sarif" || s.format == "markdown" || app.count("--to-override") > 0;
  options.verify = shows_text;

  // .harden.yaml: per file, the nearest one upwards (or --config FILE, or
  // none with --no-config); the options given here win over it. The cache
  // owns the loaded configurations (and their image catalogs) for the run.
  CliGiven given;
  given.profile = app.count("--profile") > 0;
  given.select = app.count("--select") > 0;
  given.ignore = app.count("--ignore") > 0;
  given.unsafe_fixes = s.unsafe_fixes;
  given.memory = !s.memory.empty();
  given.cpus = !s.cpus.empty();
  given.pids = !s.pids.empty();
  ConfigCache configs(options, given,
                      s.no_config                ? ConfigCache::Mode::None
                      : !s.config_file.empty()   ? ConfigCache::Mode::Explicit
                                                 : ConfigCache::Mode::Nearest,
                      s.config_file);
  try {
    if (!s.config_file.empty()) configs.config_for_file("");  // report a bad --config FILE up front
  } catch (const ConfigError& e) {
    fmt::print(stderr, "harden: {}\n", e.what());
    return 2;
  }

  bool color_out = use_color(s.color, STDOUT_FILENO);
  bool color_err = use_color(s.color, STDERR_FILENO);
  auto started = std::chrono::steady_clock::now();

  // Standard input to standard output.
  if (s.paths.size() == 1 && s.paths[0] == "-") {
    if (app.count("--to-override")) {
      fmt::print(stderr, "harden: --to-override needs a file, not standard input\n");
      return 2;
    }
    std::shared_ptr<const Options> stdin_options;
    try {
      stdin_options = configs.options_for_file("-");
    } catch (const ConfigError& e) {
      fmt::print(stderr, "harden: {}\n", e.what());
      return 2;
    }
    FileResult r = process_text("-", read_stdin(), *stdin_options);
    if (!s.report_file.empty() &&
        !write_report_file(s.report_file, s.format, {r}, summarize({r}, 0), {false, false, false}))
      return 2;
    if (r.error) {
      fmt::print(stderr, "{}: error: {}\n",
                 r.error->line ? fmt::format("-:{}:{}", r.error->line, r.error->column) : "-", r.error->message);
      return 2;
    }
    fail_on->count(r);
    if (mode == Mode::Diff) {
      std::cout << unified_diff(r.original, r.output, "-", 3, color_out);
      return std::max(r.changed ? 1 : 0, fail_on->verdict());
    }
    if (mode == Mode::Check) {
      if (s.format != "text") std::cout << format_report(s.format, {r}, summarize({r}, 0), {});
      else write_text_report(std::cout, {r}, summarize({r}, 0), {color_out, false, false});
      return std::max(r.changed || r.no_services ? 1 : 0, fail_on->verdict());
    }
    std::cout << r.output;
    return fail_on->verdict();
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
  std::vector<std::shared_ptr<const Options>> file_options;
  file_options.reserve(found.files.size());
  try {
    for (const std::string& file : found.files) file_options.push_back(configs.options_for_file(file));
  } catch (const ConfigError& e) {
    fmt::print(stderr, "harden: {}\n", e.what());
    return 2;
  }
  if (app.count("--to-override")) {
    std::vector<FileResult> results;
    for (std::size_t i = 0; i < found.files.size(); ++i) results.push_back(process_file(found.files[i], *file_options[i]));
    OverrideRunOptions override_options;
    override_options.file = s.to_override;
    override_options.mode = mode == Mode::Write ? OverrideMode::Write
                            : mode == Mode::Diff ? OverrideMode::Diff
                            : mode == Mode::Check ? OverrideMode::Check
                                                  : OverrideMode::Print;
    override_options.color = color_out;
    override_options.quiet = s.quiet;
    int code = run_to_override(results, override_options, std::cout, std::cerr);
    RunSummary override_summary = summarize(results, 0);
    TextReportOptions override_text{color_err, false, false};
    if (!s.report_file.empty() &&
        !write_report_file(s.report_file, s.format, results, override_summary, override_text))
      code = 2;
    for (const FileResult& r : results) {
      if (!s.quiet) write_text_file_report(std::cerr, r, override_text);
      else if (r.error) std::cerr << r.path << ": error: " << r.error->message << "\n";
      if (r.error) code = 2;
      fail_on->count(r);
    }
    if (!found.errors.empty() || code == 2) return 2;
    return std::max(code, fail_on->verdict());
  }

  // Reports other than text are whole documents (and SARIF and markdown
  // need the texts): those keep every result; text streams.
  bool keep_results = s.format != "text";
  bool keep_texts = s.format == "sarif" || s.format == "markdown" || mode == Mode::Print;
  bool any_error = !found.errors.empty();
  bool any_change = false;
  bool any_unchecked = false;  // a file with no services
  RunSummary summary;
  std::vector<FileResult> kept;
  TextReportOptions text_options{false, false, mode == Mode::Write};
  std::ofstream report_file;
  if (!s.report_file.empty() && s.format == "text") {
    report_file.open(s.report_file, std::ios::binary);
    if (!report_file) {
      fmt::print(stderr, "harden: cannot write the report to {}\n", s.report_file);
      return 2;
    }
  }
  auto print_error = [&](const FileResult& r) {
    std::cerr << (r.error->line ? fmt::format("{}:{}:{}", r.path, r.error->line, r.error->column) : r.path)
              << ": error: " << r.error->message << "\n";
  };

  auto finish = [&](FileResult& r) {
    if (mode == Mode::Diff && !r.error && r.changed) r.diff = unified_diff(r.original, r.output, patch_path(r.path), 3, color_out);
    if (!keep_texts) {
      // Only SARIF (which keeps the texts) reports the edits. Freed here, on
      // the worker that made them, rather than by whichever thread emits.
      std::string().swap(r.original);
      std::string().swap(r.output);
      for (Finding& f : r.findings) f.fix.reset();
    }
  };
  auto emit = [&](FileResult& r) {
    summary.add(r);
    if (r.error) any_error = true;
    if (r.changed) any_change = true;
    if (r.no_services) any_unchecked = true;
    fail_on->count(r);
    if (report_file.is_open()) write_text_file_report(report_file, r, text_options);
    if (mode == Mode::Diff) std::cout << r.diff;
    if (s.format == "text" && mode != Mode::Print) {
      if (s.quiet) {
        if (r.error) print_error(r);
      } else {
        TextReportOptions o = text_options;
        o.color = mode == Mode::Diff ? color_err : color_out;
        write_text_file_report(mode == Mode::Diff ? std::cerr : std::cout, r, o);
      }
    }
    if (keep_results || mode == Mode::Print) {
      std::string().swap(r.diff);
      kept.push_back(std::move(r));
    }
  };
  bool show_progress = s.progress == "always" ||
                       (s.progress == "auto" && found.files.size() >= 50 && ::isatty(STDERR_FILENO) && !s.quiet);
  catch_interrupts();
  BatchRunner(found.files, file_options, jobs, mode == Mode::Write).run(finish, emit, show_progress);
  if (g_interrupted) {
    fmt::print(stderr, "harden: interrupted; every file is either fully rewritten or untouched\n");
    return 128 + g_interrupted;
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (report_file.is_open()) {
    write_text_summary(report_file, summary, text_options);
    report_file.flush();
    if (!report_file) {
      fmt::print(stderr, "harden: cannot write the report to {}\n", s.report_file);
      any_error = true;
    }
  } else if (!s.report_file.empty() && !write_report_file(s.report_file, s.format, kept, summary, text_options)) {
    any_error = true;
  }

  switch (mode) {
    case Mode::Print: {
      const FileResult& r = kept.front();
      if (!r.error) std::cout << r.output;
      if (s.format != "text") {
        std::cerr << format_report(s.format, kept, summary, text_options);
      } else if (s.quiet) {
        if (r.error) print_error(r);
      } else {
        text_options.color = color_err;
        write_text_report(std::cerr, kept, summary, text_options);
      }
      break;
    }
    case Mode::Diff:
    case Mode::Check:
    case Mode::Write: {
      std::ostream& out = mode == Mode::Diff ? std::cerr : std::cout;
      if (s.format != "text") {
        std::cout << format_report(s.format, kept, summary, text_options);
      } else if (!s.quiet) {
        text_options.color = mode == Mode::Diff ? color_err : color_out;
        write_text_summary(out, summary, text_options);
      }
      break;
    }
  }
  if (any_error) return 2;
  if (fail_on->verdict() != 0) return 1;
  if ((mode == Mode::Diff || mode == Mode::Check) && any_change) return 1;
  // A file with nothing checked must not pass a CI gate.
  if (mode == Mode::Check && any_unchecked) return 1;
  return 0;
}

}  // namespace harden
