// Wall time of a command, process start to exit, without a shell or a
// clock process in between: the best and the median of RUNS runs.
//   timeit RUNS [--before SHELL_COMMAND] -- COMMAND [ARGS...]
// --before runs (through /bin/sh) before every run, outside the timing.
// The command's output goes to /dev/null; its exit code is ignored
// (--check exits 1 when something would change).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: timeit RUNS [--before SHELL_COMMAND] -- COMMAND [ARGS...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]);
  int at = 2;
  std::string before;
  if (std::string(argv[at]) == "--before" && at + 1 < argc) {
    before = argv[at + 1];
    at += 2;
  }
  if (at >= argc || std::string(argv[at]) != "--") {
    std::fprintf(stderr, "timeit: expected -- before the command\n");
    return 2;
  }
  char** command = argv + at + 1;
  std::vector<double> seconds;
  for (int i = 0; i < runs; ++i) {
    if (!before.empty() && std::system(before.c_str()) != 0) {
      std::fprintf(stderr, "timeit: the --before command failed\n");
      return 2;
    }
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execvp(command[0], command);
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      std::fprintf(stderr, "timeit: cannot run %s\n", command[0]);
      return 2;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("%.4f %.4f\n", seconds.front(), seconds[seconds.size() / 2]);
  return 0;
}
