// An istream over bytes that stay where they are. yaml-cpp reads from an
// istream; an istringstream would first copy the whole file.
#pragma once

#include <istream>
#include <streambuf>
#include <string_view>

namespace harden {
namespace detail {

struct ViewBuffer : std::streambuf {
  explicit ViewBuffer(std::string_view text) {
    // Only a get area: nothing is ever written through it.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

}  // namespace detail

// `text` must outlive the stream.
class TextStream : private detail::ViewBuffer, public std::istream {
 public:
  explicit TextStream(std::string_view text) : detail::ViewBuffer(text), std::istream(this) {}
};

}  // namespace harden
