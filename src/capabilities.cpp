#include "harden/capabilities.h"

#include <algorithm>
#include <array>

namespace harden {

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {"CHOWN",  "DAC_OVERRIDE", "FOWNER",           "FSETID",     "KILL",
                                                "SETGID", "SETUID",       "SETPCAP",          "NET_BIND_SERVICE",
                                                "NET_RAW", "SYS_CHROOT",  "MKNOD",            "AUDIT_WRITE", "SETFCAP"};
  return caps;
}

const std::vector<std::string>& all_capabilities() {
  static const std::vector<std::string> caps = {
      "CHOWN",       "DAC_OVERRIDE",    "DAC_READ_SEARCH", "FOWNER",        "FSETID",      "KILL",
      "SETGID",      "SETUID",          "SETPCAP",         "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
      "NET_BROADCAST", "NET_ADMIN",     "NET_RAW",         "IPC_LOCK",      "IPC_OWNER",   "SYS_MODULE",
      "SYS_RAWIO",   "SYS_CHROOT",      "SYS_PTRACE",      "SYS_PACCT",     "SYS_ADMIN",   "SYS_BOOT",
      "SYS_NICE",    "SYS_RESOURCE",    "SYS_TIME",        "SYS_TTY_CONFIG", "MKNOD",      "LEASE",
      "AUDIT_WRITE", "AUDIT_CONTROL",   "SETFCAP",         "MAC_OVERRIDE",  "MAC_ADMIN",   "SYSLOG",
      "WAKE_ALARM",  "BLOCK_SUSPEND",   "AUDIT_READ",      "PERFMON",       "BPF",         "CHECKPOINT_RESTORE"};
  return caps;
}

bool is_dangerous_capability(std::string_view name) {
  static constexpr std::array<std::string_view, 15> kDangerous = {
      "ALL",     "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_BOOT",  "SYS_TIME",       "NET_ADMIN",
      "DAC_READ_SEARCH", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG", "LINUX_IMMUTABLE"};
  return std::find(kDangerous.begin(), kDangerous.end(), name) != kDangerous.end();
}

}  // namespace harden
