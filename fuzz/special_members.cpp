// Out-of-line special members of the recursive value types, for the clang
// fuzz build only (see CMakeLists.txt: clang with libstdc++ 12 in C++20
// cannot instantiate std::vector<std::pair<..., T>> inside T's own implicit
// members). Each block is compiled when the build patched that header.
#include "harden/edit_builder.h"
#include "harden/value.h"

namespace harden {
#ifdef HARDEN_FUZZ_SHIM_Value
Value::Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;
#endif
#ifdef HARDEN_FUZZ_SHIM_NewValue
NewValue::NewValue() = default;
NewValue::NewValue(const NewValue&) = default;
NewValue::NewValue(NewValue&&) noexcept = default;
NewValue& NewValue::operator=(const NewValue&) = default;
NewValue& NewValue::operator=(NewValue&&) noexcept = default;
NewValue::~NewValue() = default;
#endif
}  // namespace harden
