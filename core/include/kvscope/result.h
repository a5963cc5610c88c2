#pragma once

#include <string>
#include <utility>
#include <variant>

namespace kvscope {

// An input the estimator cannot use. `field` is the input's name as the book
// spells it (n_heads, context_length, ...); `message` is a full sentence that
// names the field and what is allowed, ready to show to a user.
struct InputError {
    std::string field;
    std::string message;

    friend bool operator==(const InputError &, const InputError &) = default;
};

// Either a value or the InputError that prevented it: errors are values here,
// never exceptions, so the window and the CLI can show them and carry on.
template <class T>
class Result {
public:
    Result(T value) : m_state(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(InputError error) : m_state(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T *operator->() const { return &std::get<T>(m_state); }
    const T &operator*() const { return value(); }

    const InputError &error() const { return std::get<InputError>(m_state); }

private:
    std::variant<T, InputError> m_state;
};

}  // namespace kvscope
