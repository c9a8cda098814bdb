// Build-time tool: compiles transforms/image_profiles.yaml into C++ data, so
// that harden starts without parsing YAML (parsing the catalogue at every
// start took most of a one-file run). The YAML is read by the same
// ProfileCatalog::parse that reads users' `images:`, so a bad profile fails
// the build with its line and column.
//   embed_profiles INPUT.yaml OUTPUT.cpp
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "harden/image_profile.h"
#include "harden/text.h"

namespace {

using harden::ImageProfile;

std::string literal(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          // Three octal digits: an octal escape ends there whatever follows.
          out += '\\';
          out += static_cast<char>('0' + ((c >> 6) & 7));
          out += static_cast<char>('0' + ((c >> 3) & 7));
          out += static_cast<char>('0' + (c & 7));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A braced initializer list: `{a, b}`, each item rendered by `render`.
template <typename Item, typename Render>
std::string braced(const std::vector<Item>& items, Render render) {
  std::vector<std::string> parts;
  for (const Item& item : items) parts.push_back(render(item));
  return "{" + harden::join(parts) + "}";
}

std::string strings(const std::vector<std::string>& list) { return braced(list, literal); }

std::string conditions(const std::vector<harden::GrantCondition>& list) {
  return braced(list, [](const harden::GrantCondition& c) {
    const char* kind = c.kind == harden::GrantCondition::Kind::BindMount ? "BindMount"
                       : c.kind == harden::GrantCondition::Kind::Env     ? "Env"
                                                                          : "NoEnv";
    return std::string("{GrantCondition::Kind::") + kind + ", " + literal(c.subject) + "}";
  });
}

std::string capabilities(const std::vector<harden::CapabilityNeed>& list) {
  return braced(list, [](const harden::CapabilityNeed& c) {
    return "{" + literal(c.name) + ", " + literal(c.reason) + ", " + conditions(c.when) + "}";
  });
}

std::string tmpfs(const std::vector<harden::TmpfsNeed>& list) {
  return braced(list, [](const harden::TmpfsNeed& t) {
    return "{" + literal(t.path) + ", " + literal(t.options) + ", " + literal(t.reason) + ", " + conditions(t.when) +
           "}";
  });
}

void write_profile(std::ostream& out, const ImageProfile& p) {
  auto flag = [](bool b) { return b ? "true" : "false"; };
  out << "  {\n    ImageProfile& p = profiles.emplace_back();\n"
      << "    p.family = " << literal(p.family) << ";\n"
      << "    p.images = " << strings(p.images) << ";\n"
      << "    p.tags = " << strings(p.tags) << ";\n"
      << "    p.user = " << literal(p.user) << ";\n"
      << "    p.switches_user = " << flag(p.switches_user) << ";\n"
      << "    p.non_root_user = " << literal(p.non_root_user) << ";\n"
      << "    p.cap_add = " << capabilities(p.cap_add) << ";\n"
      << "    p.file_caps = " << capabilities(p.file_caps) << ";\n"
      << "    p.tmpfs = " << tmpfs(p.tmpfs) << ";\n"
      << "    p.tmp_exec = " << flag(p.tmp_exec) << ";\n"
      << "    p.volumes = " << strings(p.volumes) << ";\n"
      << "    p.data_dirs = " << strings(p.data_dirs) << ";\n"
      << "    p.breaks_with_no_new_privileges = " << flag(p.breaks_with_no_new_privileges) << ";\n"
      << "    p.breaks_with_read_only = " << flag(p.breaks_with_read_only) << ";\n"
      << "    p.limits = {" << literal(p.limits.memory) << ", " << literal(p.limits.cpus) << ", "
      << literal(p.limits.pids) << ", " << literal(p.limits.reason) << "};\n"
      << "    p.notes = " << literal(p.notes) << ";\n"
      << "    p.source = " << literal(p.source) << ";\n"
      << "  }\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: embed_profiles INPUT.yaml OUTPUT.cpp\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << argv[1] << ": cannot be read\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  harden::ProfileCatalog catalog;
  try {
    catalog = harden::ProfileCatalog::parse(text.str());
  } catch (const std::exception& error) {
    std::cerr << argv[1] << ":" << error.what() << "\n";
    return 1;
  }
  std::ostringstream out;
  out << "// Generated from transforms/image_profiles.yaml by tools/embed_profiles.cpp; do not edit.\n"
      << "#include \"harden/image_profile.h\"\n\n"
      << "namespace harden {\nnamespace {\n\n"
      << "std::vector<ImageProfile> builtin_profiles() {\n"
      << "  std::vector<ImageProfile> profiles;\n"
      << "  profiles.reserve(" << catalog.profiles().size() << ");\n";
  for (const ImageProfile& profile : catalog.profiles()) write_profile(out, profile);
  out << "  return profiles;\n}\n\n}  // namespace\n\n"
      << "const ProfileCatalog& ProfileCatalog::builtin() {\n"
      << "  // Built once; C++ guarantees thread-safe initialisation of a local static.\n"
      << "  static const ProfileCatalog catalog(builtin_profiles());\n"
      << "  return catalog;\n}\n\n}  // namespace harden\n";
  std::ofstream file(argv[2], std::ios::binary);
  file << out.str();
  if (!file.flush()) {
    std::cerr << argv[2] << ": cannot be written\n";
    return 1;
  }
  return 0;
}
